/**
 * The Node adapter's timed CPU profile: V8's `Profiler` over
 * `node:inspector`, skipped while another profiler runs (see
 * `../_inspector/busy.ts`), as gzipped pprof for `pprof/profile`.
 *
 * @module
 */
import process from "node:process";
import type { CpuCaptureOptions, TimedCapture } from "../../src/types.ts";
import {
  captureCpuProfile,
  COLLECT_BEFORE_CPU_MAX_HEAP_BYTES,
  DEFAULT_CPU_SAMPLING_INTERVAL_MICROS,
  type RemoteCpuProfiler,
} from "../_inspector/cpu_capture.ts";
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
   * `"auto"`: only profiles of {@linkcode CPU_OFFLOAD_MIN_SAMPLES} samples
   * or more (see {@linkcode offloadsCpuProfile}).
   * @default {"auto"}
   */
  offload?: boolean | "auto";
}

/**
 * Expected samples (duration / interval) from which `"auto"` records a CPU
 * profile in a worker. A worker isolate costs about 10 MiB of RSS while it
 * runs and starts in 30-50 ms of another core's time; what it saves the
 * event loop is parsing and converting the profile's JSON. Measured in an
 * app with 400 hot functions on Node 20: at 2 000 samples (20 s at 10 ms)
 * the longest stall of a bundle is V8's `Profiler.start` either way
 * (about 50 ms), at 10 000 (10 s at 1 ms) the main thread's `Profiler.stop`
 * plus parse takes 110-150 ms against 100-115 ms with the worker.
 */
export const CPU_OFFLOAD_MIN_SAMPLES = 5_000;

/**
 * Whether a CPU profile of this length is recorded in a worker.
 *
 * @param offload the adapter's choice.
 * @param durationMs profile length.
 * @param samplingIntervalMicros sampling interval.
 * @returns true for a worker, false for this thread.
 *
 * @example
 * ```ts
 * import { offloadsCpuProfile } from "./cpu.ts";
 * console.assert(!offloadsCpuProfile("auto", 5_000, 10_000)); // 500 samples: this thread
 * console.assert(offloadsCpuProfile("auto", 10_000, 1_000)); // 10 000 samples: a worker
 * ```
 */
export function offloadsCpuProfile(offload: boolean | "auto", durationMs: number, samplingIntervalMicros: number): boolean {
  if (offload !== "auto") return offload;
  return (durationMs * 1000) / samplingIntervalMicros >= CPU_OFFLOAD_MIN_SAMPLES;
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
  const samplingIntervalMicros = options.samplingIntervalMicros ?? DEFAULT_CPU_SAMPLING_INTERVAL_MICROS;
  const offload = options.load === undefined &&
    offloadsCpuProfile(options.offload ?? "auto", options.durationMs, samplingIntervalMicros);
  return captureCpuProfile({
    ...options,
    samplingIntervalMicros,
    busy: nodeBusyFacts(),
    remote: offload ? offloaded : undefined,
    collectGarbageFirst: () => process.memoryUsage().heapUsed <= COLLECT_BEFORE_CPU_MAX_HEAP_BYTES,
  });
}

const offloaded: RemoteCpuProfiler = workerCpuProfiler();
