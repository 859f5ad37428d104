import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { decodeProfile } from "../../src/pprof/encode.ts";
import { gunzip } from "../../src/gzip.ts";
import { resolve } from "../../tests/fixtures/pprof/helpers.ts";
import { captureCpuProfile } from "../_inspector/cpu_capture.ts";
import { detectRuntime } from "../detect.ts";
import { workerCpuProfiler } from "./cpu_offload.ts";

const skip = detectRuntime() !== "node" && "Node adapter test (connectToMainThread: Deno has none, Bun's profiles the worker)";
const never = new AbortController().signal;

function spinForCpuOffloadTest(ms: number): number {
  const end = Date.now() + ms;
  let x = 0;
  while (Date.now() < end) x += Math.sqrt(x + 1);
  return x;
}

/**
 * Burns CPU on this (the main) thread in slices, so timers still fire. The
 * optimizer may inline the spinner into the loop: both names count.
 */
function keepBusy(): () => void {
  let stopped = false;
  const burnLoopForCpuOffloadTest = (): void => {
    if (stopped) return;
    spinForCpuOffloadTest(4);
    setTimeout(burnLoopForCpuOffloadTest, 0);
  };
  burnLoopForCpuOffloadTest();
  return () => void (stopped = true);
}

function burned(names: Set<string>): boolean {
  return names.has("spinForCpuOffloadTest") || names.has("burnLoopForCpuOffloadTest");
}

async function leafNames(gz: Uint8Array): Promise<Set<string>> {
  return new Set(resolve(decodeProfile(await gunzip(gz))).flatMap((s) => s.frames));
}

describe("workerCpuProfiler()", { skip }, () => {
  it("workerCpuProfiler() profiles the main thread from a worker", async () => {
    const stop = keepBusy();
    try {
      const result = await workerCpuProfiler()({ durationMs: 400, byteTarget: 0, signal: never, intervalMicros: 1000 });
      assert.ok(result !== undefined, "the worker could not profile");
      assert.ok(result.ok, !result.ok ? result.skipped : "");
      const names = await leafNames(result.data);
      assert.ok(burned(names), [...names].join(", "));
    } finally {
      stop();
    }
  });

  it("workerCpuProfiler() reports when it started, then ends early on abort", async () => {
    const stop = keepBusy();
    const abort = new AbortController();
    let startedAt = 0;
    const began = performance.now();
    try {
      const result = await workerCpuProfiler()({
        durationMs: 60_000,
        byteTarget: 0,
        signal: abort.signal,
        intervalMicros: 1000,
        onStarted: () => {
          startedAt = performance.now();
          setTimeout(() => abort.abort(), 200);
        },
      });
      assert.ok(startedAt > 0, "onStarted was not called");
      assert.ok(result?.ok, result && !result.ok ? result.skipped : "no result");
      const p = decodeProfile(await gunzip(result.data));
      assert.ok(p.durationNanos < 10_000_000_000n, `duration ${p.durationNanos} ns`);
      assert.ok(performance.now() - began < 20_000);
    } finally {
      stop();
    }
  });

  it("workerCpuProfiler() resolves undefined when its worker script cannot load", async () => {
    const remote = workerCpuProfiler({ url: new URL("./no_such_cpu_worker.js", import.meta.url) });
    const result = await remote({ durationMs: 200, byteTarget: 0, signal: never, intervalMicros: 10_000 });
    assert.equal(result, undefined);
  });

  it("captureCpuProfile() records in this thread when the worker cannot", async () => {
    const stop = keepBusy();
    try {
      const remote = workerCpuProfiler({ url: new URL("./no_such_cpu_worker.js", import.meta.url) });
      const result = await captureCpuProfile({ durationMs: 300, byteTarget: 0, signal: never, remote, samplingIntervalMicros: 1000 });
      assert.ok(result.ok, !result.ok ? result.skipped : "");
      const names = await leafNames(result.data);
      assert.ok(burned(names), [...names].join(", "));
    } finally {
      stop();
    }
  });
});
