import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { GcBudget } from "./gc_budget.ts";

const MiB = 2 ** 20;

describe("GcBudget", () => {
  it("GcBudget defers a profile until its last cost fits the budget's share of the time since", () => {
    const budget = new GcBudget({ budget: 0.005 });
    budget.record({ ms: 300, heapBytes: 200 * MiB, at: 10_000 });
    // 300 ms is 0.5 % of 60 s: due 60 s after the last profile.
    const early = budget.deferral({ at: 40_000, heapBytes: 200 * MiB });
    assert.match(early ?? "", /forces a full GC.*the last took 300 ms.*due in 30 s.*0\.5 %/);
    assert.equal(budget.deferral({ at: 70_000, heapBytes: 200 * MiB }), undefined);
  });

  it("GcBudget always lets the first profile through, however big the heap", () => {
    const budget = new GcBudget();
    assert.equal(budget.predict(4096 * MiB), 0);
    assert.equal(budget.deferral({ at: 0, heapBytes: 4096 * MiB }), undefined);
  });

  it("GcBudget scales the last cost by how much the heap grew, within 0.5x to 4x", () => {
    const budget = new GcBudget();
    budget.record({ ms: 100, heapBytes: 100 * MiB, at: 0 });
    assert.equal(budget.predict(200 * MiB), 200);
    assert.equal(budget.predict(100 * MiB), 100);
    assert.equal(budget.predict(10_000 * MiB), 400);
    assert.equal(budget.predict(1 * MiB), 50);
  });

  it("GcBudget never defers profiles that force no GC", () => {
    const budget = new GcBudget({ forcesGc: false });
    assert.equal(budget.deferral({ at: 0, heapBytes: 4096 * MiB }), undefined);
    budget.record({ ms: 0.5, heapBytes: 4096 * MiB, at: 10 });
    assert.equal(budget.deferral({ at: 11, heapBytes: 4096 * MiB }), undefined);
  });

  it("GcBudget takes every profile of a cheap measured source, such as a natively started sampler", () => {
    const budget = new GcBudget();
    budget.record({ ms: 1, heapBytes: 200 * MiB, at: 1_000 });
    // 1 ms at 0.5 %: due 200 ms later.
    assert.equal(budget.deferral({ at: 1_300, heapBytes: 200 * MiB }), undefined);
  });

  it("GcBudget rejects a share outside (0, 1]", () => {
    assert.throws(() => new GcBudget({ budget: 0 }), RangeError);
    assert.throws(() => new GcBudget({ budget: 1.5 }), RangeError);
    assert.throws(() => new GcBudget({ budget: Number.NaN }), RangeError);
  });
});
