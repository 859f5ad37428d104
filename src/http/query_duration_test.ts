import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  cpuProfileSeconds,
  DEFAULT_CPU_PROFILE_SECONDS,
  DEFAULT_TRACE_SECONDS,
  parseWaitDuration,
  traceSeconds,
} from "./query_duration.ts";

const nonNegative = fc.double({ min: 0, max: 1e9, noNaN: true });

describe("query durations", () => {
  it("parseWaitDuration() reads <float>s as seconds, truncated to whole nanoseconds", () => {
    fc.assert(
      fc.property(nonNegative, (x) => {
        assert.equal(parseWaitDuration(`${x}s`), Math.trunc(x * 1e9) / 1e6 + 0);
      }),
    );
    assert.equal(parseWaitDuration("5s"), 5000);
    assert.equal(parseWaitDuration("0.25s"), 250);
    assert.equal(parseWaitDuration("1_000s"), 1_000_000);
    assert.equal(parseWaitDuration("0x1p-2s"), 250);
    assert.equal(parseWaitDuration("1e-10s"), 0, "below a nanosecond is nothing");
  });

  it("parseWaitDuration() is 0 for anything but a non-negative <float>s", () => {
    for (const v of [null, undefined, "", "s", "5", "5S", "5ms", "1m", "-1s", " 5s", "5s ", "five s", "nans", "1e400s", "5ss"]) {
      assert.equal(parseWaitDuration(v), 0, JSON.stringify(v));
    }
    fc.assert(
      fc.property(fc.string().filter((s) => !s.endsWith("s")), (s) => {
        assert.equal(parseWaitDuration(s), 0);
      }),
    );
  });

  it("parseWaitDuration() never throws and never returns a negative number or NaN", () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const ms = parseWaitDuration(s);
        assert.ok(ms >= 0, `${JSON.stringify(s)} gave ${ms}`);
        assert.ok(!Object.is(ms, -0));
      }),
    );
    assert.equal(parseWaitDuration("infs"), Infinity, "inf is a valid float: above any maximum");
  });

  it("cpuProfileSeconds() reads whole seconds and falls back to 30 s", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), (n) => {
        assert.equal(cpuProfileSeconds(String(n)), n * 1000);
        assert.equal(cpuProfileSeconds(`+${n}`), n * 1000);
      }),
    );
    const fallback = DEFAULT_CPU_PROFILE_SECONDS * 1000;
    for (const v of [null, undefined, "", "0", "-5", "1.5", "5s", "1_0", " 5", "9223372036854775808"]) {
      assert.equal(cpuProfileSeconds(v), fallback, JSON.stringify(v));
    }
  });

  it("traceSeconds() reads float seconds and falls back to 1 s", () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-6, max: 1e6, noNaN: true }), (x) => {
        assert.equal(traceSeconds(String(x)), Math.trunc(x * 1e9) / 1e6);
      }),
    );
    const fallback = DEFAULT_TRACE_SECONDS * 1000;
    for (const v of [null, undefined, "", "0", "-0.5", "nan", "1s", "1e400"]) {
      assert.equal(traceSeconds(v), fallback, JSON.stringify(v));
    }
    assert.equal(traceSeconds("1e-12"), 1e-6, "the shortest trace is 1 ns, never 0 (no trace)");
    assert.equal(traceSeconds("inf"), Infinity);
  });
});
