import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { detectRuntime, loadAdapter, minimalAdapter } from "./detect.ts";

/** What the test runner says it runs on (scripts/test.sh sets it), if anything. */
const expected = (() => {
  const name = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env
    ?.AUTOPROF_TEST_RUNTIME;
  return name?.startsWith("node") ? "node" : name;
})();

describe("detectRuntime()", () => {
  it("detectRuntime() names the runtime running the tests", () => {
    const runtime = detectRuntime();
    if (expected !== undefined) assert.equal(runtime, expected);
    else assert.ok(["node", "deno", "bun"].includes(runtime));
  });

  it("loadAdapter() returns one adapter for the process, matching the runtime", async () => {
    const a = await loadAdapter();
    assert.equal(await loadAdapter(), a);
    assert.equal(a.runtime, detectRuntime());
    const info = a.processInfo();
    assert.equal(typeof info.pid, "number");
    assert.equal(typeof a.capabilities(), "object");
  });

  it("minimalAdapter() says for every part why it cannot capture it", () => {
    const a = minimalAdapter("other", "adapter not implemented yet");
    const caps = a.capabilities();
    for (const part of ["heap", "cpu", "trace", "profile_during_trace", "point_in_time"] as const) {
      assert.deepEqual(caps[part], { ok: false, reason: "adapter not implemented yet" });
    }
    assert.equal(a.heap, undefined);
    assert.deepEqual(a.stats(), {});
    assert.equal(a.processInfo().hostname, "");
  });
});
