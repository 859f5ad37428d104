/**
 * A timed CPU profile through the inspector's `Profiler` domain (V8 on Node
 * and Deno, JavaScriptCore on Bun), returned as gzipped pprof.
 *
 * ## The byte target
 *
 * V8 hands out a CPU profile only at `Profiler.stop`, so its size cannot be
 * watched while it grows. Two designs were measured (Node 20, 100 Hz):
 *
 * - Estimating size from elapsed samples with a bytes-per-sample bound:
 *   gzipped pprof took 6 B/sample for a small app and 71–157 B/sample for
 *   one with 3 000 distinct functions; and growth is sublinear, because
 *   repeated stacks merge. A bound safe for the second app stops the first
 *   one 25× too early.
 * - Checkpoints: stop the profile, restart it at once, convert what was
 *   collected so far and measure the real gzipped size. A restart costs
 *   one `Profiler.start` (V8 logs all compiled code again: 6 ms for a small
 *   app, 30 ms for 3 000 functions) plus one `Profiler.stop` (3–27 ms),
 *   and leaves a gap of that length without samples.
 *
 * autoprof uses checkpoints, and only when a byte target is set, and
 * schedules them with the bound: {@linkcode MAX_BYTES_PER_SAMPLE} (above
 * the largest rate measured) says how soon the profile could possibly
 * reach the target, and the next checkpoint waits until then (never less
 * than {@linkcode MIN_CHECKPOINT_MS}). So with the default 1 MB target a
 * 10 s profile at 100 Hz has no checkpoint at all (the target is 50 s
 * away even at the bound); a profile that does approach its target is
 * checked more often as it nears it; and the profile stops at the first
 * checkpoint at or past the target: a soft cap, like Go's. A profile
 * denser than the bound can overshoot until the next checkpoint.
 *
 * @module
 */
import type { CdpCpuProfile } from "../../src/pprof/cdp_types.ts";
import { cpuProfileToGzippedPprof } from "../../src/pprof/from_cpu_profile.ts";
import type { CpuCaptureOptions, TimedCapture } from "../../src/types.ts";
import { type BusyFacts, cpuBusyReason } from "./busy.ts";
import { claim } from "./registry.ts";
import { mergeCpuProfiles } from "./merge_cpu_profiles.ts";
import { type InspectorLoader, InspectorSession } from "./session.ts";
import { sleep } from "./sleep.ts";

/** Default sampling interval: 10 ms, Go's 100 Hz. */
export const DEFAULT_CPU_SAMPLING_INTERVAL_MICROS = 10_000;

/**
 * Upper bound on gzipped pprof bytes per sample used to schedule size
 * checkpoints (measured: 6–157 B/sample, the most in the first second of
 * a profile of 3 000 distinct functions).
 */
export const MAX_BYTES_PER_SAMPLE = 200;

/** Shortest interval between two size checkpoints, in ms. */
export const MIN_CHECKPOINT_MS = 250;

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
}

/**
 * A session kept connected after the profiler refused to start, reused by
 * the next capture: disconnecting it would stop Bun's VM-wide profiler,
 * the other profile included. Kept with the loader that opened it, so a
 * capture with another loader never gets it.
 */
let parked: { session: InspectorSession; load: InspectorLoader | undefined } | undefined;

/**
 * Wall-clock now in nanoseconds since the Unix epoch, sub-millisecond
 * where the runtime allows.
 *
 * @returns nanoseconds since the epoch.
 *
 * @example
 * ```ts
 * import { epochNanosNow } from "./cpu_capture.ts";
 * console.assert(epochNanosNow() / 1_000_000n >= BigInt(Date.now() - 1000));
 * ```
 */
export function epochNanosNow(): bigint {
  const ms = performance.timeOrigin + performance.now();
  return BigInt(Math.round(ms * 1_000_000));
}

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
      await session.post("Profiler.enable");
      const startTimeEpochNanos = epochNanosNow();
      try {
        await session.post("Profiler.setSamplingInterval", { interval: Math.round(intervalMicros) });
        await session.post("Profiler.start");
      } catch (error) {
        // V8 gives each session its own profiler, but Bun's is one per VM:
        // a profile started where the watch could not see it refuses ours.
        // Disconnecting a session stops Bun's profiler, the other's
        // included (measured, Bun 1.4): keep this session for next time.
        keep = true;
        parked = { session, load: options.load };
        const message = error instanceof Error ? error.message : String(error);
        return { ok: false, skipped: `the CPU profiler refused to start (another profile is likely running): ${message}` };
      }
      const segments = await profileFor(session, { durationMs, byteTarget, signal, intervalMicros, startTimeEpochNanos });
      const stopEpochMicros = Number(epochNanosNow()) / 1000;
      const stopped = await session.post<{ profile: CdpCpuProfile }>("Profiler.stop");
      segments.push(stopped.profile);
      const merged = mergeCpuProfiles(segments);
      if (options.endTimeIsLastSample) merged.endTime = Math.max(merged.endTime, stopEpochMicros);
      return {
        ok: true,
        data: await cpuProfileToGzippedPprof(merged, {
          startTimeEpochNanos,
          periodNanos: intervalMicros * 1000,
        }),
      };
    } finally {
      if (!keep) session.disconnect();
    }
  } finally {
    release();
  }
}

interface ProfileForOptions {
  durationMs: number;
  byteTarget: number;
  signal: AbortSignal;
  intervalMicros: number;
  startTimeEpochNanos: bigint;
}

/**
 * Waits out the profile, taking size checkpoints when there is a byte
 * target. Returns the segments stopped at checkpoints; the profile is
 * still running on return.
 */
async function profileFor(session: InspectorSession, options: ProfileForOptions): Promise<CdpCpuProfile[]> {
  const { durationMs, byteTarget, signal } = options;
  const segments: CdpCpuProfile[] = [];
  const started = performance.now();
  const deadline = started + durationMs;
  if (!(byteTarget > 0)) {
    await sleep(durationMs, signal);
    return segments;
  }
  // The soonest the profile could grow by `bytes`, at the bound.
  const boundMs = (bytes: number): number => Math.max(MIN_CHECKPOINT_MS, (bytes / MAX_BYTES_PER_SAMPLE) * options.intervalMicros / 1000);
  let wait = boundMs(byteTarget);
  for (;;) {
    const remaining = deadline - performance.now();
    if (remaining <= 0) return segments;
    if (wait >= remaining) {
      await sleep(remaining, signal);
      return segments;
    }
    if (await sleep(wait, signal) === "aborted") return segments;
    const stopped = await session.post<{ profile: CdpCpuProfile }>("Profiler.stop");
    await session.post("Profiler.start");
    segments.push(stopped.profile);
    const size = (await cpuProfileToGzippedPprof(mergeCpuProfiles(segments), {
      startTimeEpochNanos: options.startTimeEpochNanos,
      periodNanos: options.intervalMicros * 1000,
    })).length;
    if (size >= byteTarget) return segments;
    wait = boundMs(byteTarget - size);
  }
}
