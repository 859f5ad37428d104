import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Profiler } from "node:inspector";
import fc from "fast-check";
import type { CdpCallFrame, CdpCpuProfile, CdpCpuProfileNode } from "./cdp_types.ts";
import { cpuProfileToGzippedPprof, cpuProfileToPprofBytes, DEFAULT_CPU_PERIOD_NANOS } from "./from_cpu_profile.ts";
import { cpuProfileToPprof } from "./messages.ts";
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

// Compile-time check: what node:inspector's Profiler.stop returns is accepted as is.
const _fromInspector: (p: Profiler.Profile) => CdpCpuProfile = (p) => p;

function frame(functionName: string, lineNumber = -1, columnNumber = -1, url = "file:///app/main.js", scriptId = "7"): CdpCallFrame {
  return { functionName, scriptId, url, lineNumber, columnNumber };
}
const ROOT = frame("(root)", -1, -1, "", "0");

/** A profile from parent->children edges given as [id, frame, children]. */
function tree(
  nodes: [number, CdpCallFrame, number[]][],
  samples: number[],
  deltas?: number[],
  times: { startTime?: number; endTime?: number } = {},
): CdpCpuProfile {
  const timeDeltas = deltas ?? samples.map(() => 1000);
  const startTime = times.startTime ?? 1_000_000;
  return {
    nodes: nodes.map(([id, callFrame, children]) => ({ id, callFrame, children })),
    startTime,
    endTime: times.endTime ?? startTime + timeDeltas.reduce((a, b) => a + b, 0),
    samples,
    timeDeltas,
  };
}

const opts = { startTimeEpochNanos: 1_700_000_000_000_000_000n };

describe("cpuProfileToPprof", () => {
  it("cpuProfileToPprof() caps absurd times of corrupt input instead of throwing", () => {
    const p = cpuProfileToPprof({
      nodes: [
        { id: 1, callFrame: frame("(root)"), children: [2] },
        { id: 2, callFrame: frame("work"), parent: 1 },
      ],
      startTime: -1.8e305,
      endTime: 1.8e305,
      samples: [2, 2],
      timeDeltas: [1.797693134862316e305, 1.797693134862316e305],
    } as CdpCpuProfile, { startTimeEpochNanos: 0n });
    assert.equal(p.durationNanos, (1n << 63n) - 1n);
    assert.ok(p.period > 0n && p.period < 1_000_000_000n, `period ${p.period}`);
    assert.equal(p.sample.length, 1);
  });

  it("cpuProfileToPprof() lists locations leaf first and leaves (root) out", () => {
    const p = cpuProfileToPprof(
      tree([[1, ROOT, [2]], [2, frame("main", 0, 0), [3]], [3, frame("inner", 10, 4), []]], [3, 3, 2]),
      opts,
    );
    checkWellFormed(p);
    assert.deepEqual(resolve(p), [
      { frames: ["main"], values: [1, 1_000_000] },
      { frames: ["inner", "main"], values: [2, 2_000_000] },
    ]);
  });

  it("cpuProfileToPprof() makes CDP's 0-based lines and columns 1-based and -1 unknown (0)", () => {
    const p = cpuProfileToPprof(
      tree([[1, ROOT, [2, 3]], [2, frame("known", 9, 4), []], [3, frame("unknown", -1, -1), []]], [2, 3]),
      opts,
    );
    const byName = new Map(p.function.map((f) => [str(p, f.name), f]));
    const known = byName.get("known")!;
    const unknown = byName.get("unknown")!;
    assert.equal(known.startLine, 10n);
    assert.equal(unknown.startLine, 0n);
    const lineOf = (fnId: bigint) => p.location.find((l) => l.line[0].functionId === fnId)!.line[0];
    assert.deepEqual([lineOf(known.id).line, lineOf(known.id).column], [10n, 5n]);
    assert.deepEqual([lineOf(unknown.id).line, lineOf(unknown.id).column], [0n, 0n]);
  });

  it("cpuProfileToPprof() puts a leaf's samples on the lines V8 counted (positionTicks), the rest on its first line", () => {
    const profile = tree([[1, ROOT, [2]], [2, frame("outer", 0), [3]], [3, frame("hot", 3, 2), []]], [3, 3, 3, 3, 3, 2]);
    // 5 samples on "hot" (first line 4): 3 on line 6, 1 on line 8, 1 unattributed.
    (profile.nodes[2] as { positionTicks?: unknown }).positionTicks = [{ line: 6, ticks: 3 }, { line: 8, ticks: 1 }];
    const p = cpuProfileToPprof(profile, opts);
    checkWellFormed(p);
    const rows = p.sample.map((sample) => {
      const [leaf, caller] = sample.locationId.map((id) => p.location.find((l) => l.id === id)!.line[0]);
      const name = (fnId: bigint) => str(p, p.function.find((f) => f.id === fnId)!.name);
      return `${name(leaf.functionId)}:${leaf.line} <- ${caller ? `${name(caller.functionId)}:${caller.line}` : "-"} x${sample.value[0]}`;
    }).sort();
    assert.deepEqual(rows, ["hot:4 <- outer:1 x1", "hot:6 <- outer:1 x3", "hot:8 <- outer:1 x1", "outer:1 <- - x1"]);
    // The function keeps its own first line wherever its samples are.
    assert.deepEqual(p.function.map((f) => f.startLine).sort(), [1n, 4n]);
    assert.equal(total(p, 0), 6);
  });

  it("cpuProfileToPprof() ignores positionTicks that do not fit the node's samples", () => {
    for (const positionTicks of [[{ line: 6, ticks: 9 }], [{ line: 0, ticks: 1 }], [{ line: 6, ticks: 0.5 }]]) {
      const profile = tree([[1, ROOT, [2]], [2, frame("hot", 3), []]], [2, 2]);
      (profile.nodes[1] as { positionTicks?: unknown }).positionTicks = positionTicks;
      const p = cpuProfileToPprof(profile, opts);
      assert.deepEqual(p.location.map((l) => l.line[0].line), [4n], JSON.stringify(positionTicks));
      assert.equal(total(p, 0), 2);
    }
  });

  it("cpuProfileToPprof() keeps every sample for any per-line ticks", () => {
    fc.assert(
      fc.property(
        arbitraryCpuProfile(),
        fc.array(fc.array(fc.record({ line: fc.integer({ min: -2, max: 50 }), ticks: fc.integer({ min: -1, max: 4 }) }), { maxLength: 4 })),
        ({ profile, expectedCount }, ticks) => {
          const nodes = profile.nodes.map((n, i) => (ticks[i] ? { ...n, positionTicks: ticks[i] } : n));
          const p = cpuProfileToPprof({ ...profile, nodes }, opts);
          checkWellFormed(p);
          assert.equal(total(p, 0), expectedCount);
          assert.deepEqual(cpuProfileToPprofBytes({ ...profile, nodes }, opts), encodeProfile(p));
        },
      ),
    );
  });

  it("cpuProfileToPprof() dedupes functions by script, name and URL and locations by function, line and column", () => {
    const p = cpuProfileToPprof(
      tree(
        [
          [1, ROOT, [2, 3, 4, 5]],
          // 2 and 3: the same frame twice (V8 does this for one function's
          // interpreted and optimized code): one location, one sample.
          [2, frame("f", 4, 2), []],
          [3, frame("f", 4, 2), []],
          // Same name and script, another line: same function, new location.
          [4, frame("f", 20, 2), []],
          // Same name in another script: another function.
          [5, frame("f", 4, 2, "file:///app/other.js", "8"), []],
        ],
        [2, 3, 4, 5],
      ),
      opts,
    );
    checkWellFormed(p);
    assert.equal(p.function.length, 2);
    assert.equal(p.location.length, 3);
    assert.equal(p.sample.length, 3);
    assert.deepEqual(p.sample.map((s) => Number(s.value[0])).sort(), [1, 1, 2]);
    assert.deepEqual(p.function.map((f) => str(p, f.filename)), ["/app/main.js", "/app/other.js"]);
  });

  it("cpuProfileToPprof() keeps string_table[0] empty and every string once", () => {
    const p = cpuProfileToPprof(tree([[1, ROOT, [2]], [2, frame("main", 0, 0), []]], [2]), opts);
    assert.equal(p.stringTable[0], "");
    assert.equal(new Set(p.stringTable).size, p.stringTable.length);
    assert.deepEqual(
      p.sampleType.map((t) => `${str(p, t.type)}/${str(p, t.unit)}`),
      ["samples/count", "cpu/nanoseconds"],
    );
    assert.equal(`${str(p, p.periodType!.type)}/${str(p, p.periodType!.unit)}`, "cpu/nanoseconds");
  });

  it("cpuProfileToPprof() names anonymous functions by position", () => {
    const p = cpuProfileToPprof(
      tree([[1, ROOT, [2, 3]], [2, frame("", 2, 4), []], [3, frame("", -1, -1), []]], [2, 3]),
      opts,
    );
    assert.deepEqual(p.function.map((f) => str(p, f.name)).sort(), ["(anonymous)", "(anonymous:3:5)"]);
  });

  it("cpuProfileToPprof() turns file:// URLs into paths and keeps other URLs", () => {
    const p = cpuProfileToPprof(
      tree(
        [
          [1, ROOT, [2, 3, 4]],
          [2, frame("a", 0, 0, "file:///srv/my%20app/x.js"), []],
          [3, frame("b", 0, 0, "node:internal/timers", "9"), []],
          [4, frame("c", 0, 0, "file:///C:/app/y.js", "10"), []],
        ],
        [2, 3, 4],
      ),
      opts,
    );
    assert.deepEqual(
      p.function.map((f) => str(p, f.filename)),
      ["/srv/my app/x.js", "node:internal/timers", "C:/app/y.js"],
    );
  });

  it("cpuProfileToPprof() drops (program) and (idle) samples and keeps (garbage collector)", () => {
    const p = cpuProfileToPprof(
      tree(
        [
          [1, ROOT, [2, 3, 4, 5]],
          [2, frame("(program)", -1, -1, "", "0"), []],
          [3, frame("(idle)", -1, -1, "", "0"), []],
          [4, frame("(garbage collector)", -1, -1, "", "0"), []],
          [5, frame("main", 0, 0), []],
        ],
        [2, 2, 3, 3, 3, 4, 5],
      ),
      opts,
    );
    assert.deepEqual(resolve(p).map((s) => [s.frames, s.values[0]]), [[["(garbage collector)"], 1], [["main"], 1]]);
    assert.ok(!p.stringTable.includes("(idle)") && !p.stringTable.includes("(program)"));
  });

  it("cpuProfileToPprof() sets period to the measured mean interval and cpu = count * period", () => {
    // The first delta (start-up) is not an interval; the rest average 1.1 ms.
    const p = cpuProfileToPprof(
      tree([[1, ROOT, [2]], [2, frame("main", 0, 0), []]], [2, 2, 2, 2], [9000, 1000, 1200, 1100]),
      opts,
    );
    assert.equal(p.period, 1_100_000n);
    assert.deepEqual(p.sample[0].value, [4n, 4_400_000n]);
  });

  it("cpuProfileToPprof() falls back to periodNanos, then 10 ms, without timing data", () => {
    const noTiming: CdpCpuProfile = {
      nodes: [{ id: 1, callFrame: ROOT, children: [2] }, { id: 2, callFrame: frame("main", 0, 0), hitCount: 3 }],
      startTime: 0,
      endTime: 50_000,
    };
    const given = cpuProfileToPprof(noTiming, { ...opts, periodNanos: 5_000_000 });
    assert.equal(given.period, 5_000_000n);
    assert.deepEqual(given.sample[0].value, [3n, 15_000_000n]);
    assert.equal(cpuProfileToPprof(noTiming, opts).period, BigInt(DEFAULT_CPU_PERIOD_NANOS));
    assert.equal(DEFAULT_CPU_PERIOD_NANOS, 10_000_000);
    // One sample has no interval either.
    const one = tree([[1, ROOT, [2]], [2, frame("main", 0, 0), []]], [2], [700]);
    assert.equal(cpuProfileToPprof(one, { ...opts, periodNanos: 2_000_000 }).period, 2_000_000n);
  });

  it("cpuProfileToPprof() uses hitCount when the profile has no sample list", () => {
    const p = cpuProfileToPprof({
      nodes: [
        { id: 1, callFrame: ROOT, children: [2], hitCount: 0 },
        { id: 2, callFrame: frame("main", 0, 0), children: [3], hitCount: 2 },
        { id: 3, callFrame: frame("leaf", 5, 0), hitCount: 5 },
      ],
      startTime: 0,
      endTime: 70_000,
    }, { ...opts, periodNanos: 1_000_000 });
    assert.deepEqual(resolve(p), [
      { frames: ["main"], values: [2, 2_000_000] },
      { frames: ["leaf", "main"], values: [5, 5_000_000] },
    ]);
  });

  it("cpuProfileToPprof() takes time_nanos from startTimeEpochNanos and duration from endTime - startTime", () => {
    const input = tree([[1, ROOT, [2]], [2, frame("main", 0, 0), []]], [2], [10], {
      startTime: 5_000_000,
      endTime: 7_500_000.4,
    });
    const p = cpuProfileToPprof(input, { startTimeEpochNanos: 123n });
    assert.equal(p.timeNanos, 123n);
    assert.equal(p.durationNanos, 2_500_000_400n);
  });

  it("cpuProfileToPprof() places a monotonic start duration before now when no start time is given", () => {
    const before = BigInt(Date.now()) * 1_000_000n;
    const p = cpuProfileToPprof(tree([[1, ROOT, [2]], [2, frame("main", 0, 0), []]], [2], [10], {
      startTime: 100,
      endTime: 2_000_100,
    }));
    const after = BigInt(Date.now()) * 1_000_000n;
    assert.equal(p.durationNanos, 2_000_000_000n);
    assert.ok(p.timeNanos >= before - p.durationNanos && p.timeNanos <= after - p.durationNanos);
  });

  it("cpuProfileToPprof() reads Bun-style input: epoch start time, no (idle), idle gaps", () => {
    const start = 1_795_575_941_786_529.2; // µs since the epoch, as Bun reports
    const deltas = [150, 1200, 1100, 1300, 250_000, 1200, 1100, 90_000, 1200];
    const p = cpuProfileToPprof(
      tree(
        [[1, ROOT, [2]], [2, frame("(module)", 0, 0), [3]], [3, frame("spin", 3, 0), []]],
        [3, 3, 3, 3, 3, 3, 3, 3, 3],
        deltas,
        { startTime: start, endTime: start + 360_000 },
      ),
    );
    assert.equal(p.timeNanos, 1_795_575_941_786_529_000n);
    assert.equal(p.durationNanos, 360_000_000_000n / 1000n);
    // The two idle gaps are not sampling intervals: mean of the other 6.
    assert.equal(p.period, 1_183_333n);
    assert.deepEqual(p.sample[0].value, [9n, 9n * 1_183_333n]);
  });

  it("cpuProfileToPprof() keeps duration_nanos at least up to the last sample", () => {
    const p = cpuProfileToPprof(
      tree([[1, ROOT, [2]], [2, frame("main", 0, 0), []]], [2, 2], [1000, 1000], { startTime: 0, endTime: 1500 }),
      opts,
    );
    assert.equal(p.durationNanos, 2_000_000n);
  });

  it("cpuProfileToPprof() aggregates samples whose stacks are equal", () => {
    // Two paths to `leaf` through distinct but identical-looking `mid` nodes.
    const p = cpuProfileToPprof(
      tree(
        [
          [1, ROOT, [2]],
          [2, frame("main", 0, 0), [3, 4]],
          [3, frame("mid", 5, 0), [5]],
          [4, frame("mid", 5, 0), [6]],
          [5, frame("leaf", 9, 0), []],
          [6, frame("leaf", 9, 0), []],
        ],
        [5, 6, 5, 6, 6],
      ),
      opts,
    );
    assert.deepEqual(resolve(p), [{ frames: ["leaf", "mid", "main"], values: [5, 5_000_000] }]);
  });

  it("cpuProfileToPprof() survives cycles, unknown ids and unreachable nodes", () => {
    const nodes: CdpCpuProfileNode[] = [
      { id: 1, callFrame: ROOT, children: [2, 99] },
      { id: 2, callFrame: frame("a", 0, 0), children: [3] },
      { id: 3, callFrame: frame("b", 1, 0), children: [2] }, // cycle back to a
      { id: 4, callFrame: frame("x", 2, 0), children: [5] }, // 4 <-> 5: no root reaches them
      { id: 5, callFrame: frame("y", 3, 0), children: [4] },
    ];
    const p = cpuProfileToPprof({ nodes, startTime: 0, endTime: 10, samples: [3, 5, 42, 2], timeDeltas: [1, 1, 1, 1] }, opts);
    checkWellFormed(p);
    assert.deepEqual(resolve(p).map((s) => s.frames), [["a"], ["b", "a"]]);
  });

  it("cpuProfileToPprof() converts a real Node profile: counts every non-idle sample", () => {
    const cdp = loadFixture<CdpCpuProfile>("cpu_node.json");
    const p = cpuProfileToPprof(cdp, opts);
    checkWellFormed(p);
    const nameOf = new Map(cdp.nodes.map((n) => [n.id, n.callFrame.functionName]));
    const kept = cdp.samples!.filter((id) => !["(idle)", "(program)"].includes(nameOf.get(id)!));
    assert.ok(kept.length < cdp.samples!.length, "fixture has idle samples");
    assert.equal(total(p, 0), kept.length);
    assert.equal(total(p, 1), kept.length * Number(p.period));
    // Requested 1 ms; V8's real interval is a little longer.
    assert.ok(p.period >= 900_000n && p.period <= 2_000_000n, `period ${p.period}`);
    assert.equal(p.durationNanos, BigInt(Math.round((cdp.endTime - cdp.startTime) * 1000)));
    const names = new Set(resolve(p).flatMap((s) => s.frames));
    for (const name of ["fib", "spin", "work", "(garbage collector)"]) assert.ok(names.has(name), name);
    assert.ok([...names].some((n) => n.startsWith("(anonymous:")));
  });

  it("cpuProfileToPprof() converts a real Bun profile with its epoch timestamps", () => {
    const cdp = loadFixture<CdpCpuProfile>("cpu_bun.json");
    const p = cpuProfileToPprof(cdp);
    checkWellFormed(p);
    assert.equal(p.timeNanos, BigInt(Math.round(cdp.startTime)) * 1000n);
    assert.equal(total(p, 0), cdp.samples!.length);
    // The fixture sleeps 40 ms and 20 ms; those gaps must not inflate the period.
    assert.ok(p.period >= 900_000n && p.period <= 2_000_000n, `period ${p.period}`);
  });

  it("cpuProfileToGzippedPprof() output is read by go tool pprof with the same totals", async () => {
    for (const name of ["cpu_node.json", "cpu_bun.json"]) {
      const cdp = loadFixture<CdpCpuProfile>(name);
      const gz = await cpuProfileToGzippedPprof(cdp, opts);
      const p = decodeProfile(await gunzip(gz));
      const raw = goToolPprofRaw(gz);
      assert.match(raw, /PeriodType: cpu nanoseconds/);
      assert.match(raw, new RegExp(`Period: ${p.period}\\b`));
      const parsed = rawTotals(raw);
      assert.deepEqual(parsed.types, ["samples/count", "cpu/nanoseconds"]);
      assert.deepEqual(parsed.totals, [total(p, 0), total(p, 1)]);
      assert.equal(parsed.samples, p.sample.length);
      assert.match(raw, / fib \/\S*capture\.ts:\d+/);
    }
  });

  it("cpuProfileToPprof() walks a 100 000-frame-deep tree without recursion", () => {
    const depth = 100_000;
    const nodes: CdpCpuProfileNode[] = [{ id: 1, callFrame: ROOT, children: [2] }];
    for (let i = 2; i <= depth + 1; i++) {
      nodes.push({ id: i, callFrame: frame(i % 2 ? "odd" : "even", i, 0), children: i <= depth ? [i + 1] : [] });
    }
    const p = cpuProfileToPprof({ nodes, startTime: 0, endTime: 10, samples: [depth + 1, 2], timeDeltas: [1, 1] }, opts);
    checkWellFormed(p);
    assert.equal(p.function.length, 2);
    assert.equal(p.location.length, depth);
    assert.deepEqual(p.sample.map((s) => s.locationId.length).sort((a, b) => a - b), [1, depth]);
    const deep = p.sample.find((s) => s.locationId.length === depth)!;
    assert.equal(deep.locationId[0], BigInt(depth)); // the leaf, built last
  });

  it("cpuProfileToPprof() matches a naive reference on a large random tree", () => {
    let seed = 7;
    const rand = (n: number) => {
      seed = (Math.imul(seed, 48271) + 11) & 0x7fffffff;
      return seed % n;
    };
    const nodes: CdpCpuProfileNode[] = [{ id: 1, callFrame: ROOT, children: [] }];
    for (let i = 1; i < 20_000; i++) {
      const node = { id: i + 1, callFrame: frame(`f${rand(40)}`, rand(5), rand(3)), children: [] as number[] };
      (nodes[rand(i)].children as number[]).push(node.id);
      nodes.push(node);
    }
    const samples = Array.from({ length: 50_000 }, () => 1 + rand(nodes.length));
    const profile: CdpCpuProfile = { nodes, startTime: 0, endTime: 1, samples, timeDeltas: samples.map(() => 1000) };
    const p = cpuProfileToPprof(profile, opts);
    checkWellFormed(p);
    assert.deepEqual(stackCounts(resolveKeys(p)), referenceStackCounts(profile));
  });

  it("cpuProfileToPprof() preserves sample counts and stacks for any well-formed tree", () => {
    fc.assert(
      fc.property(arbitraryCpuProfile(), ({ profile, expectedCount }) => {
        const p = cpuProfileToPprof(profile, opts);
        checkWellFormed(p);
        assert.equal(total(p, 0), expectedCount);
        assert.equal(total(p, 1), expectedCount * Number(p.period));
        assert.deepEqual(stackCounts(resolveKeys(p)), referenceStackCounts(profile));
        assert.deepEqual(decodeProfile(encodeProfile(p)), p);
        // The fast path writes exactly what protobuf-es writes for the message.
        assert.deepEqual(cpuProfileToPprofBytes(profile, opts), encodeProfile(p));
      }),
    );
  });

  it("cpuProfileToPprofBytes() writes canonical protobuf (protobuf-es re-encodes the decoded message to the same bytes) for real V8 and Bun profiles", () => {
    for (const name of ["cpu_node.json", "cpu_bun.json"]) {
      const profile = loadFixture<CdpCpuProfile>(name);
      const options = { startTimeEpochNanos: 1_700_000_000_123_456_789n };
      assert.deepEqual(cpuProfileToPprofBytes(profile, options), encodeProfile(cpuProfileToPprof(profile, options)), name);
    }
  });
});

/** Each sample's frames as `name@file:line:column`, leaf first, with its count. */
function resolveKeys(p: ReturnType<typeof cpuProfileToPprof>): [string, number][] {
  const locations = new Map(p.location.map((l) => [l.id, l]));
  const functions = new Map(p.function.map((f) => [f.id, f]));
  return p.sample.map((s) => [
    s.locationId.map((id) => {
      const line = locations.get(id)!.line[0];
      const fn = functions.get(line.functionId)!;
      return `${str(p, fn.name)}@${str(p, fn.filename)}:${line.line}:${line.column}`;
    }).join(" < "),
    Number(s.value[0]),
  ]);
}

function stackCounts(entries: [string, number][]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const [key, n] of entries) counts.set(key, (counts.get(key) ?? 0) + n);
  return new Map([...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The expected stacks, computed the obvious way: follow parents from each sampled node. */
function referenceStackCounts(profile: CdpCpuProfile): Map<string, number> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parentOf = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) if (!parentOf.has(c)) parentOf.set(c, n.id);
  const entries: [string, number][] = [];
  for (const id of profile.samples ?? []) {
    const leaf = byId.get(id)!;
    const name = leaf.callFrame.functionName;
    if (name === "(program)" || name === "(idle)" || !parentOf.has(id)) continue;
    const frames: string[] = [];
    for (let cur: number | undefined = id; cur !== undefined && parentOf.has(cur); cur = parentOf.get(cur)) {
      const f = byId.get(cur)!.callFrame;
      const line = f.lineNumber >= 0 ? f.lineNumber + 1 : 0;
      const column = f.columnNumber >= 0 ? f.columnNumber + 1 : 0;
      const fnName = f.functionName || (line > 0 ? `(anonymous:${line}:${column})` : "(anonymous)");
      frames.push(`${fnName}@${f.url.replace("file://", "")}:${line}:${column}`);
    }
    entries.push([frames.join(" < "), 1]);
  }
  return stackCounts(entries);
}

const SPECIAL = ["(program)", "(idle)", "(garbage collector)"];

/** Random well-formed CDP trees with random samples, and how many samples should be kept. */
function arbitraryCpuProfile() {
  return fc
    .record({
      // parent choice for nodes 2..n: index among earlier nodes
      parents: fc.array(fc.nat(), { maxLength: 40 }),
      names: fc.array(fc.oneof(fc.constantFrom("", "f", "g", ...SPECIAL), fc.string({ maxLength: 4 })), {
        minLength: 41,
        maxLength: 41,
      }),
      lines: fc.array(fc.integer({ min: -1, max: 5 }), { minLength: 41, maxLength: 41 }),
      scripts: fc.array(fc.constantFrom("0", "1", "2"), { minLength: 41, maxLength: 41 }),
      picks: fc.array(fc.nat(), { maxLength: 200 }),
      deltas: fc.array(fc.integer({ min: -50, max: 50_000 }), { minLength: 200, maxLength: 200 }),
      idBase: fc.integer({ min: 1, max: 1000 }),
    })
    .map(({ parents, names, lines, scripts, picks, deltas, idBase }) => {
      const n = parents.length + 1;
      const ids = Array.from({ length: n }, (_, i) => idBase + i * 3);
      const nodes = ids.map((id, i) => ({
        id,
        callFrame: i === 0 ? ROOT : frame(names[i], lines[i], lines[(i + 1) % 41], `file:///s${scripts[i]}.js`, scripts[i]),
        children: [] as number[],
      }));
      parents.forEach((p, k) => nodes[p % (k + 1)].children.push(ids[k + 1]));
      const samples = picks.map((p) => ids[p % n]);
      const expectedCount = samples.filter((id) => {
        const i = ids.indexOf(id);
        return i !== 0 && nodes[i].callFrame.functionName !== "(program)" && nodes[i].callFrame.functionName !== "(idle)";
      }).length;
      const profile: CdpCpuProfile = {
        nodes,
        startTime: 1000,
        endTime: 500_000,
        samples,
        timeDeltas: deltas.slice(0, samples.length),
      };
      return { profile, expectedCount };
    });
}
