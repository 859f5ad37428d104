// deno-lint-ignore-file require-await -- test doubles mirror async interfaces
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { publish, renderExpvar, unpublish } from "../expvar.ts";
import { DEFAULT_DURATION_BUCKETS_MS, RequestStats } from "./request_stats.ts";

describe("RequestStats", () => {
  it("record() counts a duration in the first bucket whose bound is >= it, cumulatively", () => {
    const stats = new RequestStats({ bucketsMs: [10, 100] });
    for (const d of [0, 10, 10.5, 100, 101, -3]) stats.record(d);
    const s = stats.snapshot();
    assert.deepEqual(s.buckets, [
      { le_ms: 10, count: 3 },
      { le_ms: 100, count: 5 },
      { le_ms: "+Inf", count: 6 },
    ]);
    assert.equal(s.count, 6);
    assert.equal(s.sum_ms, 0 + 10 + 10.5 + 100 + 101 + 0);
    assert.equal(s.max_ms, 101);
    assert.equal(s.unit, "ms");
  });

  it("record() counts status classes and thrown requests", () => {
    const stats = new RequestStats();
    stats.record(1, { status: 200 });
    stats.record(1, { status: 204 });
    stats.record(1, { status: 503 });
    stats.record(1, { threw: true });
    const s = stats.snapshot();
    assert.deepEqual(s.status, { "2xx": 2, "5xx": 1 });
    assert.equal(s.threw, 1);
    assert.equal(s.count, 4);
  });

  it("start() tracks requests in flight and records once with the injected clock", () => {
    let t = 1000;
    const stats = new RequestStats({ now: () => t });
    const end = stats.start();
    assert.equal(stats.snapshot().in_flight, 1);
    t += 42;
    end({ status: 200 });
    end({ status: 500 });
    const s = stats.snapshot();
    assert.equal(s.in_flight, 0);
    assert.equal(s.count, 1);
    assert.equal(s.sum_ms, 42);
    assert.deepEqual(s.status, { "2xx": 1 });
  });

  it("wrap() returns the handler's response and rethrows its error, counting both", async () => {
    let t = 0;
    const stats = new RequestStats({ now: () => t });
    const ok = stats.wrap(async (req: Request, n: number) => {
      t += n;
      return new Response(req.url, { status: 201 });
    });
    const res = await ok(new Request("http://x/a"), 7);
    assert.equal(res.status, 201);
    assert.equal(await res.text(), "http://x/a");
    const boom = new Error("boom");
    const bad = stats.wrap(() => {
      throw boom;
    });
    await assert.rejects(bad(new Request("http://x/b")), (e) => e === boom);
    const s = stats.snapshot();
    assert.deepEqual([s.count, s.threw, s.sum_ms, s.in_flight], [2, 1, 7, 0]);
    assert.deepEqual(s.status, { "2xx": 1 });
  });

  it("RequestStats rejects bucket bounds that are not positive and strictly increasing", () => {
    for (const bad of [[], [0], [5, 5], [10, 2], [1, Infinity], [Number.NaN]]) {
      assert.throws(() => new RequestStats({ bucketsMs: bad }), RangeError, JSON.stringify(bad));
    }
    assert.throws(() => new RequestStats().record(Number.NaN), /finite number of ms/);
  });

  it("a published RequestStats appears in expvar with its current numbers and units", async () => {
    const stats = new RequestStats();
    publish("test_http_requests", stats);
    try {
      stats.record(3, { status: 200 });
      const doc = JSON.parse(await renderExpvar({ stats: () => ({}) }));
      const v = doc.test_http_requests;
      assert.equal(v.unit, "ms");
      assert.equal(v.count, 1);
      assert.match(v.measured, /wall clock/);
      assert.equal(v.buckets.length, DEFAULT_DURATION_BUCKETS_MS.length + 1);
      assert.deepEqual(v.buckets.at(-1), { le_ms: "+Inf", count: 1 });
    } finally {
      unpublish("test_http_requests");
    }
  });

  it("snapshot() buckets are cumulative, end at count, and agree with the recorded durations", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: 10_000 }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.double({ min: -10, max: 20_000, noNaN: true }), { maxLength: 60 }),
        (rawBounds, durations) => {
          const bounds = [...rawBounds].sort((a, b) => a - b);
          const stats = new RequestStats({ bucketsMs: bounds });
          for (const d of durations) stats.record(d);
          const s = stats.snapshot();
          assert.equal(s.count, durations.length);
          assert.equal(s.buckets.at(-1)!.count, durations.length);
          s.buckets.forEach((b, i) => {
            if (b.le_ms === "+Inf") return;
            const want = durations.filter((d) => Math.max(0, d) <= bounds[i]!).length;
            assert.equal(b.count, want);
          });
        },
      ),
    );
  });
});
