import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { detectRuntime } from "../detect.ts";
import { createNodeAdapter } from "./adapter.ts";

const skip = detectRuntime() !== "node" && "Node adapter test";

describe("createNodeAdapter()", { skip }, () => {
  it("createNodeAdapter() reports every part it can capture, with details", async () => {
    const adapter = await createNodeAdapter();
    assert.equal(adapter.runtime, "node");
    assert.equal(adapter.runtimeVersion, process.version);
    const caps = adapter.capabilities();
    for (const part of ["heap", "cpu", "trace", "profile_during_trace", "point_in_time", "expvar"] as const) {
      assert.equal(caps[part]?.ok, true, `${part}: ${JSON.stringify(caps[part])}`);
    }
    assert.match(JSON.stringify(caps.cpu), /10 ms/);
    assert.match(JSON.stringify(caps.heap), /524288 bytes/);
    assert.deepEqual(adapter.pointInTime?.().map((p) => p.name), ["allocs", "resources"]);
    assert.equal(typeof adapter.heap, "function");
    assert.equal(typeof adapter.cpu, "function");
    assert.equal(typeof adapter.trace, "function");
  });

  it("createNodeAdapter() records long CPU profiles in a worker, all with AUTOPROF_CPU_OFFLOAD=1 or cpuOffload: true, none with 0 or false", async () => {
    const detail = async (options?: Parameters<typeof createNodeAdapter>[0]) =>
      JSON.stringify((await createNodeAdapter(options)).capabilities().cpu);
    const always = /sampling every 10 ms; recorded, converted and compressed in a worker thread/;
    const long = /sampling every 10 ms; profiles of 50 s or more recorded, converted and compressed in a worker thread/;
    const worker = /in a worker thread/;
    const saved = process.env.AUTOPROF_CPU_OFFLOAD;
    try {
      delete process.env.AUTOPROF_CPU_OFFLOAD;
      assert.match(await detail(), long);
      assert.match(await detail({ cpuSamplingIntervalMicros: 1000 }), /every 1 ms; profiles of 5 s or more/);
      assert.match(await detail({ cpuOffload: true }), always);
      assert.doesNotMatch(await detail({ cpuOffload: false }), worker);
      process.env.AUTOPROF_CPU_OFFLOAD = "0";
      assert.doesNotMatch(await detail(), worker);
      assert.match(await detail({ cpuOffload: true }), always);
      process.env.AUTOPROF_CPU_OFFLOAD = "1";
      assert.match(await detail(), always);
      assert.match(await detail({ cpuOffload: "auto" }), long);
    } finally {
      if (saved === undefined) delete process.env.AUTOPROF_CPU_OFFLOAD;
      else process.env.AUTOPROF_CPU_OFFLOAD = saved;
    }
  });

  it("createNodeAdapter() without a working inspector says why and keeps what works", async () => {
    const adapter = await createNodeAdapter({
      load: () => Promise.reject(new Error("Inspector is not available")),
    });
    const caps = adapter.capabilities();
    for (const part of ["heap", "cpu", "trace", "profile_during_trace"] as const) {
      assert.equal(caps[part]?.ok, false);
      assert.match(caps[part]?.ok === false ? caps[part].reason : "", /Inspector is not available/);
    }
    assert.equal(adapter.heap, undefined);
    assert.equal(adapter.cpu, undefined);
    assert.equal(adapter.trace, undefined);
    assert.deepEqual(adapter.pointInTime?.().map((p) => p.name), ["resources"]);
    assert.equal(typeof (await adapter.stats()).memory, "object");
    assert.equal(adapter.processInfo().pid, process.pid);
  });
});
