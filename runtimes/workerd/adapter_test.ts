import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { collectBundle } from "../../src/collect.ts";
import { readBundle } from "../../src/read_bundle.ts";
import {
  createWorkerdAdapter,
  WORKERD_CLOCK_NOTE,
  WORKERD_CPU_REASON,
  WORKERD_HEAP_REASON,
  WORKERD_MEMORY_REASON,
  WORKERD_TRACE_REASON,
  type WorkerdGlobals,
} from "./adapter.ts";

/** What workerd 2026-11-17 offers a Worker (measured): zeros everywhere. */
const workerdLike: WorkerdGlobals = {
  process: {
    memoryUsage: () => ({ rss: 0, heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0 }),
    env: { AUTOPROF_MAIN: "edge-app", AUTOPROF_REVISION: "r7" },
  },
  performance: {},
};

describe("createWorkerdAdapter()", () => {
  it("createWorkerdAdapter() declares every profile absent with workerd's reason, and expvar present", () => {
    const caps = createWorkerdAdapter({ globals: workerdLike }).capabilities();
    assert.deepEqual(caps.heap, { ok: false, reason: WORKERD_HEAP_REASON });
    assert.deepEqual(caps.cpu, { ok: false, reason: WORKERD_CPU_REASON });
    assert.deepEqual(caps.trace, { ok: false, reason: WORKERD_TRACE_REASON });
    assert.deepEqual(caps.profile_during_trace, { ok: false, reason: WORKERD_TRACE_REASON });
    assert.equal(caps.point_in_time?.ok, false);
    assert.equal(caps.expvar?.ok, true);
    assert.match(caps.expvar?.ok ? caps.expvar.detail ?? "" : "", /no isolate memory: not exposed/);
  });

  it("createWorkerdAdapter() has no profiler methods to call", () => {
    const a = createWorkerdAdapter({ globals: workerdLike });
    assert.equal(a.heap, undefined);
    assert.equal(a.cpu, undefined);
    assert.equal(a.trace, undefined);
    assert.equal(a.pointInTime, undefined);
    assert.equal(a.runtime, "workerd");
    assert.equal(a.runtimeVersion, "unknown");
  });

  it("processInfo() reports no pid and no hostname, and reads AUTOPROF_MAIN/AUTOPROF_REVISION from env", () => {
    const a = createWorkerdAdapter({ globals: workerdLike });
    assert.deepEqual(a.processInfo(), { pid: 0, hostname: "", main: "edge-app", revision: "r7" });
    const b = createWorkerdAdapter({ globals: workerdLike, main: "given", revision: "v1", runtimeVersion: "2026-11-17" });
    assert.deepEqual(b.processInfo(), { pid: 0, hostname: "", main: "given", revision: "v1" });
    assert.equal(b.runtimeVersion, "2026-11-17");
    assert.deepEqual(createWorkerdAdapter({ globals: {} }).processInfo(), { pid: 0, hostname: "", main: "", revision: "" });
  });

  it("stats() says isolate memory is not exposed when every source reports zeros", async () => {
    const stats = await createWorkerdAdapter({ globals: workerdLike }).stats();
    assert.deepEqual(stats, { memory: { available: false, reason: WORKERD_MEMORY_REASON }, clock: WORKERD_CLOCK_NOTE });
  });

  it("stats() reports isolate memory in bytes from the first source with real numbers", async () => {
    let used = 1000;
    const a = createWorkerdAdapter({
      globals: {
        process: { memoryUsage: () => { throw new Error("not implemented"); } },
        performance: { memory: { usedJSHeapSize: 0, totalJSHeapSize: 4096 } },
      },
    });
    assert.match(JSON.stringify(a.capabilities().expvar), /isolate memory from performance\.memory/);
    assert.deepEqual((await a.stats()).memory, {
      source: "performance.memory",
      unit: "bytes",
      usedJSHeapSize: 0,
      totalJSHeapSize: 4096,
    });
    const b = createWorkerdAdapter({ globals: { process: { memoryUsage: () => ({ heapUsed: used, note: "x" as never }) } } });
    used = 2000;
    assert.deepEqual((await b.stats()).memory, { source: "process.memoryUsage()", unit: "bytes", heapUsed: 2000 });
  });

  it("a bundle from the workerd adapter holds meta, expvar and custom entries only, and says why", async () => {
    const { meta, bytes } = await collectBundle(createWorkerdAdapter({ globals: workerdLike }), {
      cpuProfileDuration: 1000,
      traceDuration: 1000,
      custom: { "b.json": () => "{}", "a.txt": () => "a" },
    });
    const bundle = readBundle(bytes);
    assert.deepEqual(bundle.names, ["meta", "expvar", "custom/a.txt", "custom/b.json"]);
    assert.equal(bundle.meta.runtime, "workerd");
    assert.deepEqual(meta.skipped, {
      heap: WORKERD_HEAP_REASON,
      cpu: WORKERD_CPU_REASON,
      trace: WORKERD_TRACE_REASON,
      profile_during_trace: WORKERD_TRACE_REASON,
    });
    assert.match(bundle.meta.proc_id, /^1-[0-9a-f]{8}-[0-9a-f]{24}-0$/);
    const expvar = JSON.parse(new TextDecoder().decode(bundle.entries.get("expvar")));
    assert.equal(expvar.runtime.memory.available, false);
  });
});
