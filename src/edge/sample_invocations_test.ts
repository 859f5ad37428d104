// deno-lint-ignore-file require-await -- test doubles mirror async interfaces
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { FlushOptions, FlushResult } from "../periodic.ts";
import { readCounters } from "../expvar.ts";
import { INVOCATION_COUNTERS, sampleInvocations } from "./sample_invocations.ts";

/** A collector double that logs and records flush budgets. */
function profiler(log: string[]) {
  const budgets: (number | undefined)[] = [];
  return {
    budgets,
    flush: async (o?: FlushOptions): Promise<FlushResult> => {
      budgets.push(o?.timeoutMs);
      log.push("flush");
      return { ok: true, meta: {} as never, stored: undefined };
    },
  };
}

const delta = (before: Record<string, number>, name: string) => (readCounters()[name] ?? 0) - (before[name] ?? 0);

describe("sampleInvocations()", () => {
  it("sampleInvocations() flushes after the handler finishes and before the wrapper returns", async () => {
    const log: string[] = [];
    const p = profiler(log);
    const handler = sampleInvocations(async (event: { id: string }) => {
      log.push(`handle ${event.id}`);
      return { statusCode: 200 };
    }, { profiler: p, oneIn: 1, timeoutMs: 1500 });
    const result = await handler({ id: "a" });
    log.push("returned");
    assert.deepEqual(result, { statusCode: 200 });
    assert.deepEqual(log, ["handle a", "flush", "returned"]);
    assert.deepEqual(p.budgets, [1500]);
  });

  it("sampleInvocations() caps the budget at the Lambda context's time left minus the reserve", async () => {
    const p = profiler([]);
    let left = 1200;
    const context = { getRemainingTimeInMillis: () => left };
    const handler = sampleInvocations(async (_event: unknown, _ctx: typeof context) => "ok", {
      profiler: p,
      oneIn: 1,
      timeoutMs: 5000,
      reserveMs: 200,
    });
    await handler({}, context);
    assert.deepEqual(p.budgets, [1000]);
    const before = readCounters();
    left = 150;
    assert.equal(await handler({}, context), "ok");
    assert.deepEqual(p.budgets, [1000], "no flush with less time left than the reserve");
    assert.equal(delta(before, INVOCATION_COUNTERS.noTime), 1);
  });

  it("sampleInvocations() rethrows the handler's error after flushing", async () => {
    const log: string[] = [];
    const boom = new Error("handler failed");
    const handler = sampleInvocations(async () => {
      throw boom;
    }, { profiler: profiler(log), oneIn: 1 });
    await assert.rejects(handler(), (e) => e === boom);
    assert.deepEqual(log, ["flush"]);
  });

  it("sampleInvocations() flushes on 1 in oneIn invocations as chosen by the random source", async () => {
    const p = profiler([]);
    const draws = [0.05, 0.5, 0.099, 0.1];
    const results: FlushResult[] = [];
    const handler = sampleInvocations((n: number) => n, {
      profiler: p,
      oneIn: 10,
      random: () => draws.shift()!,
      onFlushed: (r) => results.push(r),
    });
    for (let i = 0; i < 4; i++) assert.equal(await handler(i), i);
    assert.equal(p.budgets.length, 2);
    assert.equal(results.length, 2);
  });

  it("sampleInvocations() rejects bad options, naming the fix", () => {
    const p = profiler([]);
    assert.throws(() => sampleInvocations(() => 1, { profiler: p, oneIn: 0 }), RangeError);
    assert.throws(() => sampleInvocations(() => 1, { profiler: p, oneIn: 1, timeoutMs: -5 }), /timeoutMs/);
    assert.throws(() => sampleInvocations(() => 1, { profiler: p, oneIn: 1, reserveMs: Number.NaN }), /reserveMs/);
    assert.throws(() => sampleInvocations(() => 1, { profiler: {} as never, oneIn: 1 }), /start\(\{ sink, schedule: false \}\)/);
    assert.throws(() => sampleInvocations(null as never, { profiler: p, oneIn: 1 }), TypeError);
  });
});
