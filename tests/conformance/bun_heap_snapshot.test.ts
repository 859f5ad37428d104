/**
 * Conformance (Bun): the opt-in heap snapshot profile is valid pprof,
 * labelled as live objects by retainer path, and finds what the program
 * holds and through which fields.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { collectBundle, readBundle } from "../../mod.ts";
import { goPprofRaw, runningFamily } from "./_support.ts";

const skip = runningFamily() === "bun" ? false : "Bun's heap snapshot: runs under bun test only";

class ConformanceOrder {
  id: number;
  lines: number[];
  constructor(id: number) {
    this.id = id;
    this.lines = [id];
  }
}

test("Bun: pprof/heap-retainers shows live objects by retainer path", { skip }, async () => {
  const { createBunAdapter } = await import("../../runtimes/bun/mod.ts");
  const holder = { conformanceOrders: Array.from({ length: 5000 }, (_, i) => new ConformanceOrder(i)) };
  (globalThis as Record<string, unknown>).conformanceHolder = holder;
  try {
    const adapter = await createBunAdapter({ heapSnapshot: true });
    const { meta, names, entries } = readBundle((await collectBundle(adapter)).bytes);
    assert.ok(names.includes("pprof/heap-retainers"), JSON.stringify(meta.errors));
    const raw = goPprofRaw(entries.get("pprof/heap-retainers")!, "pprof/heap-retainers");
    assert.deepEqual(raw.sampleTypes, ["live_objects/count", "live_bytes/bytes"]);
    assert.ok(raw.comments.some((c) => /NOT sampled, NOT allocation sites/.test(c)));
    assert.match(raw.text, /ConformanceOrder/);
    assert.match(raw.text, /\.conformanceOrders/);
    assert.match(raw.text, /\.conformanceHolder/, "the global variable holding them");
    assert.ok(raw.totals[0] >= 5000);
  } finally {
    delete (globalThis as Record<string, unknown>).conformanceHolder;
  }
});
