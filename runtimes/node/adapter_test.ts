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

  it("createNodeAdapter() records CPU profiles in a worker unless AUTOPROF_CPU_OFFLOAD=0 or cpuOffload: false", async () => {
    const worker = /in a worker thread/;
    assert.match(JSON.stringify((await createNodeAdapter()).capabilities().cpu), worker);
    assert.doesNotMatch(JSON.stringify((await createNodeAdapter({ cpuOffload: false })).capabilities().cpu), worker);
    const saved = process.env.AUTOPROF_CPU_OFFLOAD;
    process.env.AUTOPROF_CPU_OFFLOAD = "0";
    try {
      assert.doesNotMatch(JSON.stringify((await createNodeAdapter()).capabilities().cpu), worker);
      assert.match(JSON.stringify((await createNodeAdapter({ cpuOffload: true })).capabilities().cpu), worker);
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
