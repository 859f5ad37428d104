import { test } from "node:test";
import assert from "node:assert/strict";
import { DRIFT_WINDOW, LoopDriftSampler } from "./loop_drift.ts";

/** Manual timers and clock: `fire()` runs the pending timer at the clock's time. */
function fakeClock() {
  let time = 0;
  let pending: (() => void) | undefined;
  let sets = 0;
  return {
    now: () => time,
    advance(ms: number) {
      time += ms;
    },
    fire() {
      const fn = pending;
      pending = undefined;
      fn?.();
    },
    get sets() {
      return sets;
    },
    get pending() {
      return pending !== undefined;
    },
    timers: {
      set(fn: () => void) {
        sets++;
        pending = fn;
        return sets;
      },
      clear() {
        pending = undefined;
      },
    },
  };
}

test("LoopDriftSampler records how late each tick ran beyond the interval", () => {
  const clock = fakeClock();
  const sampler = new LoopDriftSampler({ intervalMs: 10, timers: clock.timers, now: clock.now });
  assert.deepEqual(sampler.read(), { interval_ms: 10, count: 0 });
  sampler.start();
  for (const late of [0, 2, 40, 0]) {
    clock.advance(10 + late);
    clock.fire();
  }
  const stats = sampler.read();
  assert.equal(stats.count, 4);
  assert.equal(stats.max, 40);
  assert.equal(stats.mean, 42 / 4);
  assert.equal(stats.p50, 2);
  assert.equal(stats.p99, 40);
});

test("LoopDriftSampler never reports negative lag for an early timer", () => {
  const clock = fakeClock();
  const sampler = new LoopDriftSampler({ intervalMs: 10, timers: clock.timers, now: clock.now });
  sampler.start();
  clock.advance(9);
  clock.fire();
  assert.equal(sampler.read().max, 0);
});

test("LoopDriftSampler percentiles cover only the recent window, max all time", () => {
  const clock = fakeClock();
  const sampler = new LoopDriftSampler({ intervalMs: 1, timers: clock.timers, now: clock.now });
  sampler.start();
  clock.advance(1 + 500);
  clock.fire();
  for (let i = 0; i < DRIFT_WINDOW; i++) {
    clock.advance(1);
    clock.fire();
  }
  const stats = sampler.read();
  assert.equal(stats.count, DRIFT_WINDOW + 1);
  assert.equal(stats.max, 500);
  assert.equal(stats.p99, 0);
});

test("LoopDriftSampler stop() cancels the timer and start() is idempotent", () => {
  const clock = fakeClock();
  const sampler = new LoopDriftSampler({ timers: clock.timers, now: clock.now });
  sampler.start();
  sampler.start();
  assert.equal(clock.sets, 1);
  assert.equal(sampler.running, true);
  sampler.stop();
  assert.equal(sampler.running, false);
  assert.equal(clock.pending, false);
});

test("LoopDriftSampler rejects a non-positive interval", () => {
  assert.throws(() => new LoopDriftSampler({ intervalMs: 0 }), RangeError);
  assert.throws(() => new LoopDriftSampler({ intervalMs: Number.NaN }), RangeError);
});

test("LoopDriftSampler sees a real blocked event loop", async () => {
  const sampler = new LoopDriftSampler({ intervalMs: 10 });
  sampler.start();
  // The first tick is due 10 ms after start(); blocking for 100 ms first
  // makes it at least 90 ms late, however slow the machine.
  const until = performance.now() + 100;
  while (performance.now() < until) {
    // busy
  }
  await new Promise((resolve) => setTimeout(resolve, 30));
  sampler.stop();
  const stats = sampler.read();
  assert.ok(stats.count >= 1);
  assert.ok(stats.max! >= 90, `max lag ${stats.max} ms after a 100 ms block`);
});
