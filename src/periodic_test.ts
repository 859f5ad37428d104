import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Meta } from "./types.ts";
import { CaptureBusyError } from "./errors.ts";
import { type CollectFn, type PeriodicCollectOptions, PERIODIC_COUNTERS, startPeriodic, type Timers } from "./periodic.ts";

/** Manual timers: `fire()` runs the pending callback. */
class FakeTimers implements Timers {
  pending: { fn: () => void; ms: number; id: number } | undefined;
  delays: number[] = [];
  #next = 1;
  set(fn: () => void, ms: number): unknown {
    assert.equal(this.pending, undefined, "only one timer at a time");
    this.delays.push(ms);
    this.pending = { fn, ms, id: this.#next++ };
    return this.pending.id;
  }
  clear(handle: unknown): void {
    if (this.pending?.id === handle) this.pending = undefined;
  }
  fire(): void {
    const p = this.pending;
    assert.ok(p, "no timer pending");
    this.pending = undefined;
    p.fn();
  }
}

function meta(n: number): Meta {
  return {
    format_version: 1,
    main: "app",
    revision: "1",
    runtime: "node",
    runtime_version: "v24.0.0",
    hostname: "h",
    proc_id: "p",
    init_time: "2026-11-25T01:00:00.000Z",
    capture_time: `2026-11-25T02:00:0${n}.000Z`,
    capabilities: {},
  };
}

/** Resolves after queued promise callbacks have run. */
const settle = () => new Promise((r) => setTimeout(r, 0));

/** A collect whose timed captures run until aborted, or `release()`d. */
function controllableCollect() {
  const calls: PeriodicCollectOptions[] = [];
  let releases: (() => void)[] = [];
  const collect: CollectFn = async (options) => {
    calls.push(options);
    const n = calls.length;
    if ((options.cpuProfileDuration ?? 0) > 0 || (options.traceDuration ?? 0) > 0) {
      await new Promise<void>((resolve) => {
        releases.push(resolve);
        options.signal?.addEventListener("abort", () => resolve(), { once: true });
      });
    }
    return { meta: meta(n), bytes: new Uint8Array([n]) };
  };
  return {
    collect,
    calls,
    release() {
      const r = releases;
      releases = [];
      for (const f of r) f();
    },
  };
}

function counter() {
  const counts: Record<string, number> = {};
  return { counts, count: (name: string, n: number) => void (counts[name] = (counts[name] ?? 0) + n) };
}

describe("startPeriodic", () => {
  it("startPeriodic() follows the schedule: a light first bundle, then CPU profiles", async () => {
    const timers = new FakeTimers();
    const { collect, calls, release } = controllableCollect();
    const stored: Meta[] = [];
    const handle = startPeriodic({
      collect,
      sink: (m) => (stored.push(m), Promise.resolve()),
      timers,
      schedule: { intervalMs: 60_000, random: () => 0.5, traceDuration: 0 },
      meta: { main: "svc" },
    });
    assert.deepEqual(timers.delays, [30_000]);
    timers.fire();
    await settle();
    assert.equal(calls[0]!.cpuProfileDuration, 0);
    assert.equal(calls[0]!.ifBusy, "reject");
    assert.deepEqual(calls[0]!.meta, { main: "svc" });
    assert.equal(stored.length, 1);
    assert.deepEqual(timers.delays, [30_000, 54_000]);
    timers.fire();
    await settle();
    assert.equal(calls[1]!.cpuProfileDuration, 5000);
    assert.equal(calls[1]!.cpuProfileByteTarget, 1_000_000);
    // The next wait starts only when this bundle is done.
    assert.equal(timers.pending, undefined);
    release();
    await settle();
    assert.equal(stored.length, 2);
    assert.ok(timers.pending);
    await handle.stop();
  });

  it("startPeriodic() arms the next timer only after the bundle is stored", async () => {
    const timers = new FakeTimers();
    let finishStore!: () => void;
    const handle = startPeriodic({
      collect: () => Promise.resolve({ meta: meta(1), bytes: new Uint8Array(1) }),
      sink: () => new Promise((r) => (finishStore = () => r())),
      timers,
    });
    timers.fire();
    await settle();
    assert.equal(timers.pending, undefined);
    finishStore();
    await settle();
    assert.ok(timers.pending);
    await handle.stop();
  });

  it("stop() abandons a bundle in progress: its captures are aborted and it is not stored", async () => {
    const timers = new FakeTimers();
    const { collect, calls } = controllableCollect();
    const stored: Meta[] = [];
    const { counts, count } = counter();
    const handle = startPeriodic({
      collect,
      sink: (m) => (stored.push(m), Promise.resolve()),
      timers,
      count,
      schedule: { random: () => 0 },
    });
    timers.fire();
    await settle();
    timers.fire();
    await settle();
    const signal = calls[1]!.signal!;
    assert.equal(signal.aborted, false);
    await handle.stop();
    assert.equal(signal.aborted, true);
    assert.equal(stored.length, 1);
    assert.equal(counts[PERIODIC_COUNTERS.abandoned], 1);
    assert.equal(timers.pending, undefined);
    assert.equal(handle.running, false);
    await handle.stop();
  });

  it("stop() cancels the pending timer so no bundle starts", async () => {
    const timers = new FakeTimers();
    const { collect, calls } = controllableCollect();
    const handle = startPeriodic({ collect, sink: async () => {}, timers });
    assert.ok(timers.pending);
    await handle.stop();
    assert.equal(timers.pending, undefined);
    assert.equal(calls.length, 0);
  });

  it("flush() cuts a periodic CPU profile short, stores it, then stores its own bundle", async () => {
    const timers = new FakeTimers();
    const { collect, calls } = controllableCollect();
    const stored: string[] = [];
    const handle = startPeriodic({
      collect,
      sink: (m) => Promise.resolve({ location: `mem:${m.capture_time}`, key: m.capture_time }),
      onStored: (r) => stored.push(r!.location),
      timers,
      schedule: { random: () => 0 },
    });
    timers.fire();
    await settle();
    timers.fire();
    await settle();
    const result = await handle.flush();
    assert.equal(calls[1]!.signal!.aborted, true);
    assert.equal(calls[2]!.cpuProfileDuration, 0);
    assert.equal(calls[2]!.ifBusy, "wait");
    assert.ok(result.ok);
    assert.deepEqual(result.stored, { location: "mem:2026-11-25T02:00:03.000Z", key: "2026-11-25T02:00:03.000Z" });
    await settle();
    // The cut-short periodic bundle (02) is stored too, not abandoned.
    assert.deepEqual(stored.sort(), [
      "mem:2026-11-25T02:00:01.000Z",
      "mem:2026-11-25T02:00:02.000Z",
      "mem:2026-11-25T02:00:03.000Z",
    ]);
    await handle.stop();
  });

  it("flush() works after stop() and with periodic bundles off", async () => {
    const timers = new FakeTimers();
    const { collect } = controllableCollect();
    const stored: Meta[] = [];
    const handle = startPeriodic({ collect, sink: (m) => (stored.push(m), Promise.resolve()), timers, schedule: false });
    assert.equal(timers.pending, undefined);
    await handle.stop();
    const result = await handle.flush();
    assert.ok(result.ok);
    assert.equal(stored.length, 1);
  });

  it("startPeriodic() reports collect and store failures to onError and keeps going", async () => {
    const timers = new FakeTimers();
    const errors: string[] = [];
    const { counts, count } = counter();
    let n = 0;
    const handle = startPeriodic({
      collect: () => {
        n++;
        if (n === 1) return Promise.reject(new Error("heap profiler crashed"));
        return Promise.resolve({ meta: meta(n), bytes: new Uint8Array(1) });
      },
      sink: () => Promise.reject(new Error("disk full")),
      onError: (e, ctx) => {
        errors.push(`${ctx.phase}: ${(e as Error).message}${ctx.meta ? ` @${ctx.meta.capture_time}` : ""}`);
        throw new Error("a broken hook must not matter");
      },
      timers,
      count,
    });
    timers.fire();
    await settle();
    timers.fire();
    await settle();
    assert.deepEqual(errors, ["collect: heap profiler crashed", "store: disk full @2026-11-25T02:00:02.000Z"]);
    assert.equal(counts[PERIODIC_COUNTERS.collectErrors], 1);
    assert.equal(counts[PERIODIC_COUNTERS.storeErrors], 1);
    assert.ok(timers.pending, "still scheduled after failures");
    const flushed = await handle.flush();
    assert.equal(flushed.ok, false);
    assert.equal(errors.length, 3);
    await handle.stop();
  });

  it("startPeriodic() skips a tick when another capture holds the lock", async () => {
    const timers = new FakeTimers();
    const errors: unknown[] = [];
    const { counts, count } = counter();
    const handle = startPeriodic({
      collect: () => Promise.reject(new CaptureBusyError()),
      sink: async () => {},
      onError: (e) => errors.push(e),
      timers,
      count,
    });
    timers.fire();
    await settle();
    assert.equal(counts[PERIODIC_COUNTERS.skippedBusy], 1);
    assert.deepEqual(errors, []);
    assert.ok(timers.pending);
    await handle.stop();
  });

  it("startPeriodic() never runs two bundles at once", async () => {
    const timers = new FakeTimers();
    let active = 0;
    let maxActive = 0;
    const handle = startPeriodic({
      collect: async () => {
        active++;
        maxActive = Math.max(maxActive, active);
        await settle();
        active--;
        return { meta: meta(1), bytes: new Uint8Array(1) };
      },
      sink: async () => {},
      timers,
    });
    for (let i = 0; i < 5; i++) {
      timers.fire();
      await new Promise((r) => setTimeout(r, 5));
    }
    assert.equal(maxActive, 1);
    await handle.stop();
  });
});
