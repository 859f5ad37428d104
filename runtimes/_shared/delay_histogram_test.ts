import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { summarizeDelay } from "./delay_histogram.ts";
import { nonEmpty, put, safe } from "./safe_read.ts";

describe("runtime fact helpers", () => {
  it("summarizeDelay() converts nanoseconds to ms and says only the count when empty", () => {
    const h = { count: 3, min: 1e6, max: 9e6, mean: 4e6, stddev: 2e6, percentile: (p: number) => p * 1e5 };
    assert.deepEqual(summarizeDelay(h, 10), {
      resolution_ms: 10, count: 3, min: 1, max: 9, mean: 4, stddev: 2, p50: 5, p90: 9, p99: 9.9,
    });
    const empty = { ...h, count: 0, min: 2 ** 63 };
    assert.deepEqual(summarizeDelay(empty, 20), { resolution_ms: 20, count: 0 });
  });

  it("put() and safe() leave out what throws; nonEmpty() trims and rejects blanks", () => {
    const out: Record<string, unknown> = {};
    put(out, "a", () => 1);
    put(out, "b", () => undefined);
    put(out, "c", () => {
      throw new Error("denied");
    });
    assert.deepEqual(out, { a: 1 });
    assert.equal(safe(() => null as number | null, 7), 7);
    assert.equal(safe((): number => {
      throw new Error("x");
    }, 7), 7);
    assert.equal(nonEmpty(" x "), "x");
    assert.equal(nonEmpty(""), undefined);
    assert.equal(nonEmpty(null), undefined);
  });
});
