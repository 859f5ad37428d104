import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import type { CdpCallFrame, CdpCpuProfile } from "../../src/pprof/cdp_types.ts";
import { cpuProfileToPprof } from "../../src/pprof/messages.ts";
import { resolve, total } from "../../tests/fixtures/pprof/helpers.ts";
import { mergeCpuProfiles } from "./merge_cpu_profiles.ts";

function frame(functionName: string): CdpCallFrame {
  return functionName === "(root)"
    ? { functionName, scriptId: "0", url: "", lineNumber: -1, columnNumber: -1 }
    : { functionName, scriptId: "1", url: "file:///app.js", lineNumber: functionName.length, columnNumber: 0 };
}

/** A segment whose root has children `a` (id 2) and `b` (id 3); samples name the leaf. */
function segment(startTime: number, leaves: string[], delta = 10): CdpCpuProfile {
  const ids: Record<string, number> = { a: 2, b: 3 };
  return {
    nodes: [
      { id: 1, callFrame: frame("(root)"), children: [2, 3] },
      { id: 2, callFrame: frame("a") },
      { id: 3, callFrame: frame("b") },
    ],
    startTime,
    endTime: startTime + leaves.length * delta,
    samples: leaves.map((l) => ids[l]),
    timeDeltas: leaves.map(() => delta),
  };
}

/** Absolute sample times of a profile. */
function times(p: CdpCpuProfile): number[] {
  let t = p.startTime;
  return (p.timeDeltas ?? []).map((d) => (t += d));
}

describe("mergeCpuProfiles()", () => {
  it("mergeCpuProfiles() returns a single profile as is", () => {
    const one = segment(0, ["a"]);
    assert.equal(mergeCpuProfiles([one]), one);
  });

  it("mergeCpuProfiles() throws a RangeError for no profiles", () => {
    assert.throws(() => mergeCpuProfiles([]), RangeError);
  });

  it("mergeCpuProfiles() keeps one root, every sample, and the absolute sample times", () => {
    const first = segment(1000, ["a", "b"]);
    const second = segment(1100, ["b", "b", "a"]);
    const merged = mergeCpuProfiles([first, second]);
    assert.equal(merged.nodes.filter((n) => n.callFrame.functionName === "(root)").length, 1);
    assert.equal(merged.startTime, 1000);
    assert.equal(merged.endTime, second.endTime);
    assert.deepEqual(times(merged), [...times(first), ...times(second)]);
    const byId = new Map(merged.nodes.map((n) => [n.id, n.callFrame.functionName]));
    assert.deepEqual(merged.samples?.map((id) => byId.get(id)), ["a", "b", "b", "b", "a"]);
    // Inputs are not modified.
    assert.deepEqual(first, segment(1000, ["a", "b"]));
  });

  it("mergeCpuProfiles() converts to the same pprof totals as its segments", () => {
    const segments = [segment(0, ["a", "a"]), segment(500, ["b"]), segment(900, [])];
    const merged = cpuProfileToPprof(mergeCpuProfiles(segments), { startTimeEpochNanos: 0n, periodNanos: 10_000 });
    const counts = new Map<string, number>();
    for (const s of resolve(merged)) counts.set(s.frames[0], (counts.get(s.frames[0]) ?? 0) + s.values[0]);
    assert.deepEqual(Object.fromEntries(counts), { a: 2, b: 1 });
    assert.equal(total(merged, 0), 3);
  });

  it("mergeCpuProfiles() keeps every sample and its time for any segments", () => {
    const leaves = fc.array(fc.constantFrom("a", "b"), { maxLength: 20 });
    const segments = fc.array(fc.tuple(fc.integer({ min: 0, max: 1000 }), leaves, fc.integer({ min: 1, max: 50 })), {
      minLength: 1,
      maxLength: 6,
    }).map((specs) => {
      let start = 0;
      return specs.map(([gap, l, delta]) => {
        const s = segment(start + gap, l, delta);
        start = s.endTime;
        return s;
      });
    });
    fc.assert(fc.property(segments, (list) => {
      const merged = mergeCpuProfiles(list);
      assert.equal(merged.samples?.length, list.reduce((n, s) => n + (s.samples?.length ?? 0), 0));
      assert.deepEqual(times(merged), list.flatMap(times));
      const ids = new Set(merged.nodes.map((n) => n.id));
      assert.equal(ids.size, merged.nodes.length, "node ids are unique");
      for (const id of merged.samples ?? []) assert.ok(ids.has(id));
    }));
  });
});
