/**
 * Rebuilds a CDP CPU profile from Chrome trace events. When tracing is on
 * with the category `disabled-by-default-v8.cpu_profiler`, V8 runs its CPU
 * profiler and streams the profile into the trace: one `Profile` event
 * (`args.data.startTime`) and then `ProfileChunk` events carrying new call
 * tree nodes (`args.data.cpuProfile.nodes`, each naming its `parent`),
 * sample node ids (`args.data.cpuProfile.samples`), `args.data.timeDeltas`
 * and per-sample source `lines`. autoprof uses this for
 * `pprof/profile-during-trace`: the CPU samples recorded alongside a trace.
 *
 * @module
 */

import type { CdpCallFrame, CdpCpuProfile, CdpCpuProfileNode, ChromeTraceEvent } from "./cdp_types.ts";

/** Options for {@linkcode cpuProfileFromTraceEvents}. */
export interface CpuProfileFromTraceEventsOptions {
  /**
   * Which profile to rebuild, by the `id` of its events (`"0x1"`): a trace
   * holds one profile per profiled thread (the main thread and each
   * worker). Default: the profile with the most samples.
   */
  id?: string | number;
}

interface StreamedProfile {
  order: number;
  startTime: number | undefined;
  endTime: number | undefined;
  firstTs: number | undefined;
  chunks: { ts: number; order: number; data: Record<string, unknown> }[];
  sampleCount: number;
  id: string | number | undefined;
}

/**
 * Rebuilds the CDP CPU profile that V8 streamed into a trace.
 *
 * Tolerates what real traces contain: events of other categories, chunks
 * delivered out of order (sorted by `ts`), several profiles (one per
 * thread), and malformed entries (skipped).
 *
 * @param events trace events, e.g. everything `NodeTracing.dataCollected`
 * delivered; not modified.
 * @param options which profile to pick when there are several.
 * @returns the profile, or `undefined` if the events hold no CPU profile
 * (the category was not enabled, or no chunk arrived).
 *
 * @example
 * ```ts
 * import { cpuProfileFromTraceEvents } from "./from_trace_events.ts";
 * const cat = "disabled-by-default-v8.cpu_profiler";
 * const profile = cpuProfileFromTraceEvents([
 *   { name: "Profile", cat, ph: "P", id: "0x1", pid: 1, ts: 10, args: { data: { startTime: 10 } } },
 *   { name: "ProfileChunk", cat, ph: "P", id: "0x1", pid: 1, ts: 20, args: { data: {
 *     cpuProfile: {
 *       nodes: [{ id: 1, callFrame: { functionName: "(root)", scriptId: 0 } },
 *               { id: 2, parent: 1, callFrame: { functionName: "f", scriptId: 3, url: "file:///a.js", lineNumber: 4, columnNumber: 1 } }],
 *       samples: [2, 2],
 *     },
 *     timeDeltas: [5, 5],
 *   } } },
 * ]);
 * console.assert(profile?.samples?.length === 2 && profile.endTime === 20);
 * ```
 */
export function cpuProfileFromTraceEvents(
  events: readonly ChromeTraceEvent[],
  options: CpuProfileFromTraceEventsOptions = {},
): CdpCpuProfile | undefined {
  const partials = new Map<string, StreamedProfile>();
  const partialOf = (event: ChromeTraceEvent): StreamedProfile => {
    const key = `${event.pid ?? ""}:${event.id ?? ""}`;
    let p = partials.get(key);
    if (p === undefined) {
      p = {
        order: partials.size,
        startTime: undefined,
        endTime: undefined,
        firstTs: undefined,
        chunks: [],
        sampleCount: 0,
        id: event.id,
      };
      partials.set(key, p);
    }
    return p;
  };

  for (let i = 0; i < events.length; i++) {
    const event = events[i];
    if (event === null || typeof event !== "object") continue;
    if (event.name !== "Profile" && event.name !== "ProfileChunk") continue;
    const data = record(record(event.args)?.data);
    if (data === undefined) continue;
    const p = partialOf(event);
    const ts = finiteOr(event.ts, undefined);
    if (ts !== undefined && (p.firstTs === undefined || ts < p.firstTs)) p.firstTs = ts;
    if (event.name === "Profile") {
      p.startTime = finiteOr(data.startTime, ts);
      continue;
    }
    const endTime = finiteOr(data.endTime, undefined);
    if (endTime !== undefined) p.endTime = endTime;
    p.chunks.push({ ts: ts ?? Infinity, order: i, data });
    const samples = record(data.cpuProfile)?.samples;
    if (Array.isArray(samples)) p.sampleCount += samples.length;
  }

  let chosen: StreamedProfile | undefined;
  for (const p of partials.values()) {
    if (p.chunks.length === 0) continue;
    if (options.id !== undefined) {
      if (String(p.id) === String(options.id)) chosen = p;
    } else if (chosen === undefined || p.sampleCount > chosen.sampleCount) {
      chosen = p;
    }
  }
  return chosen === undefined ? undefined : assemble(chosen);
}

interface Building {
  node: CdpCpuProfileNode & { children: number[]; hitCount: number };
  parent: number | undefined;
  ticks: Map<number, number> | undefined;
}

function assemble(p: StreamedProfile): CdpCpuProfile {
  p.chunks.sort((a, b) => a.ts - b.ts || a.order - b.order);
  const byId = new Map<number, Building>();
  const order: Building[] = [];
  const samples: number[] = [];
  const timeDeltas: number[] = [];
  const lines: number[] = [];
  for (const { data } of p.chunks) {
    const cpuProfile = record(data.cpuProfile);
    const nodes = cpuProfile?.nodes;
    if (Array.isArray(nodes)) {
      for (const raw of nodes) {
        const n = record(raw);
        const id = n?.id;
        if (typeof id !== "number" || byId.has(id)) continue;
        const b: Building = {
          node: { id, callFrame: callFrame(record(n?.callFrame)), hitCount: 0, children: [] },
          parent: typeof n?.parent === "number" ? n.parent : undefined,
          ticks: undefined,
        };
        byId.set(id, b);
        order.push(b);
      }
    }
    const chunkSamples = cpuProfile?.samples;
    const chunkDeltas = data.timeDeltas;
    const chunkLines = data.lines;
    if (!Array.isArray(chunkSamples)) continue;
    const deltas = Array.isArray(chunkDeltas) ? chunkDeltas : [];
    for (let i = 0; i < chunkSamples.length; i++) {
      const id = chunkSamples[i];
      if (typeof id !== "number") continue;
      samples.push(id);
      timeDeltas.push(finiteOr(deltas[i], 0));
      lines.push(Array.isArray(chunkLines) ? finiteOr(chunkLines[i], 0) : 0);
    }
  }

  for (const b of order) {
    if (b.parent === undefined) continue;
    const parent = byId.get(b.parent);
    if (parent !== undefined && parent !== b) parent.node.children.push(b.node.id);
  }
  for (let i = 0; i < samples.length; i++) {
    const b = byId.get(samples[i]);
    if (b === undefined) continue;
    b.node.hitCount++;
    const line = lines[i];
    if (line > 0) {
      b.ticks ??= new Map();
      b.ticks.set(line, (b.ticks.get(line) ?? 0) + 1);
    }
  }
  const nodes: CdpCpuProfileNode[] = order.map((b) => {
    if (b.ticks === undefined) return b.node;
    const positionTicks = [...b.ticks].map(([line, ticks]) => ({ line, ticks }));
    return { ...b.node, positionTicks };
  });

  const startTime = p.startTime ?? p.firstTs ?? 0;
  let last = startTime;
  for (const d of timeDeltas) last += d;
  return {
    nodes,
    startTime,
    endTime: Math.max(p.endTime ?? last, startTime),
    samples,
    timeDeltas,
  };
}

/** Trace call frames use numeric script ids and omit unknown fields. */
function callFrame(raw: Record<string, unknown> | undefined): CdpCallFrame {
  const scriptId = raw?.scriptId;
  return {
    functionName: typeof raw?.functionName === "string" ? raw.functionName : "",
    scriptId: typeof scriptId === "number" || typeof scriptId === "string" ? String(scriptId) : "0",
    url: typeof raw?.url === "string" ? raw.url : "",
    lineNumber: finiteOr(raw?.lineNumber, -1),
    columnNumber: finiteOr(raw?.columnNumber, -1),
  };
}

function record(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value)
    ? value as Record<string, unknown>
    : undefined;
}

function finiteOr<T extends number | undefined>(value: unknown, fallback: T): number | T {
  return typeof value === "number" && Number.isFinite(value) ? value : fallback;
}
