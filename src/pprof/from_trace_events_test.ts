import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import type { ChromeTraceEvent } from "./cdp_types.ts";
import { cpuProfileFromTraceEvents } from "./from_trace_events.ts";
import { cpuProfileToGzippedPprof } from "./from_cpu_profile.ts";
import { cpuProfileToPprof } from "./messages.ts";
import { checkWellFormed, goToolPprofRaw, loadFixture, resolve, total } from "../../tests/fixtures/pprof/helpers.ts";

const CAT = "disabled-by-default-v8.cpu_profiler";

function profileEvent(id: string, startTime: number, pid = 1): ChromeTraceEvent {
  return { name: "Profile", cat: CAT, ph: "P", pid, tid: pid, ts: startTime + 3, id, args: { data: { startTime } } };
}
function chunk(id: string, ts: number, data: Record<string, unknown>, pid = 1): ChromeTraceEvent {
  return { name: "ProfileChunk", cat: CAT, ph: "P", pid, tid: pid + 10, ts, id, args: { data } };
}

interface ChunkData {
  cpuProfile?: { nodes?: unknown[]; samples?: number[] };
  timeDeltas?: number[];
}

describe("cpuProfileFromTraceEvents", () => {
  it("cpuProfileFromTraceEvents() rebuilds nodes, children, samples and times from chunks", () => {
    const events: ChromeTraceEvent[] = [
      { name: "process_name", ph: "M", pid: 1, args: { name: "node" } },
      profileEvent("0x1", 1000),
      chunk("0x1", 1100, {
        cpuProfile: {
          nodes: [
            { id: 1, callFrame: { functionName: "(root)", scriptId: 0, codeType: "other" } },
            { id: 2, parent: 1, callFrame: { functionName: "main", url: "file:///a.js", scriptId: 5, lineNumber: 3, columnNumber: 9, codeType: "JS" } },
          ],
          samples: [2, 2],
        },
        timeDeltas: [40, 60],
        lines: [4, 5],
      }),
      chunk("0x1", 1200, {
        cpuProfile: {
          nodes: [{ id: 3, parent: 2, callFrame: { functionName: "leaf", url: "file:///a.js", scriptId: 5 } }],
          samples: [3, 2],
        },
        timeDeltas: [100, 50],
        lines: [0, 4],
      }),
    ];
    const p = cpuProfileFromTraceEvents(events);
    assert.deepEqual(p, {
      startTime: 1000,
      endTime: 1250,
      samples: [2, 2, 3, 2],
      timeDeltas: [40, 60, 100, 50],
      nodes: [
        {
          id: 1,
          hitCount: 0,
          children: [2],
          callFrame: { functionName: "(root)", scriptId: "0", url: "", lineNumber: -1, columnNumber: -1 },
        },
        {
          id: 2,
          hitCount: 3,
          children: [3],
          callFrame: { functionName: "main", scriptId: "5", url: "file:///a.js", lineNumber: 3, columnNumber: 9 },
          positionTicks: [{ line: 4, ticks: 2 }, { line: 5, ticks: 1 }],
        },
        {
          id: 3,
          hitCount: 1,
          children: [],
          callFrame: { functionName: "leaf", scriptId: "5", url: "file:///a.js", lineNumber: -1, columnNumber: -1 },
        },
      ],
    });
  });

  it("cpuProfileFromTraceEvents() sorts chunks by timestamp and uses a final endTime", () => {
    const root = { id: 1, callFrame: { functionName: "(root)", scriptId: 0 } };
    const f = { id: 2, parent: 1, callFrame: { functionName: "f", scriptId: 1 } };
    const events = [
      profileEvent("0x1", 0),
      chunk("0x1", 30, { endTime: 500 }),
      chunk("0x1", 20, { cpuProfile: { samples: [2] }, timeDeltas: [7] }),
      chunk("0x1", 10, { cpuProfile: { nodes: [root, f], samples: [2] }, timeDeltas: [5] }),
    ];
    const p = cpuProfileFromTraceEvents(events)!;
    assert.deepEqual(p.timeDeltas, [5, 7]);
    assert.equal(p.endTime, 500);
  });

  it("cpuProfileFromTraceEvents() picks the profile with the most samples, or the one asked for", () => {
    const nodes = [{ id: 1, callFrame: { functionName: "(root)", scriptId: 0 } }, { id: 2, parent: 1, callFrame: { functionName: "f", scriptId: 1 } }];
    const events = [
      profileEvent("0x1", 0),
      profileEvent("0x2", 0),
      chunk("0x1", 10, { cpuProfile: { nodes, samples: [2] }, timeDeltas: [1] }),
      chunk("0x2", 10, { cpuProfile: { nodes, samples: [2, 2, 2] }, timeDeltas: [1, 1, 1] }),
    ];
    assert.equal(cpuProfileFromTraceEvents(events)!.samples!.length, 3);
    assert.equal(cpuProfileFromTraceEvents(events, { id: "0x1" })!.samples!.length, 1);
    assert.equal(cpuProfileFromTraceEvents(events, { id: "0x9" }), undefined);
  });

  it("cpuProfileFromTraceEvents() returns undefined when the trace holds no CPU profile", () => {
    assert.equal(cpuProfileFromTraceEvents([]), undefined);
    assert.equal(cpuProfileFromTraceEvents([{ name: "RunTimers", ph: "X", cat: "node" }]), undefined);
    assert.equal(cpuProfileFromTraceEvents([profileEvent("0x1", 5)]), undefined);
  });

  it("cpuProfileFromTraceEvents() rebuilds a real Node trace into a profile pprof can read", async () => {
    const events = loadFixture<ChromeTraceEvent[]>("trace_node.json");
    const chunks = events.filter((e) => e.name === "ProfileChunk");
    const data = (e: ChromeTraceEvent) => (e.args as { data: ChunkData }).data;
    const sampleCount = chunks.reduce((n, e) => n + (data(e).cpuProfile?.samples?.length ?? 0), 0);
    const nodeCount = chunks.reduce((n, e) => n + (data(e).cpuProfile?.nodes?.length ?? 0), 0);
    const start = events.find((e) => e.name === "Profile")!;

    const cdp = cpuProfileFromTraceEvents(events)!;
    assert.equal(cdp.samples!.length, sampleCount);
    assert.equal(cdp.nodes.length, nodeCount);
    assert.equal(cdp.startTime, (start.args as { data: { startTime: number } }).data.startTime);
    assert.equal(cdp.endTime, cdp.startTime + cdp.timeDeltas!.reduce((a, b) => a + b, 0));
    // One tree: exactly one node is nobody's child.
    const children = new Set(cdp.nodes.flatMap((n) => n.children ?? []));
    assert.deepEqual(cdp.nodes.filter((n) => !children.has(n.id)).map((n) => n.callFrame.functionName), ["(root)"]);

    const p = cpuProfileToPprof(cdp, { startTimeEpochNanos: 1n });
    checkWellFormed(p);
    const idle = new Set(cdp.nodes.filter((n) => ["(idle)", "(program)"].includes(n.callFrame.functionName)).map((n) => n.id));
    assert.equal(total(p, 0), cdp.samples!.filter((id) => !idle.has(id)).length);
    assert.ok(resolve(p).some((s) => s.frames.includes("fib")));
    const raw = goToolPprofRaw(await cpuProfileToGzippedPprof(cdp));
    assert.match(raw, / spin \/\S*capture\.ts:\d+/);
  });

  it("cpuProfileFromTraceEvents() never throws on malformed events", () => {
    const junkData = fc.oneof(
      fc.anything(),
      fc.record({
        cpuProfile: fc.oneof(
          fc.anything(),
          fc.record({
            nodes: fc.array(fc.record({ id: fc.anything(), parent: fc.anything(), callFrame: fc.anything() }, { requiredKeys: [] })),
            samples: fc.array(fc.oneof(fc.integer({ min: 0, max: 5 }), fc.anything())),
          }, { requiredKeys: [] }),
        ),
        timeDeltas: fc.oneof(fc.anything(), fc.array(fc.anything())),
        lines: fc.anything(),
        startTime: fc.anything(),
        endTime: fc.anything(),
      }, { requiredKeys: [] }),
    );
    const event = fc.record({
      name: fc.constantFrom("Profile", "ProfileChunk", "Other"),
      ph: fc.constant("P"),
      id: fc.oneof(fc.constantFrom("0x1", "0x2"), fc.integer()),
      pid: fc.integer({ min: 0, max: 2 }),
      ts: fc.oneof(fc.double(), fc.integer()),
      args: fc.oneof(fc.anything(), fc.record({ data: junkData })),
    }, { requiredKeys: ["name", "ph"] });
    fc.assert(
      fc.property(fc.array(event as fc.Arbitrary<ChromeTraceEvent>, { maxLength: 12 }), (events) => {
        const p = cpuProfileFromTraceEvents(events);
        if (p !== undefined) checkWellFormed(cpuProfileToPprof(p, { startTimeEpochNanos: 0n }));
      }),
    );
  });
});
