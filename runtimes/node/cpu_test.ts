import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { constants, PerformanceObserver } from "node:perf_hooks";
import process from "node:process";
import { captureCpuProfile } from "../_inspector/cpu_capture.ts";
import { detectRuntime } from "../detect.ts";
import { CPU_OFFLOAD_MIN_SAMPLES, nodeCpuProfile, offloadsCpuProfile } from "./cpu.ts";
import { workerCpuProfiler } from "./cpu_offload.ts";

const skip = detectRuntime() !== "node" && "Node adapter test (the worker profiles the main thread through connectToMainThread)";
const never = new AbortController().signal;

describe("offloadsCpuProfile()", () => {
  it("offloadsCpuProfile() sends profiles of CPU_OFFLOAD_MIN_SAMPLES samples or more to a worker when auto", () => {
    assert.equal(CPU_OFFLOAD_MIN_SAMPLES, 5_000);
    assert.equal(offloadsCpuProfile("auto", 5_000, 10_000), false, "the default bundle (500 samples)");
    assert.equal(offloadsCpuProfile("auto", 49_990, 10_000), false, "4 999 samples");
    assert.equal(offloadsCpuProfile("auto", 50_000, 10_000), true, "5 000 samples");
    assert.equal(offloadsCpuProfile("auto", 10_000, 1_000), true, "10 s at 1 ms");
    assert.equal(offloadsCpuProfile(true, 1, 10_000), true);
    assert.equal(offloadsCpuProfile(false, 3_600_000, 100), false);
  });
});

describe("nodeCpuProfile()", { skip }, () => {
  /** Runs a short profile and counts the worker threads it started. */
  async function workersStarted(offload: boolean | "auto" | undefined): Promise<number> {
    let started = 0;
    const count = () => void started++;
    process.on("worker", count);
    try {
      const r = await nodeCpuProfile({ durationMs: 100, byteTarget: 0, signal: never, offload });
      assert.ok(r.ok, !r.ok ? r.skipped : "");
    } finally {
      process.off("worker", count);
    }
    return started;
  }

  it("nodeCpuProfile() records a short profile in this thread by default and in a worker when told", async () => {
    assert.equal(await workersStarted(undefined), 0);
    assert.equal(await workersStarted("auto"), 0);
    assert.equal(await workersStarted(false), 0);
    assert.equal(await workersStarted(true), 1);
  });
});

describe("captureCpuProfile() collectGarbageFirst", { skip }, () => {
  /**
   * Runs a short profile (in this thread, or in a worker) and counts this
   * thread's full GCs that began before the profiler ran.
   */
  async function majorGcsBeforeStart(collect: boolean, inWorker: boolean): Promise<{ gcs: number; asked: number }> {
    const starts: number[] = [];
    let asked = 0;
    let startedAt = Infinity;
    const observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        const kind = (e as unknown as { detail?: { kind?: number } }).detail?.kind;
        if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) starts.push(e.startTime);
      }
    });
    observer.observe({ entryTypes: ["gc"] });
    try {
      const r = await captureCpuProfile({
        durationMs: 100,
        byteTarget: 0,
        signal: never,
        collectGarbageFirst: () => (asked++, collect),
        onStarted: () => (startedAt = performance.now()),
        remote: inWorker ? workerCpuProfiler() : undefined,
      });
      assert.ok(r.ok, !r.ok ? r.skipped : "");
      assert.ok(startedAt < Infinity, "onStarted was called");
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      observer.disconnect();
    }
    return { gcs: starts.filter((t) => t < startedAt).length, asked };
  }

  for (const inWorker of [false, true]) {
    const where = inWorker ? "a worker" : "this thread";
    it(`captureCpuProfile() in ${where} runs a full GC before the profile only when collectGarbageFirst says so`, async () => {
      const yes = await majorGcsBeforeStart(true, inWorker);
      assert.equal(yes.asked, 1);
      assert.ok(yes.gcs >= 1, `full GCs before the start: ${yes.gcs}`);
      const no = await majorGcsBeforeStart(false, inWorker);
      assert.equal(no.asked, 1);
      assert.equal(no.gcs, 0);
    });
  }
});
