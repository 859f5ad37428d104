// deno-lint-ignore-file require-await -- test doubles mirror async interfaces
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Meta } from "./types.ts";
import { type CollectFn, type PeriodicCollectOptions, PERIODIC_COUNTERS, startPeriodic } from "./periodic.ts";

const meta: Meta = {
  format_version: 1,
  main: "app",
  revision: "1",
  runtime: "node",
  runtime_version: "v24.0.0",
  hostname: "h",
  proc_id: "p",
  init_time: "2026-11-25T01:00:00.000Z",
  capture_time: "2026-11-25T02:00:00.000Z",
  capabilities: {},
};

const quickCollect: CollectFn = async () => ({ meta, bytes: new Uint8Array([1]) });

/** Counts by name, as `count` receives them. */
function counter() {
  const counts = new Map<string, number>();
  return { counts, count: (name: string, n: number) => void counts.set(name, (counts.get(name) ?? 0) + n) };
}

describe("PeriodicHandle.flush({ timeoutMs })", () => {
  it("flush({ timeoutMs }) resolves with a TimeoutError when the sink never finishes", async () => {
    const errors: [unknown, string][] = [];
    const { counts, count } = counter();
    const handle = startPeriodic({
      collect: quickCollect,
      sink: () => new Promise(() => {}),
      schedule: false,
      count,
      onError: (e, c) => errors.push([e, c.phase]),
    });
    const result = await handle.flush({ timeoutMs: 20 });
    assert.equal(result.ok, false);
    const error = result.ok ? undefined : result.error;
    assert.ok(error instanceof DOMException);
    assert.equal(error.name, "TimeoutError");
    assert.match(error.message, /ran out of its 20 ms budget while storing/);
    assert.deepEqual(errors.map(([, phase]) => phase), ["store"]);
    assert.equal(counts.get(PERIODIC_COUNTERS.flushTimeouts), 1);
    assert.equal(counts.get(PERIODIC_COUNTERS.stored), undefined);
  });

  it("flush({ timeoutMs }) cuts a timed capture short and reports the timeout once", async () => {
    const calls: PeriodicCollectOptions[] = [];
    const errors: string[] = [];
    const { counts, count } = counter();
    const collect: CollectFn = async (o) => {
      calls.push(o);
      // A CPU profile that runs until aborted, then fails like an aborted capture.
      await new Promise<void>((_, reject) => o.signal!.addEventListener("abort", () => reject(o.signal!.reason), { once: true }));
      return { meta, bytes: new Uint8Array() };
    };
    const handle = startPeriodic({ collect, sink: async () => {}, schedule: false, count, onError: (e) => errors.push(String(e)) });
    const result = await handle.flush({ cpuProfileDuration: 60_000, timeoutMs: 10 });
    assert.equal(result.ok, false);
    assert.equal(calls[0]!.signal!.aborted, true);
    assert.equal((calls[0]!.signal!.reason as Error).name, "TimeoutError");
    // Let the aborted collect settle: it must not be reported a second time.
    await new Promise((r) => setTimeout(r, 5));
    assert.equal(errors.length, 1);
    assert.match(errors[0]!, /budget while collecting/);
    assert.equal(counts.get(PERIODIC_COUNTERS.collectErrors), undefined);
  });

  it("flush({ timeoutMs }) within its budget stores and returns the bundle as without one", async () => {
    const stored: Meta[] = [];
    const handle = startPeriodic({
      collect: quickCollect,
      sink: async (m) => {
        stored.push(m);
        return { key: "k", location: "mem" };
      },
      schedule: false,
    });
    // A long budget: its timer must be cleared, or this test file would not end.
    const result = await handle.flush({ timeoutMs: 600_000 });
    assert.deepEqual(result, { ok: true, meta, stored: { key: "k", location: "mem" } });
    assert.equal(stored.length, 1);
  });

  it("flush({ timeoutMs }) still honours the caller's signal", async () => {
    const calls: PeriodicCollectOptions[] = [];
    const collect: CollectFn = async (o) => {
      calls.push(o);
      await new Promise<void>((resolve) => o.signal!.addEventListener("abort", () => resolve(), { once: true }));
      return { meta, bytes: new Uint8Array([2]) };
    };
    const handle = startPeriodic({ collect, sink: async () => {}, schedule: false });
    const stop = new AbortController();
    const pending = handle.flush({ cpuProfileDuration: 60_000, timeoutMs: 600_000, signal: stop.signal });
    while (calls.length === 0) await new Promise((r) => setTimeout(r, 1));
    stop.abort(new Error("shutting down"));
    const result = await pending;
    assert.equal(result.ok, true, "the bundle cut short by the caller is still stored");
  });

  it("flush() refuses a timeoutMs that is not a number of ms, without throwing", async () => {
    const handle = startPeriodic({ collect: quickCollect, sink: async () => {}, schedule: false, onError: () => {} });
    for (const timeoutMs of [-1, Number.NaN, Infinity, "5" as never]) {
      const result = await handle.flush({ timeoutMs });
      assert.equal(result.ok, false);
      assert.ok(!result.ok && result.error instanceof RangeError, String(timeoutMs));
    }
  });
});
