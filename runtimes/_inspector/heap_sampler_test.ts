import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { decodeProfile } from "../../src/pprof/encode.ts";
import { heapProfileToPprof } from "../../src/pprof/messages.ts";
import { resolve } from "../../tests/fixtures/pprof/helpers.ts";
import { detectRuntime } from "../detect.ts";
import { UNSEEN_FRAME } from "./alloc_ledger.ts";
import { HeapSampler, sharedHeapSampler } from "./heap_sampler.ts";

// Bun's inspector has no HeapProfiler domain.
const skip = detectRuntime() === "bun" && "Bun has no HeapProfiler domain";

let retained: unknown[] = [];

function retainForHeapSamplerTest(): void {
  // ~20 MB of small objects: about 40 samples at 512 KiB.
  for (let i = 0; i < 200_000; i++) retained.push({ i, text: `value ${i}`, list: [i, i + 1] });
}

function churnForHeapSamplerTest(): number {
  let n = 0;
  for (let i = 0; i < 200_000; i++) n += JSON.stringify({ i, list: [i, i] }).length;
  return n;
}

/** Bytes by function name anywhere on the stack. */
function bytesBy(p: ReturnType<typeof heapProfileToPprof>, name: string, index = 1): number {
  let sum = 0;
  for (const s of resolve(p)) if (s.frames.includes(name)) sum += s.values[index];
  return sum;
}

describe("HeapSampler on Bun", { skip: !skip && "Bun only" }, () => {
  it("HeapSampler.start() reports that Bun's inspector has no heap sampler", async () => {
    const started = await HeapSampler.start();
    assert.equal(started.ok, false);
  });
});

describe("HeapSampler", { skip }, () => {
  it("HeapSampler snapshots show the function that retained allocations", async () => {
    const started = await sharedHeapSampler();
    assert.ok(started.ok, !started.ok ? started.reason : "");
    retainForHeapSamplerTest();
    const { profile } = await started.sampler.snapshot();
    const p = heapProfileToPprof(profile, { samplingIntervalBytes: started.sampler.samplingIntervalBytes });
    assert.ok(bytesBy(p, "retainForHeapSamplerTest") > 5_000_000, `${bytesBy(p, "retainForHeapSamplerTest")} bytes`);
    retained = [];
  });

  it("HeapSampler.start() attaches to the running sampler without changing its interval", async () => {
    const first = await sharedHeapSampler();
    assert.ok(first.ok);
    const second = await HeapSampler.start({ samplingIntervalBytes: 1024 });
    assert.ok(second.ok, !second.ok ? second.reason : "");
    assert.equal(second.sampler.samplingIntervalBytes, first.sampler.samplingIntervalBytes);
    assert.match(second.sampler.detail, /shared with another autoprof copy/);
  });

  it("HeapSampler.refresh() reuses a young snapshot, snapshot() always takes one, and no profile is kept", async () => {
    const started = await sharedHeapSampler();
    assert.ok(started.ok);
    const sampler = started.sampler;
    const a = await sampler.snapshot();
    assert.deepEqual(sampler.lastSnapshot, { timeNanos: a.timeNanos, takenAt: a.takenAt });
    assert.deepEqual(await sampler.refresh({ maxAgeMs: 60_000 }), { timeNanos: a.timeNanos, takenAt: a.takenAt });
    const b = await sampler.snapshot();
    assert.ok(b.timeNanos > a.timeNanos && b.takenAt > a.takenAt);
    await new Promise((r) => setTimeout(r, 5));
    const c = await sampler.refresh({ maxAgeMs: 1 });
    assert.ok(c.takenAt > b.takenAt, "a snapshot older than maxAgeMs is taken again");
    assert.deepEqual(sampler.lastSnapshot, c);
  });

  it("the allocation ledger keeps collected allocations it saw and counts unseen ones", async () => {
    const started = await sharedHeapSampler();
    assert.ok(started.ok);
    const sampler = started.sampler;
    retainForHeapSamplerTest();
    await sampler.snapshot();
    retained = [];
    churnForHeapSamplerTest();
    const { profile, timeNanos } = await sampler.snapshot();
    // In use: the retained objects are gone (but for a straggler V8 may
    // still hold, such as the array's last backing store).
    const inuse = heapProfileToPprof(profile, { samplingIntervalBytes: sampler.samplingIntervalBytes });
    const inuseBytes = bytesBy(inuse, "retainForHeapSamplerTest");
    // Allocations: still there, by stack; the churn was never seen alive.
    const allocs = decodeProfile(sampler.ledger.toPprofBytes(timeNanos));
    const allocBytes = bytesBy(allocs, "retainForHeapSamplerTest");
    assert.ok(allocBytes > 5_000_000, `${allocBytes} bytes allocated`);
    assert.ok(inuseBytes < allocBytes / 4, `${inuseBytes} of ${allocBytes} bytes still in use`);
    assert.ok(bytesBy(allocs, UNSEEN_FRAME, 0) > 0, "unseen samples are counted");
    const totals = sampler.ledger.totals();
    assert.ok(totals.samples >= totals.unseenSamples + totals.liveSamples);
  });

  it("HeapSampler measures each snapshot and defers the next while its forced GC is not due", async () => {
    // The shared sampler was started through the inspector: reads force a GC.
    const started = await HeapSampler.start({ gcBudget: 1e-6 });
    assert.ok(started.ok, !started.ok ? started.reason : "");
    assert.equal(started.sampler.forcesGc, true);
    await started.sampler.snapshot();
    const reason = started.sampler.deferral();
    assert.match(reason ?? "", /forces a full GC \(the last took \d+ ms; \d+ MiB used now\); the next is due in \d+ s/);
    // A generous budget takes it again at once.
    const generous = await HeapSampler.start({ gcBudget: 1 });
    assert.ok(generous.ok);
    await generous.sampler.snapshot();
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(generous.sampler.deferral(), undefined);
  });

  it("HeapSampler restarts the sampler when other code stops it", async () => {
    const started = await sharedHeapSampler();
    assert.ok(started.ok);
    const { Session } = await import("node:inspector");
    const other = new Session();
    other.connect();
    try {
      await new Promise<void>((res, rej) => other.post("HeapProfiler.stopSampling", (e) => (e ? rej(e) : res())));
    } finally {
      other.disconnect();
    }
    const stoppedAt = BigInt(Date.now() - 1) * 1_000_000n;
    await started.sampler.snapshot(); // finds it stopped, starts it again
    assert.ok(started.sampler.ledger.startNanos >= stoppedAt, "the ledger starts over");
    retainForHeapSamplerTest();
    const { profile } = await started.sampler.snapshot();
    const p = heapProfileToPprof(profile, { samplingIntervalBytes: started.sampler.samplingIntervalBytes });
    assert.ok(bytesBy(p, "retainForHeapSamplerTest") > 5_000_000, "sampling again");
    retained = [];
  });
});
