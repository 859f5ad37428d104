import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { gzipSync } from "fflate";
import { checkWellFormed, goToolPprofRaw, rawTotals, resolve, total } from "../../tests/fixtures/pprof/helpers.ts";
import { cpuSpec, heapSpec, makeProfile } from "../cli/testdata/bundles.ts";
import { decodeProfile, encodeProfile } from "./encode.ts";
import { mergeProfiles, ProfileMerger } from "./merge.ts";
import type { Profile } from "./profile_pb.ts";

/** Stack (root first, joined) + labels → summed values. */
function byStack(p: Profile): Map<string, number[]> {
  const out = new Map<string, number[]>();
  p.sample.forEach((s, i) => {
    const labels = s.label.map((l) => `${p.stringTable[Number(l.key)]}=${p.stringTable[Number(l.str)]}`).sort().join(",");
    const key = [...resolve(p)[i]!.frames].reverse().join(";") + (labels ? `{${labels}}` : "");
    const prev = out.get(key) ?? s.value.map(() => 0);
    out.set(key, prev.map((v, j) => v + Number(s.value[j])));
  });
  return out;
}

describe("mergeProfiles()", () => {
  it("mergeProfiles() sums identical stacks across profiles whose tables number things differently", () => {
    const a = makeProfile(cpuSpec([[["main", "a"], 1], [["main", "b"], 2]]));
    // Different first-seen order: every id and string index differs from a's.
    const b = makeProfile(cpuSpec([[["other"], 5], [["main", "b"], 3], [["main", "a"], 4]]));
    const m = mergeProfiles([a, b]);
    checkWellFormed(m);
    assert.deepEqual(Object.fromEntries(byStack(m)), {
      "main;a": [5, 50_000_000],
      "main;b": [5, 50_000_000],
      "other": [5, 50_000_000],
    });
    assert.equal(m.sample.length, 3);
    assert.equal(m.function.length, 4);
    assert.equal(m.location.length, 4);
    assert.equal(new Set(m.stringTable).size, m.stringTable.length, "strings interned once");
  });

  it("mergeProfiles() keeps samples with different labels apart", () => {
    const spec = (v: string) => ({ sampleTypes: [["samples", "count"]] as [string, string][], samples: [{ stack: ["f"], values: [1], labels: { route: v } }] });
    const m = mergeProfiles([makeProfile(spec("/a")), makeProfile(spec("/b")), makeProfile(spec("/a"))]);
    assert.deepEqual(Object.fromEntries(byStack(m)), { "f{route=/a}": [2], "f{route=/b}": [1] });
  });

  it("mergeProfiles() takes the earliest time, the summed duration and the largest period", () => {
    const a = makeProfile({ ...cpuSpec([[["f"], 1]]), timeNanos: 3_000n, durationNanos: 10n, period: 10 });
    const b = makeProfile({ ...cpuSpec([[["f"], 1]]), timeNanos: 1_000n, durationNanos: 5n, period: 20 });
    const m = mergeProfiles([a, b]);
    assert.deepEqual([m.timeNanos, m.durationNanos, m.period], [1_000n, 15n, 20n]);
    assert.equal(`${m.stringTable[Number(m.periodType!.type)]}/${m.stringTable[Number(m.periodType!.unit)]}`, "cpu/nanoseconds");
  });

  it("mergeProfiles() refuses to mix sample types, naming both", () => {
    const merger = new ProfileMerger();
    merger.add(makeProfile(cpuSpec([[["f"], 1]])), "a.zip");
    assert.throws(
      () => merger.add(makeProfile(heapSpec([[["f"], 1]])), "b.zip"),
      (e: unknown) =>
        e instanceof TypeError &&
        e.message === "Cannot merge b.zip: its sample types [inuse_objects/count, inuse_space/bytes] differ from the first profile's " +
            "[samples/count, cpu/nanoseconds] (merge profiles of one kind, e.g. only CPU or only heap, from one runtime)",
    );
    assert.throws(() => mergeProfiles([]), /none were given/);
  });

  it("mergeProfiles() keeps every sample type's total (property)", () => {
    const stack = fc.array(fc.constantFrom("main", "a", "b", "c", "d"), { minLength: 1, maxLength: 4 });
    const profile = fc.array(fc.tuple(stack, fc.integer({ min: 0, max: 1000 })), { minLength: 1, maxLength: 6 });
    fc.assert(fc.property(fc.array(profile, { minLength: 1, maxLength: 5 }), (specs) => {
      const inputs = specs.map((s) => makeProfile(cpuSpec(s)));
      const m = decodeProfile(encodeProfile(mergeProfiles(inputs)));
      checkWellFormed(m);
      for (const i of [0, 1]) assert.equal(total(m, i), inputs.reduce((sum, p) => sum + total(p, i), 0));
      const want = new Map<string, number[]>();
      for (const p of inputs) for (const [k, v] of byStack(p)) want.set(k, (want.get(k) ?? [0, 0]).map((x, j) => x + v[j]!));
      assert.deepEqual(byStack(m), want);
    }), { numRuns: 50 });
  });

  it("go tool pprof reads a merged profile with the summed totals", () => {
    const a = makeProfile(heapSpec([[["main", "alloc"], 3], [["main", "cache"], 7]]));
    const b = makeProfile(heapSpec([[["main", "alloc"], 4]]));
    const raw = rawTotals(goToolPprofRaw(gzipSync(encodeProfile(mergeProfiles([a, b])))));
    assert.deepEqual(raw.types, ["inuse_objects/count", "inuse_space/bytes"]);
    assert.deepEqual(raw.totals, [14, 14 * 64]);
    assert.equal(raw.samples, 2);
  });
});
