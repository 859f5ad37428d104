/**
 * A timed CPU profile through the inspector's `Profiler` domain (V8 on Node
 * and Deno, JavaScriptCore on Bun), returned as gzipped pprof: the busy
 * checks, the claim, the session, and where the profile is recorded (this
 * thread, or a worker through {@linkcode RemoteCpuProfiler}). Recording
 * itself, and the byte target's checkpoints, are in `./cpu_record.ts`.
 *
 * @module
 */
import type { CpuCaptureOptions, TimedCapture } from "../../src/types.ts";
import { type BusyFacts, cpuBusyReason } from "./busy.ts";
import { encodeCpuProfile } from "./cpu_encode.ts";
import { recordCpuProfile, type RecordCpuProfileOptions } from "./cpu_record.ts";
import { claim } from "./registry.ts";
import { type InspectorLoader, InspectorSession } from "./session.ts";

export {
  epochNanosNow,
  MAX_BYTES_PER_SAMPLE,
  MIN_CHECKPOINT_MS,
  recordCpuProfile,
  type RecordCpuProfileOptions,
  type RecordedCpuProfile,
} from "./cpu_record.ts";

/** Default sampling interval: 10 ms, Go's 100 Hz. */
export const DEFAULT_CPU_SAMPLING_INTERVAL_MICROS = 10_000;

/** Options for {@linkcode captureCpuProfile}. */
export interface CpuProfileCaptureOptions extends CpuCaptureOptions {
  /**
   * Sampling interval in microseconds.
   * @default {10_000}
   */
  samplingIntervalMicros?: number;
  /**
   * Runtime-specific facts for the busy check (flags, trace categories);
   * other inspector sessions and autoprof's own captures are always
   * checked.
   */
  busy?: BusyFacts;
  /** Loads `node:inspector`; for tests. */
  load?: InspectorLoader;
  /**
   * The profiler reports `endTime` as the time of its last sample, not of
   * the stop (Bun, measured on 1.4: a profile whose last 200 ms were idle
   * reports 200 ms too short a duration, one without samples a duration of
   * 0). Then `endTime` is raised to the wall-clock time of the stop, which
   * needs the profile's times in microseconds since the Unix epoch (as
   * Bun's are).
   * @default {false}
   */
  endTimeIsLastSample?: boolean;
  /**
   * Records the profile elsewhere, typically in a worker thread with its
   * own inspector session to this thread: the profile's JSON, its
   * conversion and gzip then never touch this thread's event loop or heap.
   * Resolves to `undefined` when it cannot (no worker threads, the worker
   * failed to load), and the capture then runs in this thread. The busy
   * checks and the claim stay here either way.
   */
  remote?: RemoteCpuProfiler;
  /**
   * Collect garbage first, in its own task, when this says the heap is
   * small enough for a full GC to be cheap. V8 begins every CPU profile by
   * walking the whole heap, dead objects included, on this thread: in a
   * small heap a bundle's own garbage makes that walk, the longest stall of
   * a bundle, much longer than the GC that removes it (Node 20, bench app,
   * 12-16 MB heap: 43 ms instead of 55 ms for the longest stall; the GC
   * itself about 20 ms). Asked once per capture, here; a `remote`
   * recorder gets the answer and collects through its own session (the
   * GC runs on this thread either way). Runtimes without
   * `HeapProfiler.collectGarbage` skip it.
   */
  collectGarbageFirst?: () => boolean;
}

/**
 * V8 heap in use up to which a CPU profile starts after a full GC (see
 * {@linkcode CpuProfileCaptureOptions.collectGarbageFirst}): about 25 ms
 * of collection at 16 MiB (1.5 ms per MB measured on Node 20 and 24), less
 * than the garbage it removes adds to V8's walk of the heap at
 * `Profiler.start`. Bigger heaps start as they are.
 *
 * @example
 * ```ts
 * import { COLLECT_BEFORE_CPU_MAX_HEAP_BYTES } from "./cpu_capture.ts";
 * const collect = (heapUsed: number) => heapUsed <= COLLECT_BEFORE_CPU_MAX_HEAP_BYTES;
 * console.assert(collect(8 * 1024 * 1024));
 * ```
 */
export const COLLECT_BEFORE_CPU_MAX_HEAP_BYTES: number = 16 * 1024 * 1024;

/**
 * Records a CPU profile somewhere other than this thread, or resolves to
 * `undefined` when it cannot (the caller then records in this thread).
 */
export type RemoteCpuProfiler = (options: RecordCpuProfileOptions) => Promise<TimedCapture | undefined>;

/**
 * A session kept connected after the profiler refused to start, reused by
 * the next capture: disconnecting it would stop Bun's VM-wide profiler,
 * the other profile included. Kept with the loader that opened it, so a
 * capture with another loader never gets it.
 */
let parked: { session: InspectorSession; load: InspectorLoader | undefined } | undefined;

/**
 * Runs a CPU profile for `durationMs` (or until `signal` aborts, or the byte
 * target is reached) and returns it as gzipped pprof; or says why it was
 * skipped (another profiler is running, or the runtime has no inspector).
 *
 * @param options duration, byte target, signal and sampling interval.
 * @returns the gzipped pprof profile, or the skip reason.
 * @throws {RangeError} (as a rejection) if `durationMs` is not > 0.
 *
 * @example
 * ```ts ignore
 * import { captureCpuProfile } from "./cpu_capture.ts";
 * const result = await captureCpuProfile({ durationMs: 1000, byteTarget: 0, signal: new AbortController().signal });
 * if (result.ok) console.log(result.data.length);
 * ```
 */
export async function captureCpuProfile(options: CpuProfileCaptureOptions): Promise<TimedCapture> {
  const { durationMs, byteTarget, signal } = options;
  if (!(durationMs > 0)) {
    throw new RangeError(`Cannot start CPU profile: duration must be > 0: got ${durationMs}`);
  }
  const intervalMicros = options.samplingIntervalMicros ?? DEFAULT_CPU_SAMPLING_INTERVAL_MICROS;
  if (!(intervalMicros > 0)) {
    throw new RangeError(`Cannot start CPU profile: sampling interval must be > 0: got ${intervalMicros}`);
  }

  const busy = cpuBusyReason(options.busy);
  if (busy !== undefined) return { ok: false, skipped: busy };
  const release = claim("cpu", "an autoprof CPU profile");
  if (typeof release === "string") return { ok: false, skipped: release };
  try {
    const record = {
      durationMs,
      byteTarget,
      signal,
      intervalMicros,
      endTimeIsLastSample: options.endTimeIsLastSample,
      onStarted: options.onStarted,
      collectGarbageFirst: options.collectGarbageFirst?.() ?? false,
    };
    if (options.remote !== undefined) {
      const remote = await options.remote(record);
      if (remote !== undefined) return remote;
    }
    let session: InspectorSession | undefined;
    if (parked !== undefined && parked.load === options.load) {
      session = parked.session;
      parked = undefined;
    }
    if (session === undefined) {
      const opened = await InspectorSession.open({ load: options.load });
      if (!opened.ok) return { ok: false, skipped: opened.reason };
      session = opened.session;
    }
    let keep = false;
    try {
      const result = await recordCpuProfile(session, { ...record, encode: encodeCpuProfile });
      if (!result.ok && "refused" in result) {
        // V8 gives each session its own profiler, but Bun's is one per VM:
        // a profile started where the watch could not see it refuses ours.
        // Disconnecting a session stops Bun's profiler, the other's
        // included (measured, Bun 1.4): keep this session for next time.
        keep = true;
        parked = { session, load: options.load };
        return { ok: false, skipped: result.skipped };
      }
      return result;
    } finally {
      if (!keep) session.disconnect();
    }
  } finally {
    release();
  }
}
