import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { sharedHeapSampler } from "../_inspector/heap_sampler.ts";
import { detectRuntime } from "../detect.ts";
import { NodeStats } from "./stats.ts";

const skip = detectRuntime() !== "node" && "Node adapter test";

describe("NodeStats", { skip }, () => {
  it("NodeStats.read() reports memory, heap, resource usage and the process", () => {
    const stats = new NodeStats();
    try {
      const s = stats.read();
      assert.equal(s.pid, process.pid);
      assert.deepEqual(s.cmdline, process.argv);
      assert.equal(typeof (s.memory as { rss: number }).rss, "number");
      assert.equal(typeof (s.heap as { used_heap_size: number }).used_heap_size, "number");
      assert.ok(Array.isArray(s.heap_spaces) && s.heap_spaces.length > 0);
      assert.equal(typeof (s.resource_usage as { userCPUTime: number }).userCPUTime, "number");
      assert.ok(JSON.parse(JSON.stringify(s)), "JSON-ready");
    } finally {
      stats.stop();
    }
  });

  it("NodeStats counts garbage collections since it started", async () => {
    const stats = new NodeStats();
    try {
      const before = (stats.read().gc as { count: number }).count;
      // A heap snapshot forces a full GC.
      const started = await sharedHeapSampler();
      assert.ok(started.ok);
      await started.sampler.snapshot();
      // GC entries are delivered asynchronously.
      await new Promise((r) => setTimeout(r, 50));
      const gc = stats.read().gc as { count: number };
      assert.ok(gc.count > before, `gc count ${before} -> ${gc.count}`);
    } finally {
      stats.stop();
    }
  });

  it("NodeStats measures event-loop delay once enabled", async () => {
    const stats = new NodeStats();
    try {
      stats.read(); // enables the histogram
      await new Promise((r) => setTimeout(r, 100));
      const loop = stats.read().event_loop as { delay_ms: { count: number; p99?: number }; utilization: { utilization: number } };
      assert.ok(loop.delay_ms.count > 0);
      assert.ok(typeof loop.delay_ms.p99 === "number" && loop.delay_ms.p99 >= 0);
      assert.ok(loop.utilization.utilization >= 0 && loop.utilization.utilization <= 1);
    } finally {
      stats.stop();
    }
  });
});
