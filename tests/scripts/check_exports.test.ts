import { test } from "node:test";
import assert from "node:assert/strict";
import { compareManifests, distFor, type Manifests } from "../../scripts/check_exports.ts";

const good = (): Manifests => ({
  npm: {
    version: "1.2.3",
    main: "./dist/mod.js",
    types: "./dist/mod.d.ts",
    exports: {
      ".": { types: "./dist/mod.d.ts", default: "./dist/mod.js" },
      "./register": { types: "./dist/runtimes/register.d.ts", default: "./dist/runtimes/register.js" },
      "./package.json": "./package.json",
    },
  },
  jsr: { version: "1.2.3", exports: { ".": "./mod.ts", "./register": "./runtimes/register.ts" } },
});

const problems = (m: Manifests) => compareManifests(m).filter((r) => r.problem !== undefined).map((r) => r.name);

test("distFor() maps a TS source to its compiled files", () => {
  assert.deepEqual(distFor("./runtimes/register.ts"), {
    types: "./dist/runtimes/register.d.ts",
    default: "./dist/runtimes/register.js",
  });
});

test("compareManifests() accepts matching manifests", () => {
  assert.deepEqual(problems(good()), []);
});

test("compareManifests() reports an export missing on either side", () => {
  const m = good();
  delete (m.jsr.exports as Record<string, string>)["./register"];
  assert.deepEqual(problems(m), ["export ./register is in both manifests"]);
  const n = good();
  (n.jsr.exports as Record<string, string>)["./extra"] = "./extra.ts";
  assert.deepEqual(problems(n), ["export ./extra is in both manifests"]);
});

test("compareManifests() reports a version mismatch and a wrong target", () => {
  const m = good();
  m.jsr.version = "1.2.4";
  m.npm.exports!["./register"] = { types: "./dist/runtimes/register.d.ts", default: "./dist/register.js" };
  m.npm.main = "./mod.js";
  assert.deepEqual(problems(m), [
    "package.json and deno.json have the same version",
    "export ./register: package.json points at the build of ./runtimes/register.ts",
    'package.json "main" and "types" match the "." export',
  ]);
});
