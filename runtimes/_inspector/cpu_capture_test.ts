import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { decodeProfile } from "../../src/pprof/encode.ts";
import { gunzip } from "../../src/gzip.ts";
import type { Profile } from "../../src/pprof/profile_pb.ts";
import { resolve } from "../../tests/fixtures/pprof/helpers.ts";
import { captureCpuProfile } from "./cpu_capture.ts";
import { inspectorRegistry } from "./registry.ts";
import { InspectorSession } from "./session.ts";
import { detectRuntime } from "../detect.ts";

/**
 * Burns CPU in small slices so timers (the capture's own) still fire.
 * Deno and Bun inline `fn` into its caller without an inlined frame, so
 * the caller has a distinctive name too ({@linkcode BURNERS}).
 */
function keepBusy(fn: (ms: number) => number): () => void {
  let stopped = false;
  const burnLoopForCpuCaptureTest = (): void => {
    if (stopped) return;
    fn(4);
    setTimeout(burnLoopForCpuCaptureTest, 0);
  };
  burnLoopForCpuCaptureTest();
  return () => void (stopped = true);
}

const BURNERS = ["spinForCpuCaptureTest", "burnLoopForCpuCaptureTest"];

function burned(p: Profile): boolean {
  const names = leafNames(p);
  return BURNERS.some((name) => names.has(name));
}

function spinForCpuCaptureTest(ms: number): number {
  const end = Date.now() + ms;
  let x = 0;
  while (Date.now() < end) x += Math.sqrt(x + 1);
  return x;
}

async function decode(gz: Uint8Array): Promise<Profile> {
  return decodeProfile(await gunzip(gz));
}

function leafNames(p: Profile): Set<string> {
  return new Set(resolve(p).flatMap((s) => s.frames));
}

const never = new AbortController().signal;

describe("captureCpuProfile()", () => {
  it("captureCpuProfile() records the function that burned CPU, with wall-clock time", async () => {
    const before = BigInt(Date.now()) * 1_000_000n;
    const stop = keepBusy(spinForCpuCaptureTest);
    try {
      const result = await captureCpuProfile({ durationMs: 300, byteTarget: 0, signal: never });
      assert.ok(result.ok, !result.ok ? result.skipped : "");
      const p = await decode(result.data);
      assert.ok(burned(p), [...leafNames(p)].join(", "));
      assert.ok(p.timeNanos >= before - 1_000_000n && p.timeNanos <= BigInt(Date.now()) * 1_000_000n);
      assert.ok(p.durationNanos > 0n);
    } finally {
      stop();
    }
  });

  it("captureCpuProfile() stops early at a tiny byte target", async () => {
    const stop = keepBusy(spinForCpuCaptureTest);
    try {
      const durationMs = 20_000;
      const result = await captureCpuProfile({ durationMs, byteTarget: 1, signal: never });
      assert.ok(result.ok);
      const p = await decode(result.data);
      assert.ok(p.durationNanos < BigInt(durationMs) * 1_000_000n / 2n, `duration ${p.durationNanos} ns`);
      assert.ok(burned(p), [...leafNames(p)].join(", "));
    } finally {
      stop();
    }
  });

  it("captureCpuProfile() joins its checkpoint segments into one profile", async () => {
    const stop = keepBusy(spinForCpuCaptureTest);
    try {
      // 20 kB could be reached after 1 s at 200 B/sample and 100 Hz: the
      // first checkpoint comes then, but the real profile is far smaller.
      const result = await captureCpuProfile({ durationMs: 1_600, byteTarget: 20_000, signal: never });
      assert.ok(result.ok);
      const p = await decode(result.data);
      assert.ok(p.durationNanos >= 1_500_000_000n, `duration ${p.durationNanos} ns`);
      assert.ok(burned(p), [...leafNames(p)].join(", "));
    } finally {
      stop();
    }
  });

  it("captureCpuProfile() returns a valid profile when the signal aborts", async () => {
    const stop = keepBusy(spinForCpuCaptureTest);
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), 300);
    try {
      const durationMs = 10_000;
      const result = await captureCpuProfile({ durationMs, byteTarget: 0, signal: abort.signal });
      assert.ok(result.ok);
      const p = await decode(result.data);
      assert.ok(p.durationNanos < BigInt(durationMs) * 1_000_000n / 2n, `duration ${p.durationNanos} ns`);
      assert.ok(p.sample.length > 0);
    } finally {
      clearTimeout(timer);
      stop();
    }
  });

  it("captureCpuProfile() skips while another session profiles, and that profile stays whole", async () => {
    // Opening a session of ours installs the session watch first.
    const ours = await InspectorSession.open();
    assert.ok(ours.ok);
    ours.session.disconnect();
    const { Session } = await import("node:inspector");
    const other = new Session();
    other.connect();
    const post = (method: string, params: object = {}) =>
      new Promise<any>((res, rej) => other.post(method as "Profiler.enable", params, (e, r) => (e ? rej(e) : res(r))));
    const stop = keepBusy(spinForCpuCaptureTest);
    try {
      await post("Profiler.enable");
      await post("Profiler.setSamplingInterval", { interval: 1000 });
      await post("Profiler.start");
      const started = performance.now();
      await new Promise((r) => setTimeout(r, 100));
      const result = await captureCpuProfile({ durationMs: 200, byteTarget: 0, signal: never });
      assert.equal(result.ok, false);
      assert.match(!result.ok ? result.skipped : "", /another inspector session/);
      await new Promise((r) => setTimeout(r, 100));
      const { profile } = await post("Profiler.stop");
      const elapsed = performance.now() - started;
      // Samples cover the whole time the other profile ran, before and after our attempt.
      const sum = (profile.timeDeltas as number[]).reduce((a, b) => a + b, 0) / 1000;
      assert.ok(sum >= elapsed * 0.8, `samples cover ${sum} of ${elapsed} ms`);
    } finally {
      stop();
      other.disconnect();
    }
    assert.equal(inspectorRegistry().profilingSessions.size, 0, "disconnect forgets the session");
  });

  it("a profile autoprof cannot see (started before the watch) is not disturbed by ours", async () => {
    const { Session } = await import("node:inspector");
    const other = new Session();
    // Pretend the watch missed it: it is then invisible, like a session
    // started before autoprof was loaded.
    inspectorRegistry().ours.add(other);
    other.connect();
    const post = (method: string, params: object = {}) =>
      new Promise<any>((res, rej) => other.post(method as "Profiler.enable", params, (e, r) => (e ? rej(e) : res(r))));
    const stop = keepBusy(spinForCpuCaptureTest);
    try {
      await post("Profiler.enable");
      await post("Profiler.setSamplingInterval", { interval: 1000 });
      await post("Profiler.start");
      const started = performance.now();
      const result = await captureCpuProfile({ durationMs: 200, byteTarget: 0, signal: never });
      if (detectRuntime() === "bun") {
        // JavaScriptCore has one profiler per VM: ours is refused, and skipped.
        assert.match(!result.ok ? result.skipped : "", /refused to start/);
      } else {
        // V8 gives each session its own profiler: ours runs alongside.
        assert.ok(result.ok, !result.ok ? result.skipped : "");
      }
      await new Promise((r) => setTimeout(r, 100));
      const { profile } = await post("Profiler.stop");
      const elapsed = performance.now() - started;
      const sum = (profile.timeDeltas as number[]).reduce((a, b) => a + b, 0) / 1000;
      // The other profile kept sampling through our start and stop.
      assert.ok(sum >= elapsed * 0.8, `samples cover ${sum} of ${elapsed} ms`);
      const names = new Set((profile.nodes as { callFrame: { functionName: string } }[]).map((n) => n.callFrame.functionName));
      assert.ok(BURNERS.some((name) => names.has(name)));
    } finally {
      stop();
      other.disconnect();
    }
  });
});
