import { test } from "node:test";
import assert from "node:assert/strict";
import type { DenoApi, DenoPermissionDescriptor } from "./deno_api.ts";
import { readDenoProcessInfo } from "./process_info.ts";

interface FakeOptions {
  granted?: (d: DenoPermissionDescriptor) => boolean;
  env?: Record<string, string>;
  files?: Record<string, string>;
  mainModule?: string;
}

/** A fake Deno namespace; it throws like Deno when a permission is missing. */
function fakeDeno(o: FakeOptions = {}): DenoApi & { reads: string[] } {
  const granted = o.granted ?? (() => true);
  const reads: string[] = [];
  return {
    reads,
    pid: 42,
    version: { deno: "2.9.6" },
    mainModule: o.mainModule ?? "file:///srv/app/src/server.ts",
    hostname() {
      if (!granted({ name: "sys", kind: "hostname" })) throw new Error("NotCapable: Requires sys access");
      return "box";
    },
    memoryUsage: () => ({ rss: 1, heapTotal: 1, heapUsed: 1, external: 0 }),
    env: {
      get(name: string) {
        if (!granted({ name: "env", variable: name })) throw new Error("NotCapable: Requires env access");
        return o.env?.[name];
      },
    },
    readTextFileSync(path: string) {
      if (!granted({ name: "read", path })) throw new Error("NotCapable: Requires read access");
      reads.push(path);
      const text = o.files?.[path];
      if (text === undefined) throw new Error(`NotFound: ${path}`);
      return text;
    },
    permissions: {
      querySync: (d: DenoPermissionDescriptor) => ({ state: granted(d) ? "granted" as const : "prompt" as const }),
    },
  };
}

test("readDenoProcessInfo() without permissions: no hostname (with the flag named), main from the module name", () => {
  const deno = fakeDeno({ granted: () => false, env: { AUTOPROF_MAIN: "ignored" } });
  const info = readDenoProcessInfo(deno);
  assert.equal(info.pid, 42);
  assert.equal(info.hostname, "");
  assert.match(info.hostnameUnavailable ?? "", /--allow-sys=hostname/);
  assert.equal(info.main, "server");
  assert.equal(info.revision, "");
  assert.deepEqual(deno.reads, []);
});

test("readDenoProcessInfo() reads env, hostname and the nearest named config where permitted", () => {
  const deno = fakeDeno({
    files: {
      "/srv/app/src/deno.json": JSON.stringify({ tasks: {} }),
      "/srv/app/package.json": JSON.stringify({ name: "shop-api", version: "3.1.0" }),
    },
  });
  const info = readDenoProcessInfo(deno);
  assert.deepEqual(info, { pid: 42, hostname: "box", main: "shop-api", revision: "3.1.0" });
});

test("readDenoProcessInfo() prefers AUTOPROF_MAIN, AUTOPROF_REVISION, then commit variables", () => {
  const withMain = readDenoProcessInfo(fakeDeno({ env: { AUTOPROF_MAIN: "api", GITHUB_SHA: "abc123" } }));
  assert.equal(withMain.main, "api");
  assert.equal(withMain.revision, "abc123");
  const withRevision = readDenoProcessInfo(fakeDeno({ env: { AUTOPROF_REVISION: "v9", GITHUB_SHA: "abc123" } }));
  assert.equal(withRevision.revision, "v9");
});

test("readDenoProcessInfo() reads only the variables it is allowed to", () => {
  const deno = fakeDeno({
    granted: (d) => d.name !== "env" || d.variable === "GITHUB_SHA",
    env: { AUTOPROF_REVISION: "hidden", GITHUB_SHA: "visible" },
  });
  assert.equal(readDenoProcessInfo(deno).revision, "visible");
});

test("readDenoProcessInfo() survives a non-file main module and a throwing namespace", () => {
  const deno = fakeDeno({ mainModule: "https://example.com/x/app.ts?v=1" });
  assert.equal(readDenoProcessInfo(deno).main, "app");
  const broken = { ...fakeDeno(), get pid(): number { throw new Error("boom"); }, mainModule: undefined };
  const info = readDenoProcessInfo(broken);
  assert.equal(info.pid, 0);
  assert.equal(info.main, "deno");
});
