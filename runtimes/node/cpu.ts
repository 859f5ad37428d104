/**
 * The Node adapter's timed CPU profile: V8's `Profiler` over
 * `node:inspector`, skipped while another profiler runs (see
 * `../_inspector/busy.ts`), as gzipped pprof for `pprof/profile`.
 *
 * @module
 */
import type { CpuCaptureOptions, TimedCapture } from "../../src/types.ts";
import { captureCpuProfile, DEFAULT_CPU_SAMPLING_INTERVAL_MICROS, type RemoteCpuProfiler } from "../_inspector/cpu_capture.ts";
import type { InspectorLoader } from "../_inspector/session.ts";
import { workerCpuProfiler } from "./cpu_offload.ts";
import { nodeBusyFacts } from "./facts.ts";

/** Options for {@linkcode nodeCpuProfile}. */
export interface NodeCpuProfileOptions extends CpuCaptureOptions {
  /**
   * Sampling interval in microseconds.
   * @default {10_000}
   */
  samplingIntervalMicros?: number;
  /** Loads `node:inspector`; for tests (a profile with a loader stays in this thread). */
  load?: InspectorLoader;
  /**
   * Record in a worker thread that owns a session to this thread, so the
   * profile's JSON, conversion and gzip stay off this event loop (see
   * `./cpu_offload.ts`); falls back to this thread when no worker can.
   * @default {true}
   */
  offload?: boolean;
}

/**
 * Profiles the CPU for `durationMs` and returns gzipped pprof, or the
 * reason it was skipped.
 *
 * @param options duration, byte target, signal, sampling interval.
 * @returns the capture or skip reason.
 * @throws {RangeError} (as a rejection) if `durationMs` is not > 0.
 *
 * @example
 * ```ts ignore
 * import { nodeCpuProfile } from "./cpu.ts";
 * const r = await nodeCpuProfile({ durationMs: 1000, byteTarget: 0, signal: new AbortController().signal });
 * console.log(r.ok ? r.data.length : r.skipped);
 * ```
 */
export function nodeCpuProfile(options: NodeCpuProfileOptions): Promise<TimedCapture> {
  return captureCpuProfile({
    ...options,
    samplingIntervalMicros: options.samplingIntervalMicros ?? DEFAULT_CPU_SAMPLING_INTERVAL_MICROS,
    busy: nodeBusyFacts(),
    remote: options.offload !== false && options.load === undefined ? offloaded : undefined,
  });
}

const offloaded: RemoteCpuProfiler = workerCpuProfiler();
