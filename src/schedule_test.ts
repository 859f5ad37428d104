import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { DEFAULT_SCHEDULE, resolveSchedule, Schedule } from "./schedule.ts";

/** A random source that replays `values`, then repeats the last one. */
function replay(values: number[]): () => number {
  let i = 0;
  return () => values[Math.min(i++, values.length - 1)] ?? 0;
}

const unit = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

describe("Schedule", () => {
  it("Schedule defaults match Go autoprof's periodic package", () => {
    assert.deepEqual({ ...DEFAULT_SCHEDULE }, {
      intervalMs: 120_000,
      firstJitter: 1,
      jitter: 0.2,
      cpuProfileDuration: 5000,
      cpuProfileByteTarget: 1_000_000,
      traceDuration: 1000,
      traceByteTarget: 10_000_000,
      traceMaxPeriod: 100,
    });
  });

  it("Schedule.next() trims the first wait by 0-100 % and later waits by 0-20 %", () => {
    fc.assert(
      fc.property(
        fc.array(unit, { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 10 * 60_000 }),
        (draws, intervalMs) => {
          const s = new Schedule({ intervalMs, random: replay(draws) });
          for (let i = 0; i < 20; i++) {
            const { delayMs, index } = s.next();
            assert.equal(index, i);
            const share = i === 0 ? 1 : 0.2;
            assert.ok(delayMs <= intervalMs, `delay ${delayMs} > interval ${intervalMs}`);
            assert.ok(delayMs > intervalMs * (1 - share), `delay ${delayMs} too short at ${i}`);
            assert.ok(delayMs >= 1);
            assert.ok(Number.isInteger(delayMs));
          }
        },
      ),
    );
  });

  it("Schedule.next() reaches both ends of the jitter range", () => {
    const low = new Schedule({ random: () => 0 });
    assert.equal(low.next().delayMs, 120_000);
    assert.equal(low.next().delayMs, 120_000);
    const high = new Schedule({ random: () => 1 - Number.EPSILON });
    assert.equal(high.next().delayMs, 1);
    assert.equal(high.next().delayMs, 120_000 - 24_000 + 1);
  });

  it("Schedule.next() survives a broken random source", () => {
    for (const bad of [NaN, -1, 1, 7, Infinity, -Infinity]) {
      const s = new Schedule({ random: () => bad });
      for (let i = 0; i < 5; i++) {
        const { delayMs } = s.next();
        assert.ok(delayMs >= 1 && delayMs <= 120_000, `random ${bad} gave ${delayMs}`);
      }
    }
  });

  it("Schedule.next() gives the first bundle no CPU profile and no trace", () => {
    fc.assert(
      fc.property(fc.array(unit, { minLength: 1, maxLength: 5 }), (draws) => {
        const s = new Schedule({ random: replay(draws), traceMaxPeriod: 1 });
        const first = s.next();
        assert.equal(first.options.cpuProfileDuration, 0);
        assert.equal(first.options.traceDuration, 0);
        const second = s.next();
        assert.equal(second.options.cpuProfileDuration, 5000);
        assert.equal(second.options.cpuProfileByteTarget, 1_000_000);
        assert.equal(second.options.traceDuration, 1000);
        assert.equal(second.options.traceByteTarget, 10_000_000);
      }),
    );
  });

  it("Schedule.next() spaces traces by 1 + floor(r * 100) bundles, like Go's rng.Intn(100)", () => {
    fc.assert(
      fc.property(fc.array(unit, { minLength: 200, maxLength: 400 }), (draws) => {
        // Record which draws decide trace gaps: the draw after the delay draw of
        // a bundle that carries a trace.
        const log: number[] = [];
        let k = 0;
        const s = new Schedule({
          random: () => {
            const v = draws[k++ % draws.length]!;
            log.push(v);
            return v;
          },
        });
        let expectNext = 0;
        for (let i = 0; i < 300; i++) {
          const before = log.length;
          const { options } = s.next();
          const traced = i === expectNext;
          if (i > 0) assert.equal(options.traceDuration > 0, traced, `bundle ${i}`);
          if (traced) {
            assert.equal(log.length, before + 2);
            const gap = 1 + Math.floor(log[before + 1]! * 100);
            assert.ok(gap >= 1 && gap <= 100);
            expectNext = i + gap;
          } else {
            assert.equal(log.length, before + 1);
          }
        }
      }),
    );
  });

  it("Schedule.next() traces about once per 50.5 bundles with a uniform source", () => {
    // Mean gap of uniform 1..100 is 50.5; use a deterministic, evenly spread
    // source (golden-ratio sequence) so the count is exact, not flaky.
    let x = 0;
    const s = new Schedule({ random: () => (x = (x + 0.6180339887498949) % 1) });
    let traces = 0;
    const n = 50_500;
    for (let i = 0; i < n; i++) if (s.next().options.traceDuration > 0) traces++;
    assert.ok(traces > 900 && traces < 1100, `got ${traces} traces in ${n} bundles`);
  });

  it("Schedule.next() requests no trace where the runtime cannot trace", () => {
    const s = new Schedule({
      random: () => 0,
      capabilities: { cpu: { ok: true }, trace: { ok: false, reason: "no tracer" } },
    });
    s.next();
    for (let i = 0; i < 5; i++) {
      const { options } = s.next();
      assert.equal(options.traceDuration, 0);
      assert.equal(options.cpuProfileDuration, 5000);
    }
  });

  it("Schedule.next() requests no CPU profile where the runtime cannot profile", () => {
    const s = new Schedule({ random: () => 0, capabilities: {} });
    s.next();
    const { options } = s.next();
    assert.equal(options.cpuProfileDuration, 0);
    assert.equal(options.traceDuration, 0);
  });

  it("Schedule.next() asks a capabilities function at every bundle", () => {
    let caps: { cpu?: { ok: true } } | undefined = undefined;
    const s = new Schedule({ random: () => 0, traceDuration: 0, capabilities: () => caps });
    s.next();
    assert.equal(s.next().options.cpuProfileDuration, 5000);
    caps = {};
    assert.equal(s.next().options.cpuProfileDuration, 0);
    caps = { cpu: { ok: true } };
    assert.equal(s.next().options.cpuProfileDuration, 5000);
  });

  it("Schedule.next() honours zero durations as off", () => {
    const s = new Schedule({ random: () => 0, cpuProfileDuration: 0, traceDuration: 0 });
    for (let i = 0; i < 5; i++) {
      const { options } = s.next();
      assert.equal(options.cpuProfileDuration, 0);
      assert.equal(options.traceDuration, 0);
    }
  });

  it("resolveSchedule() rejects out-of-range settings with a RangeError", () => {
    for (
      const bad of [
        { intervalMs: 0 },
        { intervalMs: -5 },
        { intervalMs: NaN },
        { jitter: 1.5 },
        { firstJitter: -0.1 },
        { cpuProfileDuration: Infinity },
        { traceMaxPeriod: 0 },
        { traceMaxPeriod: 2.5 },
      ]
    ) {
      assert.throws(() => resolveSchedule(bad), RangeError, JSON.stringify(bad));
    }
  });
});
