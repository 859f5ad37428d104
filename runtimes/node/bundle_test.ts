import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:net";
import * as traceEvents from "node:trace_events";
import { withTraceEvents } from "./_testing.ts";
import { collect, readBundle } from "../../mod.ts";
import { decodeProfile } from "../../src/pprof/encode.ts";
import { gunzip } from "../../src/gzip.ts";
import type { Profile } from "../../src/pprof/profile_pb.ts";
import { goToolPprofRaw, resolve } from "../../tests/fixtures/pprof/helpers.ts";
import { detectRuntime } from "../detect.ts";

const skip = detectRuntime() !== "node" && "Node adapter test";

let retained: object[] = [];

function retainForBundleTest(): void {
  for (let i = 0; i < 150_000; i++) retained.push({ i, text: `kept ${i}` });
}

function spinForBundleTest(ms: number): number {
  const end = Date.now() + ms;
  let x = 0;
  while (Date.now() < end) x += Math.sqrt(x + 1);
  return x;
}

/** Burns CPU in slices (so the capture's timers still fire) until stopped. */
function keepBusy(): () => void {
  let stopped = false;
  const burnLoopForBundleTest = (): void => {
    if (stopped) return;
    spinForBundleTest(4);
    setTimeout(burnLoopForBundleTest, 0);
  };
  burnLoopForBundleTest();
  return () => void (stopped = true);
}
const BURNERS = ["spinForBundleTest", "burnLoopForBundleTest"];

async function pprof(bytes: Uint8Array | undefined, entry: string): Promise<Profile> {
  assert.ok(bytes !== undefined, `${entry} is present`);
  return decodeProfile(await gunzip(bytes));
}

function functionNames(p: Profile): Set<string> {
  return new Set(resolve(p).flatMap((s) => s.frames));
}

describe("collect() on Node", { skip }, () => {
  it("collect() bundles heap, allocs, resources, profile, trace and profile-during-trace, in order", async () => {
    retainForBundleTest();
    const server: Server = createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const stop = keepBusy();
    let bytes: Uint8Array;
    try {
      bytes = await collect({ cpuProfileDuration: 300, traceDuration: 300 });
    } finally {
      stop();
      server.close();
    }
    const bundle = readBundle(bytes);
    assert.deepEqual(bundle.names, [
      "meta",
      "expvar",
      "pprof/heap",
      "pprof/allocs",
      "pprof/resources",
      "pprof/profile",
      "pprof/trace",
      "pprof/profile-during-trace",
    ]);
    assert.equal(bundle.meta.runtime, "node");
    assert.equal(bundle.meta.skipped, undefined, JSON.stringify(bundle.meta.skipped));
    assert.equal(bundle.meta.errors, undefined, JSON.stringify(bundle.meta.errors));

    // Every pprof entry is read by go tool pprof.
    for (const name of bundle.names.filter((n) => n.startsWith("pprof/") && n !== "pprof/trace")) {
      const raw = goToolPprofRaw(bundle.entries.get(name)!);
      assert.match(raw, /Samples:/, `${name} parses`);
    }

    const heap = await pprof(bundle.entries.get("pprof/heap"), "pprof/heap");
    assert.ok(functionNames(heap).has("retainForBundleTest"), "heap shows the retaining function");
    const allocs = await pprof(bundle.entries.get("pprof/allocs"), "pprof/allocs");
    assert.ok(functionNames(allocs).has("retainForBundleTest"), "allocs show the retaining function");
    const resources = await pprof(bundle.entries.get("pprof/resources"), "pprof/resources");
    assert.ok(functionNames(resources).has("TCPServerWrap"), [...functionNames(resources)].join(", "));

    const cpu = await pprof(bundle.entries.get("pprof/profile"), "pprof/profile");
    assert.ok(BURNERS.some((n) => functionNames(cpu).has(n)), [...functionNames(cpu)].join(", "));
    const during = await pprof(bundle.entries.get("pprof/profile-during-trace"), "pprof/profile-during-trace");
    assert.ok(during.sample.length > 0);

    const trace = JSON.parse(new TextDecoder().decode(await gunzip(bundle.entries.get("pprof/trace")!)));
    assert.ok(Array.isArray(trace.traceEvents));
    assert.ok(trace.traceEvents.some((e: { name?: string }) => e.name === "ProfileChunk"), "CPU profile events");

    const expvar = JSON.parse(new TextDecoder().decode(bundle.entries.get("expvar")));
    assert.equal(typeof expvar.runtime?.memory?.heapUsed, "number");
    retained = [];
  });

  it("collect() ends a 10 s CPU profile early on abort and still returns a valid bundle", async () => {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), 300);
    const stop = keepBusy();
    try {
      const bundle = readBundle(await collect({ cpuProfileDuration: 10_000, signal: abort.signal }));
      const cpu = await pprof(bundle.entries.get("pprof/profile"), "pprof/profile");
      assert.ok(cpu.durationNanos < 5_000_000_000n, `profile lasted ${cpu.durationNanos} ns`);
      assert.ok(bundle.names.includes("pprof/heap"));
    } finally {
      clearTimeout(timer);
      stop();
    }
  });

  it("collect() stops the CPU profile early at a tiny byte target", async () => {
    const stop = keepBusy();
    try {
      const bundle = readBundle(await collect({ cpuProfileDuration: 10_000, cpuProfileByteTarget: 1 }));
      const cpu = await pprof(bundle.entries.get("pprof/profile"), "pprof/profile");
      assert.ok(cpu.durationNanos < 5_000_000_000n, `profile lasted ${cpu.durationNanos} ns`);
    } finally {
      stop();
    }
  });

  it("collect() skips CPU when another inspector session profiles, and leaves that profile whole", async () => {
    const { Session } = await import("node:inspector");
    const other = new Session();
    other.connect();
    const post = (method: string) =>
      new Promise<any>((res, rej) => other.post(method as "Profiler.enable", (e: unknown, r?: unknown) => (e ? rej(e) : res(r))));
    const stop = keepBusy();
    try {
      await post("Profiler.enable");
      await post("Profiler.start");
      const started = performance.now();
      const bundle = readBundle(await collect({ cpuProfileDuration: 200, traceDuration: 200 }));
      assert.match(bundle.meta.skipped?.cpu ?? "", /another inspector session/);
      assert.match(bundle.meta.skipped?.profile_during_trace ?? "", /another inspector session/);
      assert.ok(!bundle.names.includes("pprof/profile"));
      assert.ok(bundle.names.includes("pprof/trace"), "the trace itself is taken");
      const { profile } = await post("Profiler.stop");
      const elapsed = performance.now() - started;
      const covered = (profile.timeDeltas as number[]).reduce((a, b) => a + b, 0) / 1000;
      assert.ok(covered >= elapsed * 0.8, `the other profile covers ${covered} of ${elapsed} ms`);
    } finally {
      stop();
      other.disconnect();
    }
  });

  it("collect() skips the trace while trace_events tracing is on, and leaves it on", async () => {
    await withTraceEvents(["node.perf"], async () => {
      const bundle = readBundle(await collect({ cpuProfileDuration: 100, traceDuration: 100 }));
      assert.match(bundle.meta.skipped?.trace ?? "", /tracing is already enabled/);
      assert.ok(!bundle.names.includes("pprof/trace"));
      assert.ok(bundle.names.includes("pprof/profile"), "the CPU profile is taken");
      assert.equal(traceEvents.getEnabledCategories(), "node.perf");
    });
  });
});
