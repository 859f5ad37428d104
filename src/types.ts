/**
 * Shared types: the bundle's `meta`, collection options, and the contract
 * every runtime adapter implements. The core (`src/`) only ever talks to a
 * runtime through {@linkcode RuntimeAdapter}, so it never imports `node:*`
 * or checks `typeof Deno`.
 *
 * @module
 */

/** Runtimes autoprof knows how to detect. `"other"` is never an error. */
export type RuntimeName = "node" | "deno" | "bun" | "workerd" | "other";

/** The parts of a bundle a runtime may or may not be able to capture. */
export type PartName =
  | "heap"
  | "cpu"
  | "trace"
  | "profile_during_trace"
  | "point_in_time"
  | "expvar";

/**
 * Whether a runtime (or one bundle) could capture a part, and if not, why.
 *
 * @example Declaring a part the runtime cannot provide
 * ```ts
 * import type { Capability } from "./types.ts";
 * const trace: Capability = { ok: false, reason: "Deno has no trace facility" };
 * ```
 */
export type Capability =
  | { ok: true; detail?: string }
  | { ok: false; reason: string };

/** What each part can do on this runtime, keyed by {@linkcode PartName}. */
export type Capabilities = Partial<Record<PartName, Capability>>;

/**
 * The JSON document stored as the `meta` entry of every bundle. Field names
 * follow Go autoprof's `ArchiveMeta` (`main`, `revision`, `hostname`,
 * `proc_id`, `init_time`, `capture_time`); the rest are autoprof additions.
 *
 * @example
 * ```ts
 * import type { Meta } from "./types.ts";
 * const m: Meta = {
 *   format_version: 1, main: "api", revision: "1.2.3", runtime: "node",
 *   runtime_version: "v24.1.0", hostname: "web-1",
 *   proc_id: "1-6744d2c0-0123456789abcdef01234567-4242",
 *   init_time: "2026-11-25T01:00:00.000Z", capture_time: "2026-11-25T02:00:00.000Z",
 *   capabilities: { cpu: { ok: true } },
 * };
 * ```
 */
export interface Meta {
  /** Version of the bundle format described in docs/FORMAT.md. */
  format_version: number;
  /** The program: entry script or package name. */
  main: string;
  /** The program's version: package version or VCS revision. */
  revision: string;
  /** Which runtime produced the bundle. */
  runtime: RuntimeName;
  /** The runtime's own version string, e.g. `v24.1.0`, `2.1.4`. */
  runtime_version: string;
  /** Host or container name; `""` when the runtime will not tell. */
  hostname: string;
  /** `1-<8 hex init unix seconds>-<24 hex random>-<pid>`, fixed per process. */
  proc_id: string;
  /** When the process (autoprof's module) started: RFC 3339, ms, UTC. */
  init_time: string;
  /** When this bundle's collection started: RFC 3339, ms, UTC. */
  capture_time: string;
  /** What this runtime can and cannot capture, and why. */
  capabilities: Capabilities;
  /**
   * Parts that were requested for this bundle but left out, with the
   * reason (for example another CPU profile was already running). Absent
   * when nothing was skipped.
   */
  skipped?: Partial<Record<PartName, string>>;
  /**
   * Parts that failed while being captured (the source threw), keyed by
   * entry name (`pprof/heap`, `custom/<escaped name>`) or, for a failure
   * not tied to one entry, by part name (`point_in_time`). The entry is left
   * out; the rest of the bundle is kept. Absent when nothing failed.
   */
  errors?: Record<string, string>;
}

/** Overrides for the program-identifying fields of {@linkcode Meta}. */
export interface MetaOverrides {
  /** Replaces the detected `main`. */
  main?: string;
  /** Replaces the detected `revision`. */
  revision?: string;
  /** Replaces the detected `hostname`. */
  hostname?: string;
}

/** Bytes, or a promise of them: what data sources produce. */
export type Bytes = Uint8Array;

/**
 * A user-supplied data source for a `custom/<name>` entry: a function that
 * returns text or bytes (or a promise of either), or a stream of bytes.
 */
export type CustomSource =
  | ((signal: AbortSignal) => string | Uint8Array | Promise<string | Uint8Array>)
  | ReadableStream<Uint8Array>;

/** Options for one bundle; every field is optional. */
export interface CollectOptions {
  /**
   * Length of the CPU profile in milliseconds. 0 or absent: no CPU profile.
   * @default {0}
   */
  cpuProfileDuration?: number;
  /**
   * Soft cap on the CPU profile's encoded size in bytes: the profile stops
   * as soon as possible after it reaches this size. 0 or absent: no cap.
   * @default {0}
   */
  cpuProfileByteTarget?: number;
  /**
   * Length of the execution trace in milliseconds. 0 or absent: no trace.
   * @default {0}
   */
  traceDuration?: number;
  /**
   * Soft cap on the trace's size in bytes. 0 or absent: no cap.
   * @default {0}
   */
  traceByteTarget?: number;
  /** Extra entries stored as `custom/<url-path-escaped name>`, sorted by name. */
  custom?: Record<string, CustomSource>;
  /**
   * Take the heap profile even when the adapter would leave it out to
   * ration its cost (Node and Deno without an accelerated heap source:
   * V8's inspector forces a full GC per read, and bundles taken more often
   * than that budget allows carry `meta.skipped.heap` instead). For a
   * bundle someone asked for and is waiting on.
   * @default {false}
   */
  forceHeap?: boolean;
  /** Ends timed captures early; the bundle is still valid. */
  signal?: AbortSignal;
  /** Overrides for `meta` fields. */
  meta?: MetaOverrides;
}

/** Options passed to an adapter's timed CPU capture. */
export interface CpuCaptureOptions {
  /** How long to profile, in milliseconds. */
  durationMs: number;
  /** Soft size cap in bytes (0: none). */
  byteTarget: number;
  /** Aborts the capture early; the adapter then returns what it has. */
  signal: AbortSignal;
  /**
   * Called once the profiler is taking samples: after the Node adapter's
   * worker has started (a few hundred ms on a busy machine) and V8's
   * profiler has logged the code it needs. A load test or benchmark can
   * wait for it, so the start-up does not land in what it measures. Not
   * called when the capture is skipped.
   */
  onStarted?: () => void;
}

/** Options passed to an adapter's timed trace capture. */
export interface TraceCaptureOptions {
  /** How long to trace, in milliseconds. */
  durationMs: number;
  /** Soft size cap in bytes (0: none). */
  byteTarget: number;
  /** Also record CPU samples, returned as `profileDuringTrace`. */
  withCpuProfile: boolean;
  /** Aborts the capture early; the adapter then returns what it has. */
  signal: AbortSignal;
}

/**
 * Result of a timed capture. `skipped` means the runtime is busy (another
 * profile or trace is running) and the entry must be left out: never an
 * error, never an empty fake.
 */
export type TimedCapture =
  | { ok: true; data: Uint8Array }
  | { ok: false; skipped: string };

/** Result of a trace capture, with the CPU profile recorded alongside. */
export type TraceCapture =
  | {
    ok: true;
    data: Uint8Array;
    profileDuringTrace?: Uint8Array;
    /**
     * Why `profileDuringTrace` is missing although it was requested (for
     * example another CPU profile was running); goes to `meta.skipped`.
     */
    profileDuringTraceSkipped?: string;
  }
  | { ok: false; skipped: string };

/** A point-in-time profile beyond `heap`, stored as `pprof/<name>`. */
export interface PointInTimeProfile {
  /** Unescaped profile name, e.g. `allocs` or `resources`. */
  name: string;
  /** Produces the entry's bytes (usually gzipped pprof). */
  capture(signal: AbortSignal): Promise<Uint8Array>;
}

/** Options for {@linkcode RuntimeAdapter.heap}. */
export interface HeapCaptureOptions {
  /**
   * Take the heap profile even if the adapter would defer it to ration its
   * cost (V8's inspector forces a full GC per read): for an explicit request
   * such as `GET /debug/pprof/heap`.
   * @default {false}
   */
  force?: boolean;
}

/**
 * What a runtime provides to the core. Each method is optional where a
 * runtime may lack the facility; `capabilities()` must then say why.
 *
 * @example A minimal adapter for an unknown runtime
 * ```ts
 * import type { RuntimeAdapter } from "./types.ts";
 * const adapter: RuntimeAdapter = {
 *   runtime: "other",
 *   runtimeVersion: "unknown",
 *   capabilities: () => ({ heap: { ok: false, reason: "no heap profiler" } }),
 *   processInfo: () => ({ pid: 0, hostname: "", main: "", revision: "" }),
 *   stats: () => ({}),
 * };
 * ```
 */
export interface RuntimeAdapter {
  /** Which runtime this adapter serves. */
  readonly runtime: RuntimeName;
  /** The runtime's version string. */
  readonly runtimeVersion: string;
  /** Static capabilities of this runtime in this process. */
  capabilities(): Capabilities;
  /** Facts about the process used for `meta`; must not throw. */
  processInfo(): { pid: number; hostname: string; main: string; revision: string };
  /** Runtime stats (memory, GC, event loop, resource usage) for `expvar`. */
  stats(): Record<string, unknown> | Promise<Record<string, unknown>>;
  /**
   * Gzipped pprof heap profile for `pprof/heap`. Rejecting with a
   * `PartSkippedError` (code `ERR_AUTOPROF_SKIPPED`) leaves the entry out
   * with its message in `meta.skipped.heap`; any other rejection goes to
   * `meta.errors`.
   */
  heap?(signal: AbortSignal, options?: HeapCaptureOptions): Promise<Uint8Array>;
  /** Other point-in-time profiles, stored in the order given. */
  pointInTime?(): PointInTimeProfile[];
  /** Timed CPU profile as gzipped pprof for `pprof/profile`. */
  cpu?(options: CpuCaptureOptions): Promise<TimedCapture>;
  /** Timed trace for `pprof/trace` (+ `pprof/profile-during-trace`). */
  trace?(options: TraceCaptureOptions): Promise<TraceCapture>;
}
