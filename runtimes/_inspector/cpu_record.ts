/**
 * Internal: one CPU profile recorded on an open inspector session, in
 * whichever thread owns the session (the profiled thread itself, or a
 * worker whose session is connected to the main thread). Conversion to
 * pprof is injected, so that a worker can start the profiler before it
 * loads the converter.
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
import type { TimedCapture } from "../../src/types.ts";
import { mergeCpuProfiles } from "./merge_cpu_profiles.ts";
import type { InspectorSession } from "./session.ts";
import { sleep } from "./sleep.ts";

/**
 * Upper bound on gzipped pprof bytes per sample used to schedule size
 * checkpoints (measured: 6–157 B/sample, the most in the first second of
 * a profile of 3 000 distinct functions).
 */
export const MAX_BYTES_PER_SAMPLE = 200;

/** Shortest interval between two size checkpoints, in ms. */
export const MIN_CHECKPOINT_MS = 250;

/** Options for {@linkcode recordCpuProfile} (and a `RemoteCpuProfiler`). */
export interface RecordCpuProfileOptions {
  /** How long to profile, in milliseconds. */
  durationMs: number;
  /** Soft size cap in bytes (0: none). */
  byteTarget: number;
  /** Ends the profile early; what was recorded is kept. */
  signal: AbortSignal;
  /** Sampling interval in microseconds. */
  intervalMicros: number;
  /** See {@linkcode CpuProfileCaptureOptions.endTimeIsLastSample}. */
  endTimeIsLastSample?: boolean;
  /** Called once the profiler runs. */
  onStarted?: () => void;
  /**
   * Run a full GC, in a task of its own, before the profiler starts. V8
   * begins every CPU profile by walking the profiled thread's whole heap,
   * dead objects included: in a small heap the walk over a bundle's own
   * garbage costs more than the GC that removes it (see
   * `CpuProfileCaptureOptions.collectGarbageFirst`).
   */
  collectGarbageFirst?: boolean;
}

/** Options for a {@linkcode CpuPprofEncoder}. */
export interface CpuPprofEncodeOptions {
  /** When the profile started, nanoseconds since the Unix epoch. */
  startTimeEpochNanos: bigint;
  /** The sampling interval, ns (used when the profile cannot tell). */
  periodNanos: number;
}

/** Turns a CDP CPU profile into gzipped pprof bytes. */
export type CpuPprofEncoder = (profile: CdpCpuProfile, options: CpuPprofEncodeOptions) => Promise<Uint8Array>;

/**
 * Result of {@linkcode recordCpuProfile}: the capture, or the profiler's
 * refusal to start (`refused`: the session may need to be kept, see
 * `captureCpuProfile`).
 */
export type RecordedCpuProfile = TimedCapture | { ok: false; skipped: string; refused: true };

/**
 * Wall-clock now in nanoseconds since the Unix epoch, sub-millisecond
 * where the runtime allows.
 *
 * @returns nanoseconds since the epoch.
 *
 * @example
 * ```ts
 * import { epochNanosNow } from "./cpu_record.ts";
 * console.assert(epochNanosNow() / 1_000_000n >= BigInt(Date.now() - 1000));
 * ```
 */
export function epochNanosNow(): bigint {
  const ms = performance.timeOrigin + performance.now();
  return BigInt(Math.round(ms * 1_000_000));
}

/**
 * Records one CPU profile on an open session: sets the interval, starts
 * the profiler, waits (taking size checkpoints when there is a byte
 * target), stops it and converts the result to gzipped pprof. Runs in
 * whichever thread owns the session: the capture's own thread, or a
 * worker whose session is connected to the main thread.
 *
 * The stop and the conversion run in separate event-loop turns, so that
 * in the profiled thread each blocks the loop only for its own length.
 *
 * @param session a connected session (closed by the caller).
 * @param options duration, byte target, signal, interval, and the
 * converter to pprof.
 * @returns the capture, or the profiler's refusal to start.
 *
 * @example
 * ```ts ignore
 * import { encodeCpuProfile } from "./cpu_encode.ts";
 * import { recordCpuProfile } from "./cpu_record.ts";
 * import { InspectorSession } from "./session.ts";
 * const opened = await InspectorSession.open();
 * if (opened.ok) {
 *   const r = await recordCpuProfile(opened.session, {
 *     durationMs: 1000, byteTarget: 0, signal: new AbortController().signal, intervalMicros: 10_000,
 *     encode: encodeCpuProfile,
 *   });
 *   opened.session.disconnect();
 *   console.log(r.ok);
 * }
 * ```
 */
export async function recordCpuProfile(
  session: InspectorSession,
  options: RecordCpuProfileOptions & { encode: CpuPprofEncoder },
): Promise<RecordedCpuProfile> {
  const { durationMs, byteTarget, signal, intervalMicros } = options;
  if (options.collectGarbageFirst) await collectGarbage(session);
  await session.post("Profiler.enable");
  const startTimeEpochNanos = epochNanosNow();
  try {
    await session.post("Profiler.setSamplingInterval", { interval: Math.round(intervalMicros) });
    await session.post("Profiler.start");
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      skipped: `the CPU profiler refused to start (another profile is likely running): ${message}`,
      refused: true,
    };
  }
  options.onStarted?.();
  const encode = (p: CdpCpuProfile) => options.encode(p, { startTimeEpochNanos, periodNanos: intervalMicros * 1000 });
  const segments = await profileFor(session, { durationMs, byteTarget, signal, intervalMicros, encode });
  const stopEpochMicros = Number(epochNanosNow()) / 1000;
  const stopped = await session.post<{ profile: CdpCpuProfile }>("Profiler.stop");
  segments.push(stopped.profile);
  await nextTurn();
  const merged = mergeCpuProfiles(segments);
  if (options.endTimeIsLastSample) merged.endTime = Math.max(merged.endTime, stopEpochMicros);
  return { ok: true, data: await encode(merged) };
}

/**
 * Lets the event loop run (timers, I/O) before the next step.
 *
 * @returns a promise resolved on a later turn.
 *
 * @example
 * ```ts
 * import { nextTurn } from "./cpu_record.ts";
 * await nextTurn();
 * ```
 */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * A full GC of the session's thread, then a macrotask turn, so that the
 * profiler starts in a task of its own on the collected heap (V8 answers
 * `collectGarbage` from a task it posts, after the collection).
 */
async function collectGarbage(session: InspectorSession): Promise<void> {
  // Deno does not count that posted task as pending work: with nothing
  // else to do, it ends the program (a top-level await "never resolved")
  // before the reply. A timer holds the process for the wait; the reply
  // comes as soon as the GC is done.
  const hold = setTimeout(() => {}, GC_REPLY_HOLD_MS);
  try {
    await session.post("HeapProfiler.collectGarbage");
  } catch {
    // No HeapProfiler domain (Bun): start on the heap as it is.
    return;
  } finally {
    clearTimeout(hold);
  }
  await nextTurn();
}

/** Longest a GC's reply holds the process open (a GC takes milliseconds). */
const GC_REPLY_HOLD_MS = 10_000;

interface ProfileForOptions {
  durationMs: number;
  byteTarget: number;
  signal: AbortSignal;
  intervalMicros: number;
  encode: (profile: CdpCpuProfile) => Promise<Uint8Array>;
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
    const size = (await options.encode(mergeCpuProfiles(segments))).length;
    if (size >= byteTarget) return segments;
    wait = boundMs(byteTarget - size);
  }
}
