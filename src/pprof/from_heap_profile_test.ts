import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { HeapProfiler } from "node:inspector";
import fc from "fast-check";
import type { CdpCallFrame, CdpSamplingHeapProfile, CdpSamplingHeapProfileNode } from "./cdp_types.ts";
import { DEFAULT_HEAP_SAMPLING_INTERVAL_BYTES, heapProfileToGzippedPprof, heapProfileToPprofBytes } from "./from_heap_profile.ts";
import { heapProfileToPprof } from "./messages.ts";
import { decodeProfile, encodeProfile } from "./encode.ts";
import { gunzip } from "../gzip.ts";
import {
  checkWellFormed,
  goToolPprofRaw,
  loadFixture,
  rawTotals,
  resolve,
  str,
  total,
} from "../../tests/fixtures/pprof/helpers.ts";

// Compile-time check: node:inspector's getSamplingProfile result is accepted as is.
const _fromInspector: (p: HeapProfiler.SamplingHeapProfile) => CdpSamplingHeapProfile = (p) => p;

function frame(functionName: string, lineNumber = 0, url = "file:///app/main.js", scriptId = "3"): CdpCallFrame {
  return { functionName, scriptId, url, lineNumber, columnNumber: 0 };
}
function node(id: number, name: string, selfSize: number, children: CdpSamplingHeapProfileNode[] = []): CdpSamplingHeapProfileNode {
  return { id, callFrame: name === "(root)" ? frame("(root)", -1, "", "0") : frame(name, id), selfSize, children };
}

const when = { timeNanos: 1_700_000_000_000_000_000n };

interface HeapFixture {
  samplingIntervalBytes: number;
  profile: CdpSamplingHeapProfile;
}

describe("heapProfileToPprof", () => {
  it("heapProfileToPprof() sums sample sizes as inuse_space and counts sampled objects as inuse_objects", () => {
    const profile: CdpSamplingHeapProfile = {
      head: node(1, "(root)", 0, [node(2, "main", 600_000, [node(3, "load", 1_048_576)])]),
      samples: [
        { nodeId: 2, size: 524_300, ordinal: 1 },
        { nodeId: 3, size: 1_000_000, ordinal: 2 },
        { nodeId: 2, size: 75_700, ordinal: 3 },
        { nodeId: 3, size: 48_576, ordinal: 4 },
      ],
    };
    const p = heapProfileToPprof(profile, when);
    checkWellFormed(p);
    assert.deepEqual(resolve(p), [
      { frames: ["main"], values: [2, 600_000] },
      { frames: ["load", "main"], values: [2, 1_048_576] },
    ]);
  });

  it("heapProfileToPprof() describes itself like Go's heap profile", () => {
    const p = heapProfileToPprof({ head: node(1, "(root)", 0) }, when);
    assert.deepEqual(
      p.sampleType.map((t) => `${str(p, t.type)}/${str(p, t.unit)}`),
      ["inuse_objects/count", "inuse_space/bytes"],
    );
    assert.equal(str(p, p.defaultSampleType), "inuse_space");
    assert.equal(`${str(p, p.periodType!.type)}/${str(p, p.periodType!.unit)}`, "space/bytes");
    assert.equal(p.period, BigInt(DEFAULT_HEAP_SAMPLING_INTERVAL_BYTES));
    assert.equal(DEFAULT_HEAP_SAMPLING_INTERVAL_BYTES, 524_288);
    assert.equal(p.timeNanos, when.timeNanos);
    assert.equal(p.durationNanos, 0n);
    assert.equal(p.stringTable[0], "");
  });

  it("heapProfileToPprof() with kind allocs uses alloc_objects and alloc_space", () => {
    const p = heapProfileToPprof(
      { head: node(1, "(root)", 0, [node(2, "main", 10)]), samples: [{ nodeId: 2, size: 10, ordinal: 1 }] },
      { kind: "allocs", samplingIntervalBytes: 4096, durationNanos: 5_000_000_000n, timeNanos: 1n },
    );
    assert.deepEqual(
      p.sampleType.map((t) => `${str(p, t.type)}/${str(p, t.unit)}`),
      ["alloc_objects/count", "alloc_space/bytes"],
    );
    assert.equal(str(p, p.defaultSampleType), "alloc_space");
    assert.equal(p.period, 4096n);
    assert.equal(p.durationNanos, 5_000_000_000n);
  });

  it("heapProfileToPprof() falls back to selfSize when the profile has no samples", () => {
    const interval = 1000;
    const p = heapProfileToPprof(
      { head: node(1, "(root)", 0, [node(2, "big", 5_400), node(3, "small", 30), node(4, "none", 0)]) },
      { ...when, samplingIntervalBytes: interval },
    );
    // About size / interval samples were taken; at least one if bytes were seen.
    assert.deepEqual(resolve(p), [
      { frames: ["big"], values: [5, 5_400] },
      { frames: ["small"], values: [1, 30] },
    ]);
  });

  it("heapProfileToPprof() makes lines 1-based and names anonymous functions by position", () => {
    const anon: CdpSamplingHeapProfileNode = {
      id: 2,
      selfSize: 64,
      children: [],
      callFrame: { functionName: "", scriptId: "3", url: "file:///app/x.js", lineNumber: 11, columnNumber: 6 },
    };
    const p = heapProfileToPprof({ head: node(1, "(root)", 0, [anon]) }, when);
    assert.equal(str(p, p.function[0].name), "(anonymous:12:7)");
    assert.equal(str(p, p.function[0].filename), "/app/x.js");
    assert.deepEqual([p.location[0].line[0].line, p.location[0].line[0].column], [12n, 7n]);
  });

  it("heapProfileToPprof() ignores samples of unknown nodes and does not emit unused locations", () => {
    const p = heapProfileToPprof(
      {
        head: node(1, "(root)", 0, [node(2, "used", 0), node(3, "unused", 0)]),
        samples: [{ nodeId: 2, size: 100, ordinal: 1 }, { nodeId: 77, size: 100, ordinal: 2 }],
      },
      when,
    );
    assert.deepEqual(resolve(p), [{ frames: ["used"], values: [1, 100] }]);
    assert.equal(p.location.length, 1);
  });

  it("heapProfileToPprof() rejects a sampling interval that is not positive", () => {
    for (const bad of [0, -1, NaN, Infinity]) {
      assert.throws(
        () => heapProfileToPprof({ head: node(1, "(root)", 0) }, { samplingIntervalBytes: bad }),
        RangeError,
      );
    }
  });

  it("heapProfileToGzippedPprof() rejects instead of throwing", async () => {
    const pending = heapProfileToGzippedPprof({ head: node(1, "(root)", 0) }, { samplingIntervalBytes: 0 });
    await assert.rejects(pending, RangeError);
  });

  it("heapProfileToPprof() converts a real Node profile: bytes are V8's scaled sample sizes", () => {
    const { samplingIntervalBytes, profile } = loadFixture<HeapFixture>("heap_node.json");
    const p = heapProfileToPprof(profile, { samplingIntervalBytes });
    checkWellFormed(p);
    const samples = profile.samples!;
    assert.equal(total(p, 0), samples.length);
    assert.equal(total(p, 1), samples.reduce((sum, s) => sum + s.size, 0));
    // selfSize is the same estimate, rounded per size class: within 1 %.
    let selfSizes = 0;
    const stack = [profile.head];
    while (stack.length > 0) {
      const n = stack.pop()!;
      selfSizes += n.selfSize;
      stack.push(...n.children);
    }
    assert.ok(Math.abs(total(p, 1) - selfSizes) <= selfSizes * 0.01, `${total(p, 1)} vs ${selfSizes}`);
    // Each V8 sample stands for at least one sampling interval's worth of
    // bytes (s * round(1 / (1 - exp(-s/R))) >= R / 2): already unsampled.
    for (const s of samples) assert.ok(s.size >= samplingIntervalBytes / 2, `sample size ${s.size}`);
    assert.ok(resolve(p).some((s) => s.frames.includes("spin")));
  });

  it("heapProfileToGzippedPprof() output is read by go tool pprof with the same totals", async () => {
    const { samplingIntervalBytes, profile } = loadFixture<HeapFixture>("heap_node.json");
    const gz = await heapProfileToGzippedPprof(profile, { samplingIntervalBytes });
    const p = decodeProfile(await gunzip(gz));
    const raw = goToolPprofRaw(gz);
    assert.match(raw, /PeriodType: space bytes/);
    assert.match(raw, new RegExp(`Period: ${samplingIntervalBytes}\\b`));
    const parsed = rawTotals(raw);
    assert.deepEqual(parsed.types, ["inuse_objects/count", "inuse_space/bytes[dflt]"]);
    assert.deepEqual(parsed.totals, [total(p, 0), total(p, 1)]);
  });

  it("heapProfileToPprof() preserves the bytes of every sample for any tree", () => {
    const arbitrary = fc
      .record({
        parents: fc.array(fc.nat(), { maxLength: 30 }),
        sizes: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 1 << 22 })), { maxLength: 100 }),
        names: fc.array(fc.constantFrom("", "a", "b", "(V8 API)"), { minLength: 31, maxLength: 31 }),
      })
      .map(({ parents, sizes, names }) => {
        const nodes = [node(1, "(root)", 0)];
        parents.forEach((p, k) => {
          const child = { ...node(k + 2, "x", 0), callFrame: frame(names[k], k % 4) };
          (nodes[p % nodes.length].children as CdpSamplingHeapProfileNode[]).push(child);
          nodes.push(child);
        });
        const samples = sizes.map(([pick, size], ordinal) => ({ nodeId: nodes[pick % nodes.length].id!, size, ordinal }));
        const expected = samples.filter((s) => s.nodeId !== 1 && s.size > 0);
        return { profile: { head: nodes[0], samples }, expected };
      });
    fc.assert(
      fc.property(arbitrary, ({ profile, expected }) => {
        const p = heapProfileToPprof(profile, when);
        checkWellFormed(p);
        assert.equal(total(p, 0), expected.length);
        assert.equal(total(p, 1), expected.reduce((sum, s) => sum + s.size, 0));
        assert.deepEqual(heapProfileToPprofBytes(profile, when), encodeProfile(p));
      }),
    );
  });

  it("heapProfileToPprofBytes() writes canonical protobuf (protobuf-es re-encodes the decoded message to the same bytes) for a real V8 profile", () => {
    const { profile, samplingIntervalBytes } = loadFixture<{ profile: CdpSamplingHeapProfile; samplingIntervalBytes: number }>(
      "heap_node.json",
    );
    for (const kind of ["inuse", "allocs"] as const) {
      const options = { ...when, kind, samplingIntervalBytes };
      assert.deepEqual(heapProfileToPprofBytes(profile, options), encodeProfile(heapProfileToPprof(profile, options)));
    }
  });
});
