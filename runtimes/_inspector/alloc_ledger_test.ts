import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { CdpCallFrame, CdpSamplingHeapProfile, CdpSamplingHeapProfileNode } from "../../src/pprof/cdp_types.ts";
import { decodeProfile } from "../../src/pprof/encode.ts";
import { checkWellFormed, resolve } from "../../tests/fixtures/pprof/helpers.ts";
import { AllocationLedger, UNSEEN_FRAME } from "./alloc_ledger.ts";

const R = 1000;

function frame(functionName: string): CdpCallFrame {
  return functionName === "(root)"
    ? { functionName, scriptId: "0", url: "", lineNumber: -1, columnNumber: -1 }
    : { functionName, scriptId: "1", url: "file:///app.js", lineNumber: 3, columnNumber: 0 };
}

/** root -> main -> {load (id 3), parse (id 4)}. */
function tree(): CdpSamplingHeapProfileNode {
  return {
    id: 1, selfSize: 0, callFrame: frame("(root)"), children: [
      { id: 2, selfSize: 0, callFrame: frame("main"), children: [
        { id: 3, selfSize: 0, callFrame: frame("load"), children: [] },
        { id: 4, selfSize: 0, callFrame: frame("parse"), children: [] },
      ] },
    ],
  };
}

function snapshot(samples: [nodeId: number, size: number, ordinal: number][]): CdpSamplingHeapProfile {
  return { head: tree(), samples: samples.map(([nodeId, size, ordinal]) => ({ nodeId, size, ordinal })) };
}

/** Totals by leaf function name: [objects, bytes]. */
function byLeaf(ledger: AllocationLedger): Record<string, [number, number]> {
  const p = decodeProfile(ledger.toPprofBytes(10n));
  checkWellFormed(p);
  const out: Record<string, [number, number]> = {};
  for (const s of resolve(p)) {
    const [objects, bytes] = out[s.frames[0]] ?? [0, 0];
    out[s.frames[0]] = [objects + s.values[0], bytes + s.values[1]];
  }
  return out;
}

describe("AllocationLedger", () => {
  it("AllocationLedger counts live samples by stack and never-seen ordinals as unseen", () => {
    const ledger = new AllocationLedger({ samplingIntervalBytes: R, startNanos: 0n });
    ledger.observe(snapshot([[3, 1200, 2], [4, 900, 5]]));
    assert.deepEqual(ledger.totals(), { samples: 5, unseenSamples: 3, liveSamples: 2 });
    assert.deepEqual(byLeaf(ledger), { load: [1, 1200], parse: [1, 900], [UNSEEN_FRAME]: [3, 3 * R] });
  });

  it("AllocationLedger keeps samples it saw alive after they are collected", () => {
    const ledger = new AllocationLedger({ samplingIntervalBytes: R, startNanos: 0n });
    ledger.observe(snapshot([[3, 1200, 1], [4, 900, 2]]));
    // load's sample died; a new parse sample (7) lives; 3..6 came and went.
    ledger.observe(snapshot([[4, 900, 2], [4, 800, 7]]));
    assert.deepEqual(ledger.totals(), { samples: 7, unseenSamples: 4, liveSamples: 2 });
    assert.deepEqual(byLeaf(ledger), { load: [1, 1200], parse: [2, 1700], [UNSEEN_FRAME]: [4, 4 * R] });
    // Observing the same state again changes nothing.
    ledger.observe(snapshot([[4, 900, 2], [4, 800, 7]]));
    assert.deepEqual(byLeaf(ledger), { load: [1, 1200], parse: [2, 1700], [UNSEEN_FRAME]: [4, 4 * R] });
  });

  it("AllocationLedger does not mistake the death of the newest samples for a restart", () => {
    const ledger = new AllocationLedger({ samplingIntervalBytes: R, startNanos: 0n });
    ledger.observe(snapshot([[3, 1200, 1], [4, 900, 9]]));
    ledger.observe(snapshot([[3, 1200, 1]]), 5n);
    assert.equal(ledger.startNanos, 0n);
    assert.deepEqual(byLeaf(ledger), { load: [1, 1200], parse: [1, 900], [UNSEEN_FRAME]: [7, 7 * R] });
  });

  it("AllocationLedger is not reset when a frame loses its script url and position", () => {
    const ledger = new AllocationLedger({ samplingIntervalBytes: R, startNanos: 0n });
    ledger.observe(snapshot([[3, 1200, 1], [4, 900, 2]]));
    // V8 collected the script behind "main": same script id and name, no url or line.
    const later = snapshot([[3, 1200, 1], [4, 800, 3]]);
    const main = later.head.children[0];
    main.callFrame = { ...main.callFrame, url: "", lineNumber: -1, columnNumber: -1 };
    ledger.observe(later);
    assert.deepEqual(ledger.totals(), { samples: 3, unseenSamples: 0, liveSamples: 2 });
    assert.deepEqual(byLeaf(ledger), { load: [1, 1200], parse: [2, 1700] });
  });

  it("AllocationLedger starts over when the sampler restarts (ordinals go back)", () => {
    const ledger = new AllocationLedger({ samplingIntervalBytes: R, startNanos: 0n });
    ledger.observe(snapshot([[3, 1200, 40]]));
    ledger.observe(snapshot([[4, 900, 2]]), 5n);
    assert.equal(ledger.startNanos, 5n);
    assert.deepEqual(byLeaf(ledger), { parse: [1, 900], [UNSEEN_FRAME]: [1, R] });
  });

  it("AllocationLedger.toPprofBytes() spans from the ledger start to now with alloc sample types", () => {
    const ledger = new AllocationLedger({ samplingIntervalBytes: R, startNanos: 1_000n });
    ledger.observe(snapshot([[3, 1200, 1]]));
    const p = decodeProfile(ledger.toPprofBytes(6_000n));
    assert.equal(p.timeNanos, 1_000n);
    assert.equal(p.durationNanos, 5_000n);
    assert.equal(p.period, BigInt(R));
    const names = p.sampleType.map((t) => `${p.stringTable[Number(t.type)]}/${p.stringTable[Number(t.unit)]}`);
    assert.deepEqual(names, ["alloc_objects/count", "alloc_space/bytes"]);
    assert.equal(p.stringTable[Number(p.defaultSampleType)], "alloc_space");
    // The stack is root-most last (leaf first), without (root).
    assert.deepEqual(resolve(p)[0].frames, ["load", "main"]);
  });

  it("AllocationLedger.toPprofBytes() of an empty ledger has no samples", () => {
    const ledger = new AllocationLedger({ samplingIntervalBytes: R, startNanos: 0n });
    ledger.observe({ head: tree() });
    assert.equal(decodeProfile(ledger.toPprofBytes(0n)).sample.length, 0);
  });
});
