/**
 * Checks that the npm package (package.json, compiled to dist/) and the
 * JSR package (deno.json, TS source) export the same entry points, that
 * every exported file exists, and that the npm tarball holds what the
 * exports need and no tests. Run after the build:
 *
 * ```sh
 * npx tsc -p tsconfig.json && node dist/scripts/check_exports.js
 * ```
 *
 * Prints one `ok`/`not ok` line per check and `exports: N passed, N failed`;
 * exits non-zero on any failure.
 *
 * @module
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import process from "node:process";
import { fileURLToPath, pathToFileURL } from "node:url";

/** One check's outcome. */
export interface CheckResult {
  /** What was checked. */
  name: string;
  /** Why it failed; absent when it passed. */
  problem?: string;
}

/** The package manifests compared. */
export interface Manifests {
  /** package.json. */
  npm: {
    version?: string;
    main?: string;
    types?: string;
    exports?: Record<string, string | { types?: string; default?: string }>;
  };
  /** deno.json. */
  jsr: { version?: string; exports?: string | Record<string, string> };
}

/**
 * The dist files an npm export must point at for a JSR export's source.
 *
 * @param source a deno.json export target, e.g. `./runtimes/register.ts`.
 * @returns `{ types, default }`, e.g. `./dist/runtimes/register.d.ts` and `.js`.
 *
 * @example
 * ```ts
 * import { distFor } from "./check_exports.ts";
 * console.assert(distFor("./mod.ts").default === "./dist/mod.js");
 * ```
 */
export function distFor(source: string): { types: string; default: string } {
  const base = source.replace(/^\.\//, "./dist/").replace(/\.ts$/, "");
  return { types: `${base}.d.ts`, default: `${base}.js` };
}

/**
 * Compares the two manifests (no file system access).
 *
 * @param m the manifests.
 * @returns one result per check.
 *
 * @example
 * ```ts
 * import { compareManifests } from "./check_exports.ts";
 * const results = compareManifests({
 *   npm: { version: "1.0.0", main: "./dist/mod.js", types: "./dist/mod.d.ts",
 *     exports: { ".": { types: "./dist/mod.d.ts", default: "./dist/mod.js" } } },
 *   jsr: { version: "1.0.0", exports: { ".": "./mod.ts" } },
 * });
 * console.assert(results.every((r) => r.problem === undefined));
 * ```
 */
export function compareManifests(m: Manifests): CheckResult[] {
  const results: CheckResult[] = [];
  const check = (name: string, problem: string | undefined) => results.push(problem === undefined ? { name } : { name, problem });
  check(
    "package.json and deno.json have the same version",
    m.npm.version === m.jsr.version ? undefined : `npm ${m.npm.version} vs jsr ${m.jsr.version}`,
  );
  const jsr = typeof m.jsr.exports === "string" ? { ".": m.jsr.exports } : (m.jsr.exports ?? {});
  const npm = { ...(m.npm.exports ?? {}) };
  delete npm["./package.json"];
  const keys = new Set([...Object.keys(jsr), ...Object.keys(npm)]);
  for (const key of [...keys].sort()) {
    const source = jsr[key];
    const target = npm[key];
    if (source === undefined) {
      check(`export ${key} is in both manifests`, "package.json exports it, deno.json does not");
      continue;
    }
    if (target === undefined) {
      check(`export ${key} is in both manifests`, "deno.json exports it, package.json does not");
      continue;
    }
    const want = distFor(source);
    const got = typeof target === "string" ? { types: undefined, default: target } : target;
    check(
      `export ${key}: package.json points at the build of ${source}`,
      got.default === want.default && got.types === want.types
        ? undefined
        : `expected types ${want.types} and default ${want.default}: got ${JSON.stringify(target)}`,
    );
  }
  const root = jsr["."] === undefined ? undefined : distFor(jsr["."]);
  check(
    'package.json "main" and "types" match the "." export',
    root !== undefined && m.npm.main === root.default && m.npm.types === root.types
      ? undefined
      : `main ${m.npm.main}, types ${m.npm.types}`,
  );
  return results;
}

/**
 * Runs every check in the repo at `root`: the manifests, the files they
 * name, and the npm tarball's contents (`npm pack --dry-run`).
 *
 * @param root the repo root, built.
 * @returns one result per check.
 */
export function checkRepo(root: string): CheckResult[] {
  const read = (file: string) => JSON.parse(fs.readFileSync(path.join(root, file), "utf8"));
  const manifests: Manifests = { npm: read("package.json"), jsr: read("deno.json") };
  const results = compareManifests(manifests);
  const jsr = typeof manifests.jsr.exports === "string" ? { ".": manifests.jsr.exports } : (manifests.jsr.exports ?? {});
  const needed: string[] = [];
  for (const source of Object.values(jsr)) {
    const dist = distFor(source);
    needed.push(dist.default, dist.types);
    for (const file of [source, dist.default, dist.types]) {
      results.push(
        fs.existsSync(path.join(root, file)) ? { name: `${file} exists` } : { name: `${file} exists`, problem: "missing (built?)" },
      );
    }
  }
  let packed: string[] = [];
  try {
    const out = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
      cwd: root,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
    packed = (JSON.parse(out) as { files: { path: string }[] }[])[0].files.map((f) => f.path);
    results.push({ name: "npm pack --dry-run lists the tarball" });
  } catch (error) {
    results.push({ name: "npm pack --dry-run lists the tarball", problem: String(error) });
  }
  if (packed.length > 0) {
    const missing = needed.map((f) => f.replace(/^\.\//, "")).filter((f) => !packed.includes(f));
    results.push({
      name: "the npm tarball holds every exported file",
      ...(missing.length > 0 ? { problem: `missing: ${missing.join(", ")}` } : {}),
    });
    const tests = packed.filter((f) => /(_test|\.test)\.(js|d\.ts)$|\/testdata\/|_testing\./.test(f));
    results.push({
      name: "the npm tarball holds no tests",
      ...(tests.length > 0 ? { problem: `found: ${tests.slice(0, 5).join(", ")}${tests.length > 5 ? ", …" : ""}` } : {}),
    });
    const sources = packed.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"));
    results.push({
      name: "the npm tarball holds no TypeScript sources",
      ...(sources.length > 0 ? { problem: `found: ${sources.slice(0, 5).join(", ")}` } : {}),
    });
  }
  return results;
}

function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, "deno.json"))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error("Cannot find the repo root (deno.json)");
    dir = parent;
  }
  return dir;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const results = checkRepo(repoRoot());
  let failed = 0;
  for (const r of results) {
    if (r.problem === undefined) console.log(`ok - ${r.name}`);
    else {
      failed++;
      console.log(`not ok - ${r.name}: ${r.problem}`);
    }
  }
  console.log(`exports: ${results.length - failed} passed, ${failed} failed`);
  process.exitCode = failed > 0 ? 1 : 0;
}
