import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { nodeProcessInfo, readProcessInfo } from "./process_info.ts";

/** A fake file system: path -> contents. */
function files(tree: Record<string, unknown>): (file: string) => string {
  return (file) => {
    if (!(file in tree)) throw new Error(`ENOENT: ${file}`);
    const value = tree[file];
    return typeof value === "string" ? value : JSON.stringify(value);
  };
}

describe("readProcessInfo()", () => {
  it("readProcessInfo() prefers AUTOPROF_MAIN and AUTOPROF_REVISION", () => {
    const info = readProcessInfo({
      env: { AUTOPROF_MAIN: "checkout", AUTOPROF_REVISION: "abc123", GIT_COMMIT: "other" },
      argv: ["node", "/srv/app/server.js"],
      readFile: files({ "/srv/app/package.json": { name: "pkg", version: "1.0.0" } }),
      pid: 42,
      hostname: () => "web-1",
    });
    assert.deepEqual(info, { pid: 42, hostname: "web-1", main: "checkout", revision: "abc123" });
  });

  it("readProcessInfo() uses the nearest package.json with a name, skipping nameless ones", () => {
    const info = readProcessInfo({
      env: {},
      argv: ["node", "/srv/app/dist/server.js"],
      readFile: files({
        "/srv/app/dist/package.json": { type: "module" },
        "/srv/app/package.json": { name: "@shop/api", version: "2.3.4" },
      }),
      hostname: () => "h",
    });
    assert.equal(info.main, "@shop/api");
    assert.equal(info.revision, "2.3.4");
  });

  it("readProcessInfo() takes a CI commit variable over the package version", () => {
    const info = readProcessInfo({
      env: { SOURCE_VERSION: "deadbeef" },
      argv: ["node", "/srv/app/server.js"],
      readFile: files({ "/srv/app/package.json": { name: "api", version: "1.0.0" } }),
      hostname: () => "h",
    });
    assert.equal(info.revision, "deadbeef");
  });

  it("readProcessInfo() falls back to the script name, then to node", () => {
    const none = files({});
    assert.equal(readProcessInfo({ env: {}, argv: ["node", "/x/worker.mjs"], readFile: none, hostname: () => "" }).main, "worker");
    assert.equal(readProcessInfo({ env: {}, argv: ["node"], readFile: none, hostname: () => "" }).main, "node");
  });

  it("readProcessInfo() survives broken package.json files and a throwing hostname", () => {
    const info = readProcessInfo({
      env: {},
      argv: ["node", "/a/b.js"],
      readFile: files({ "/a/package.json": "{not json" }),
      hostname: () => {
        throw new Error("no hostname permission");
      },
    });
    assert.equal(info.hostname, "");
    assert.equal(info.main, "b");
    assert.equal(info.revision, "");
  });

  it("nodeProcessInfo() describes this process", () => {
    const info = nodeProcessInfo();
    assert.equal(info.pid, process.pid);
    assert.equal(typeof info.hostname, "string");
    assert.ok(info.main.length > 0);
  });
});
