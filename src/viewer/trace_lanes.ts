/**
 * Chrome trace event JSON (what `pprof/trace` holds on Node) as lanes for
 * a timeline: one lane per thread, with its duration events (`X`, and `B`/`E`
 * pairs) laid out by nesting depth. Instant, counter, async and metadata
 * events other than thread and process names are left out.
 *
 * @module
 */

/** One bar in a lane. */
export interface LaneEvent {
  /** Event name. */
  n: string;
  /** Category. */
  cat: string;
  /** Start, µs since the trace's first event. */
  ts: number;
  /** Duration in µs. */
  d: number;
  /** Nesting depth (0: outermost). */
  depth: number;
}

/** One thread's events. */
export interface Lane {
  /** Process id. */
  pid: number;
  /** Thread id. */
  tid: number;
  /** Thread (and process) name from metadata, or `pid/tid`. */
  name: string;
  /** Events by start time. */
  events: LaneEvent[];
}

/** What {@linkcode traceLanes} returns. */
export interface TraceLanes {
  /** Lanes, busiest first. */
  lanes: Lane[];
  /** Length of the trace in µs. */
  duration: number;
  /** Events left out beyond `maxEvents`. */
  dropped: number;
}

interface RawEvent {
  ph?: unknown;
  name?: unknown;
  cat?: unknown;
  ts?: unknown;
  dur?: unknown;
  pid?: unknown;
  tid?: unknown;
  args?: { name?: unknown };
}

/**
 * Reads trace events into lanes.
 *
 * @param trace Parsed JSON: `{ traceEvents: [...] }` or a bare array.
 * @param options `maxEvents`: most events kept, longest first (default 20000).
 * @returns Lanes and the trace's length.
 * @throws {TypeError} If `trace` is not trace event JSON.
 * @example
 * ```ts
 * import { traceLanes } from "./trace_lanes.ts";
 * const t = traceLanes({ traceEvents: [{ ph: "X", name: "work", ts: 10, dur: 5, pid: 1, tid: 1 }] });
 * console.log(t.lanes[0]!.events[0]); // { n: "work", cat: "", ts: 0, d: 5, depth: 0 }
 * ```
 */
export function traceLanes(trace: unknown, options: { maxEvents?: number } = {}): TraceLanes {
  const events = Array.isArray(trace) ? trace : (trace as { traceEvents?: unknown } | null)?.traceEvents;
  if (!Array.isArray(events)) throw new TypeError("Not a Chrome trace: expected {\"traceEvents\": [...]} or an array of events");
  const names = new Map<string, string>();
  const processes = new Map<number, string>();
  type Span = { pid: number; tid: number; n: string; cat: string; ts: number; d: number };
  const spans: Span[] = [];
  const open = new Map<string, Span[]>();
  let start = Infinity;
  let end = -Infinity;
  for (const raw of events as RawEvent[]) {
    if (typeof raw !== "object" || raw === null) continue;
    const ts = typeof raw.ts === "number" && Number.isFinite(raw.ts) ? raw.ts : undefined;
    const pid = typeof raw.pid === "number" ? raw.pid : 0;
    const tid = typeof raw.tid === "number" ? raw.tid : 0;
    const lane = `${pid}/${tid}`;
    const name = typeof raw.name === "string" ? raw.name : "";
    const cat = typeof raw.cat === "string" ? raw.cat : "";
    if (raw.ph === "M") {
      const label = typeof raw.args?.name === "string" ? raw.args.name : undefined;
      if (label !== undefined && name === "thread_name") names.set(lane, label);
      if (label !== undefined && name === "process_name") processes.set(pid, label);
      continue;
    }
    if (ts === undefined) continue;
    if (raw.ph === "X") {
      const d = typeof raw.dur === "number" && Number.isFinite(raw.dur) && raw.dur > 0 ? raw.dur : 0;
      spans.push({ pid, tid, n: name, cat, ts, d });
      start = Math.min(start, ts);
      end = Math.max(end, ts + d);
    } else if (raw.ph === "B") {
      const span = { pid, tid, n: name, cat, ts, d: 0 };
      const stack = open.get(lane) ?? [];
      stack.push(span);
      open.set(lane, stack);
      start = Math.min(start, ts);
      end = Math.max(end, ts);
    } else if (raw.ph === "E") {
      const span = open.get(lane)?.pop();
      if (span !== undefined && ts >= span.ts) {
        span.d = ts - span.ts;
        spans.push(span);
      }
      end = Math.max(end, ts);
    }
  }
  if (!Number.isFinite(start)) return { lanes: [], duration: 0, dropped: 0 };

  const maxEvents = options.maxEvents ?? 20_000;
  let kept = spans;
  let dropped = 0;
  if (spans.length > maxEvents) {
    kept = [...spans].sort((a, b) => b.d - a.d).slice(0, maxEvents);
    dropped = spans.length - maxEvents;
  }
  const byLane = new Map<string, Lane>();
  kept.sort((a, b) => a.ts - b.ts || b.d - a.d);
  const stacks = new Map<string, number[]>();
  for (const s of kept) {
    const key = `${s.pid}/${s.tid}`;
    let lane = byLane.get(key);
    if (lane === undefined) {
      const thread = names.get(key);
      const proc = processes.get(s.pid);
      lane = { pid: s.pid, tid: s.tid, name: thread !== undefined ? (proc !== undefined ? `${proc}: ${thread}` : thread) : key, events: [] };
      byLane.set(key, lane);
    }
    // Depth: how many enclosing spans are still open at this start.
    const ends = stacks.get(key) ?? [];
    while (ends.length > 0 && ends[ends.length - 1]! <= s.ts) ends.pop();
    lane.events.push({ n: s.n, cat: s.cat, ts: s.ts - start, d: s.d, depth: ends.length });
    ends.push(s.ts + s.d);
    stacks.set(key, ends);
  }
  const lanes = [...byLane.values()].sort((a, b) => b.events.length - a.events.length);
  return { lanes, duration: end - start, dropped };
}
