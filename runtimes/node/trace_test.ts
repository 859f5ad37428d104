import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as traceEvents from "node:trace_events";
import { withTraceEvents } from "./_testing.ts";
import { decodeProfile } from "../../src/pprof/encode.ts";
import { gunzip } from "../../src/gzip.ts";
import type { ChromeTraceEvent } from "../../src/pprof/cdp_types.ts";
import { resolve } from "../../tests/fixtures/pprof/helpers.ts";
import { detectRuntime } from "../detect.ts";
import { captureNodeTrace } from "./trace.ts";
import { nodeBusyFacts } from "./facts.ts";

const skip = detectRuntime() !== "node" && "Node adapter test";
const never = new AbortController().signal;

function spinForTraceTest(ms: number): number {
  const end = Date.now() + ms;
  let x = 0;
  while (Date.now() < end) x += Math.sqrt(x + 1);
  return x;
}

/** Keeps the loop busy with CPU and async work until stopped. */
function keepBusy(): () => void {
  let stopped = false;
  const burnLoopForTraceTest = async (): Promise<void> => {
    while (!stopped) {
      spinForTraceTest(3);
      await new Promise((r) => setTimeout(r, 1));
    }
  };
  void burnLoopForTraceTest();
  return () => void (stopped = true);
}

async function events(gz: Uint8Array): Promise<ChromeTraceEvent[]> {
  const doc = JSON.parse(new TextDecoder().decode(await gunzip(gz)));
  assert.ok(Array.isArray(doc.traceEvents), "traceEvents is an array");
  return doc.traceEvents;
}

/**
 * Time covered by the events with timestamps, in ms. Metadata events
 * (`ph: "M"`: process and thread names, versions) are left out: Node 22+
 * stamps them with the time its tracing agent first started, which in a
 * process that traced before is long before this trace.
 */
function spanMs(list: ChromeTraceEvent[]): number {
  let min = Infinity;
  let max = -Infinity;
  for (const e of list) {
    if (typeof e.ts !== "number" || e.ts <= 0 || e.ph === "M") continue;
    min = Math.min(min, e.ts);
    max = Math.max(max, e.ts);
  }
  return (max - min) / 1000;
}

describe("captureNodeTrace()", { skip }, () => {
  it("captureNodeTrace() returns a Chrome trace with CPU samples and the profile during the trace", async () => {
    const stop = keepBusy();
    try {
      const result = await captureNodeTrace({ durationMs: 300, byteTarget: 0, withCpuProfile: true, signal: never, busy: nodeBusyFacts() });
      assert.ok(result.ok, !result.ok ? result.skipped : "");
      const list = await events(result.data);
      assert.ok(list.some((e) => e.name === "Profile"), "Profile event");
      assert.ok(list.some((e) => e.name === "ProfileChunk"), "ProfileChunk events");
      assert.ok(list.some((e) => e.cat === "__metadata" && e.name === "process_name"), "metadata events");
      assert.equal(result.profileDuringTraceSkipped, undefined);
      assert.ok(result.profileDuringTrace !== undefined);
      const p = decodeProfile(await gunzip(result.profileDuringTrace));
      const names = new Set(resolve(p).flatMap((s) => s.frames));
      // V8 may inline the spin into its caller (without an inlined frame).
      assert.ok(names.has("spinForTraceTest") || names.has("burnLoopForTraceTest"), [...names].join(", "));
      assert.ok(p.timeNanos > 0n && p.durationNanos > 0n);
    } finally {
      stop();
    }
  });

  it("captureNodeTrace() without withCpuProfile records no CPU samples", async () => {
    const result = await captureNodeTrace({ durationMs: 100, byteTarget: 0, withCpuProfile: false, signal: never });
    assert.ok(result.ok);
    assert.equal(result.profileDuringTrace, undefined);
    assert.ok(!(await events(result.data)).some((e) => e.name === "ProfileChunk"));
  });

  it("captureNodeTrace() skips while trace_events tracing is enabled, and leaves it enabled", async () => {
    await withTraceEvents(["node.perf"], async (tracing) => {
      const result = await captureNodeTrace({ durationMs: 100, byteTarget: 0, withCpuProfile: true, signal: never, busy: nodeBusyFacts() });
      assert.equal(result.ok, false);
      assert.match(!result.ok ? result.skipped : "", /node\.perf/);
      assert.equal(tracing.enabled, true);
      assert.equal(traceEvents.getEnabledCategories(), "node.perf");
    });
  });

  it("captureNodeTrace() leaves out the CPU samples while another CPU profile runs", async () => {
    const { Session } = await import("node:inspector");
    // Open (and drop) a session through autoprof first: installs the watch.
    await captureNodeTrace({ durationMs: 1, byteTarget: 0, withCpuProfile: false, signal: never });
    const other = new Session();
    other.connect();
    const post = (method: string) =>
      new Promise<any>((res, rej) => other.post(method as "Profiler.enable", (e: unknown, r?: unknown) => (e ? rej(e) : res(r))));
    try {
      await post("Profiler.enable");
      await post("Profiler.start");
      const result = await captureNodeTrace({ durationMs: 100, byteTarget: 0, withCpuProfile: true, signal: never, busy: nodeBusyFacts() });
      assert.ok(result.ok, !result.ok ? result.skipped : "");
      assert.equal(result.profileDuringTrace, undefined);
      assert.match(result.profileDuringTraceSkipped ?? "", /another inspector session/);
      assert.ok(!(await events(result.data)).some((e) => e.name === "ProfileChunk"));
      const { profile } = await post("Profiler.stop");
      assert.ok(profile.samples.length > 0, "the other profile is intact");
    } finally {
      other.disconnect();
    }
  });

  it("captureNodeTrace() stops at the first full buffer of events when the byte target is tiny", async () => {
    // Node hands trace data over when its 65 536-event buffer fills; lots
    // of async_hooks events fill it quickly.
    let stopped = false;
    const churn = (async () => {
      // About 20 000 events per second: a buffer fills in a few seconds.
      // (Far higher rates can crash Node at stop: see trace.ts.)
      while (!stopped) {
        for (let i = 0; i < 100; i++) await Promise.resolve(i);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    try {
      const durationMs = 30_000;
      const result = await captureNodeTrace({
        durationMs,
        byteTarget: 1,
        withCpuProfile: false,
        signal: never,
        categories: ["node.async_hooks"],
      });
      assert.ok(result.ok);
      const list = await events(result.data);
      assert.ok(list.length > 65_536 / 2, `${list.length} events`);
      assert.ok(spanMs(list) < durationMs / 2, `trace spans ${spanMs(list)} ms`);
    } finally {
      stopped = true;
      await churn;
    }
  });

  it("captureNodeTrace() returns a valid trace when the signal aborts", async () => {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), 300);
    try {
      const durationMs = 10_000;
      const result = await captureNodeTrace({ durationMs, byteTarget: 0, withCpuProfile: true, signal: abort.signal });
      assert.ok(result.ok);
      assert.ok(spanMs(await events(result.data)) < durationMs / 2);
      assert.ok(result.profileDuringTrace !== undefined);
    } finally {
      clearTimeout(timer);
    }
  });

  it("captureNodeTrace() leaves no tracing enabled behind", async () => {
    await captureNodeTrace({ durationMs: 50, byteTarget: 0, withCpuProfile: true, signal: never });
    assert.equal(traceEvents.getEnabledCategories(), undefined);
  });
});
