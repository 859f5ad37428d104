/**
 * Shapes of the Chrome DevTools Protocol (CDP) profiles that V8 (Node,
 * Deno, Chromium) and Bun's inspector produce, and of Chrome trace events.
 * They are the inputs of the pprof converters in this folder.
 *
 * Arrays are `readonly` so that values typed by `node:inspector` (or parsed
 * from JSON) can be passed in as they are; the converters never mutate
 * their input.
 *
 * @module
 */

/**
 * A JavaScript stack frame as CDP reports it (`Runtime.CallFrame`).
 *
 * @example
 * ```ts
 * import type { CdpCallFrame } from "./cdp_types.ts";
 * const frame: CdpCallFrame = {
 *   functionName: "handle", scriptId: "42", url: "file:///app/server.js",
 *   lineNumber: 9, columnNumber: 2,
 * };
 * ```
 */
export interface CdpCallFrame {
  /** Function name; `""` for anonymous functions and top-level code. */
  functionName: string;
  /** Script id, unique per script within one isolate; `"0"` for VM frames. */
  scriptId: string;
  /** Script URL, e.g. `file:///app/x.js` or `node:internal/timers`; may be `""`. */
  url: string;
  /** 0-based line of the function's start; `-1` when unknown. */
  lineNumber: number;
  /** 0-based column of the function's start; `-1` when unknown. */
  columnNumber: number;
}

/** Samples that hit one source line of a CPU profile node. */
export interface CdpPositionTickInfo {
  /** 1-based source line. */
  line: number;
  /** Number of samples on that line. */
  ticks: number;
}

/**
 * One node of a CDP CPU profile's call tree (`Profiler.ProfileNode`).
 *
 * @example
 * ```ts
 * import type { CdpCpuProfileNode } from "./cdp_types.ts";
 * const root: CdpCpuProfileNode = {
 *   id: 1, hitCount: 0, children: [2],
 *   callFrame: { functionName: "(root)", scriptId: "0", url: "", lineNumber: -1, columnNumber: -1 },
 * };
 * ```
 */
export interface CdpCpuProfileNode {
  /** Unique id within the profile. */
  id: number;
  /** The frame this node stands for. */
  callFrame: CdpCallFrame;
  /** Samples whose leaf is this node (used when `samples` is absent). */
  hitCount?: number;
  /** Ids of the child nodes. */
  children?: readonly number[];
  /** Why the function was deoptimized, if it was. */
  deoptReason?: string;
  /** Per-line sample counts for this node. */
  positionTicks?: readonly CdpPositionTickInfo[];
}

/**
 * A CDP CPU profile (`Profiler.Profile`), as returned by `Profiler.stop`.
 *
 * V8 reports `startTime`/`endTime` on a monotonic clock in microseconds;
 * Bun reports them as microseconds since the Unix epoch.
 *
 * @example
 * ```ts
 * import type { CdpCpuProfile } from "./cdp_types.ts";
 * const empty: CdpCpuProfile = {
 *   nodes: [{ id: 1, callFrame: { functionName: "(root)", scriptId: "0", url: "", lineNumber: -1, columnNumber: -1 } }],
 *   startTime: 0, endTime: 1_000_000, samples: [], timeDeltas: [],
 * };
 * ```
 */
export interface CdpCpuProfile {
  /** All nodes of the call tree; the root has no parent. */
  nodes: readonly CdpCpuProfileNode[];
  /** Profiling start, microseconds. */
  startTime: number;
  /** Profiling end, microseconds. */
  endTime: number;
  /** Leaf node id of every sample, in time order. */
  samples?: readonly number[];
  /**
   * Microseconds between consecutive samples; the first is relative to
   * `startTime`. Same length as `samples`.
   */
  timeDeltas?: readonly number[];
}

/** One node of a CDP sampling heap profile (`HeapProfiler.SamplingHeapProfileNode`). */
export interface CdpSamplingHeapProfileNode {
  /** The allocating frame. */
  callFrame: CdpCallFrame;
  /**
   * Bytes attributed to this node excluding children. V8 has already
   * scaled it up from the sampled objects (an estimate of the real bytes).
   */
  selfSize: number;
  /**
   * Node id, referenced by {@linkcode CdpSamplingHeapProfileSample.nodeId}.
   * V8 always sends it; optional because `@types/node`'s
   * `HeapProfiler.SamplingHeapProfileNode` does not declare it.
   */
  id?: number;
  /** Child nodes. */
  children: readonly CdpSamplingHeapProfileNode[];
}

/** One sampled, still-tracked object of a sampling heap profile. */
export interface CdpSamplingHeapProfileSample {
  /**
   * Bytes this sample stands for: V8 multiplies the object's size by the
   * (rounded) number of objects each sample of that size represents.
   */
  size: number;
  /** Id of the node that allocated the object. */
  nodeId: number;
  /** Time-ordered sample number. */
  ordinal: number;
}

/**
 * A CDP sampling heap profile (`HeapProfiler.SamplingHeapProfile`), as
 * returned by `HeapProfiler.getSamplingProfile`.
 *
 * @example
 * ```ts
 * import type { CdpSamplingHeapProfile } from "./cdp_types.ts";
 * const p: CdpSamplingHeapProfile = {
 *   head: {
 *     id: 1, selfSize: 0, children: [],
 *     callFrame: { functionName: "(root)", scriptId: "0", url: "", lineNumber: -1, columnNumber: -1 },
 *   },
 *   samples: [],
 * };
 * ```
 */
export interface CdpSamplingHeapProfile {
  /** Root of the allocation call tree. */
  head: CdpSamplingHeapProfileNode;
  /** The sampled objects; absent in very old V8 versions. */
  samples?: readonly CdpSamplingHeapProfileSample[];
}

/**
 * One event of the Chrome trace event format (the JSON array that
 * `NodeTracing.dataCollected` delivers and `chrome://tracing` reads).
 * Only the fields autoprof uses are typed precisely.
 *
 * @example
 * ```ts
 * import type { ChromeTraceEvent } from "./cdp_types.ts";
 * const e: ChromeTraceEvent = {
 *   name: "Profile", cat: "disabled-by-default-v8.cpu_profiler", ph: "P",
 *   pid: 1, tid: 1, ts: 100, id: "0x1", args: { data: { startTime: 100 } },
 * };
 * ```
 */
export interface ChromeTraceEvent {
  /** Event name, e.g. `Profile` or `ProfileChunk`. */
  name: string;
  /** Comma-separated categories. */
  cat?: string;
  /** Phase, e.g. `X` (complete), `P` (sample), `M` (metadata). */
  ph: string;
  /** Timestamp, microseconds. */
  ts?: number;
  /** Process id. */
  pid?: number;
  /** Thread id. */
  tid?: number;
  /** Event id tying related events together (a profile's chunks). */
  id?: string | number;
  /** Event-specific payload. */
  args?: Record<string, unknown>;
  /** Further fields (`dur`, `tts`, `s`, ...). */
  [field: string]: unknown;
}
