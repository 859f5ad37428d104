/**
 * When the periodic collector builds its next bundle and what goes in it.
 * Pure and runtime-agnostic: the clock is not used here at all (the caller
 * sleeps for {@linkcode PlannedBundle.delayMs}), and randomness comes from an
 * injectable source so tests can pin it down.
 *
 * The defaults follow Go autoprof's `periodic` package:
 * - bundles are at most 2 minutes apart (from the end of one to the start of
 *   the next); the first wait is trimmed by a random 0–100 %, so a fleet
 *   started together does not profile in lock step, and later waits by a
 *   random 0–20 %;
 * - every bundle except the first has a 5 s CPU profile (1,000,000-byte
 *   target);
 * - an execution trace of 1 s (10,000,000-byte target) comes on a random
 *   1-in-N schedule, N drawn uniformly from 1..100 after each trace, because
 *   traces are large and harder to aggregate than pprof profiles;
 * - the first bundle has no CPU profile and no trace, so that even a
 *   short-lived process leaves some data behind.
 *
 * @module
 */
import type { Capabilities, CollectOptions } from "./types.ts";

/** Tuning for {@linkcode Schedule}; every field is optional. */
export interface ScheduleOptions {
  /**
   * Upper bound on the wait between bundles in milliseconds, measured from
   * the end of one bundle to the start of the next. Must be > 0.
   * @default {120000}
   */
  intervalMs?: number;
  /**
   * Largest share (0–1) of the interval randomly cut from the first wait.
   * @default {1}
   */
  firstJitter?: number;
  /**
   * Largest share (0–1) of the interval randomly cut from every later wait.
   * @default {0.2}
   */
  jitter?: number;
  /**
   * CPU profile length in milliseconds. 0: no CPU profiles.
   * @default {5000}
   */
  cpuProfileDuration?: number;
  /**
   * Soft cap on the CPU profile's size in bytes. 0: no cap.
   * @default {1000000}
   */
  cpuProfileByteTarget?: number;
  /**
   * Execution trace length in milliseconds. 0: no traces.
   * @default {1000}
   */
  traceDuration?: number;
  /**
   * Soft cap on the trace's size in bytes. 0: no cap.
   * @default {10000000}
   */
  traceByteTarget?: number;
  /**
   * After each trace, the number of bundles until the next one is drawn
   * uniformly from 1..traceMaxPeriod. 1: a trace in every bundle.
   * @default {100}
   */
  traceMaxPeriod?: number;
  /**
   * What the runtime can capture. When given, a CPU profile or trace is only
   * requested if the matching capability is `ok`; when absent, both are. A
   * function is asked at every bundle (useful while the runtime adapter is
   * still loading: return `undefined` until it is known).
   */
  capabilities?: Capabilities | (() => Capabilities | undefined);
  /**
   * Random source returning numbers in [0, 1), like `Math.random`.
   * @default {Math.random}
   */
  random?: () => number;
}

/** The fully resolved settings of a {@linkcode Schedule}. */
export interface ResolvedSchedule {
  /** See {@linkcode ScheduleOptions.intervalMs}. */
  intervalMs: number;
  /** See {@linkcode ScheduleOptions.firstJitter}. */
  firstJitter: number;
  /** See {@linkcode ScheduleOptions.jitter}. */
  jitter: number;
  /** See {@linkcode ScheduleOptions.cpuProfileDuration}. */
  cpuProfileDuration: number;
  /** See {@linkcode ScheduleOptions.cpuProfileByteTarget}. */
  cpuProfileByteTarget: number;
  /** See {@linkcode ScheduleOptions.traceDuration}. */
  traceDuration: number;
  /** See {@linkcode ScheduleOptions.traceByteTarget}. */
  traceByteTarget: number;
  /** See {@linkcode ScheduleOptions.traceMaxPeriod}. */
  traceMaxPeriod: number;
}

/** Default schedule, matching Go autoprof's `periodic` package. */
export const DEFAULT_SCHEDULE: Readonly<ResolvedSchedule> = Object.freeze({
  intervalMs: 2 * 60 * 1000,
  firstJitter: 1,
  jitter: 0.2,
  cpuProfileDuration: 5000,
  cpuProfileByteTarget: 1_000_000,
  traceDuration: 1000,
  traceByteTarget: 10_000_000,
  traceMaxPeriod: 100,
});

/** One step of a {@linkcode Schedule}: how long to wait, then what to collect. */
export interface PlannedBundle {
  /** 0 for the first bundle of the process, then 1, 2, … */
  index: number;
  /** Milliseconds to wait before starting this bundle; always > 0. */
  delayMs: number;
  /** What to capture: durations and byte targets for the timed parts. */
  options: Required<
    Pick<
      CollectOptions,
      "cpuProfileDuration" | "cpuProfileByteTarget" | "traceDuration" | "traceByteTarget"
    >
  >;
}

/**
 * A stateful plan of bundles: each {@linkcode Schedule.next} call returns the
 * next wait and bundle options. Not tied to any clock.
 *
 * @example The first bundle is light, later ones profile the CPU
 * ```ts
 * import { Schedule } from "./schedule.ts";
 * const s = new Schedule({ intervalMs: 60_000, random: () => 0.5 });
 * const first = s.next();
 * console.log(first.delayMs, first.options.cpuProfileDuration); // 30000 0
 * const second = s.next();
 * console.log(second.delayMs, second.options.cpuProfileDuration); // 54000 5000
 * ```
 */
export class Schedule {
  #settings: ResolvedSchedule;
  #capabilities: ScheduleOptions["capabilities"];
  #random: () => number;
  #index = 0;
  #nextTrace = 0;

  /**
   * @param options Tuning; see {@linkcode ScheduleOptions}.
   * @throws {RangeError} If a number is out of range (negative, not finite,
   *   a jitter above 1, an interval or trace period below 1).
   */
  constructor(options: ScheduleOptions = {}) {
    this.#settings = resolveSchedule(options);
    this.#capabilities = options.capabilities;
    this.#random = options.random ?? Math.random;
  }

  /** The resolved settings this schedule uses. */
  get settings(): Readonly<ResolvedSchedule> {
    return this.#settings;
  }

  /**
   * Plans the next bundle.
   *
   * @returns The wait before the bundle and the options to collect it with.
   * @example
   * ```ts
   * import { Schedule } from "./schedule.ts";
   * const { delayMs, options } = new Schedule().next();
   * console.log(delayMs <= 120_000, options.traceDuration); // true 0
   * ```
   */
  next(): PlannedBundle {
    const s = this.#settings;
    const i = this.#index++;
    const share = i === 0 ? s.firstJitter : s.jitter;
    // Same draw order as Go: the delay first, then (sometimes) the trace gap.
    const maxTrim = Math.floor(s.intervalMs * share);
    const trim = maxTrim > 0 ? Math.floor(this.#draw() * maxTrim) : 0;
    // The trim is < maxTrim <= interval, so the delay stays > 0.
    const delayMs = s.intervalMs - trim;

    let traceDuration = 0;
    if (this.#nextTrace === i) {
      this.#nextTrace = i + 1 + Math.floor(this.#draw() * s.traceMaxPeriod);
      traceDuration = s.traceDuration;
    }
    const c = this.#capabilities;
    const caps = typeof c === "function" ? c() : c;
    let cpuProfileDuration = caps === undefined || caps.cpu?.ok === true ? s.cpuProfileDuration : 0;
    if (caps !== undefined && caps.trace?.ok !== true) traceDuration = 0;
    // Keep the first bundle quick so short-lived processes still leave data.
    if (i === 0) {
      cpuProfileDuration = 0;
      traceDuration = 0;
    }
    return {
      index: i,
      delayMs,
      options: {
        cpuProfileDuration,
        cpuProfileByteTarget: s.cpuProfileByteTarget,
        traceDuration,
        traceByteTarget: s.traceByteTarget,
      },
    };
  }

  #draw(): number {
    const x = this.#random();
    // A bad random source must not produce a negative or huge delay.
    return Number.isFinite(x) ? Math.min(Math.max(x, 0), 1 - Number.EPSILON) : 0;
  }
}

/**
 * Fills in defaults and checks ranges.
 *
 * @param options Tuning; see {@linkcode ScheduleOptions}.
 * @returns Every setting, resolved.
 * @throws {RangeError} If a value is out of range.
 * @example
 * ```ts
 * import { resolveSchedule } from "./schedule.ts";
 * console.log(resolveSchedule({ cpuProfileDuration: 0 }).intervalMs); // 120000
 * ```
 */
export function resolveSchedule(options: ScheduleOptions = {}): ResolvedSchedule {
  const s: ResolvedSchedule = {
    intervalMs: options.intervalMs ?? DEFAULT_SCHEDULE.intervalMs,
    firstJitter: options.firstJitter ?? DEFAULT_SCHEDULE.firstJitter,
    jitter: options.jitter ?? DEFAULT_SCHEDULE.jitter,
    cpuProfileDuration: options.cpuProfileDuration ?? DEFAULT_SCHEDULE.cpuProfileDuration,
    cpuProfileByteTarget: options.cpuProfileByteTarget ?? DEFAULT_SCHEDULE.cpuProfileByteTarget,
    traceDuration: options.traceDuration ?? DEFAULT_SCHEDULE.traceDuration,
    traceByteTarget: options.traceByteTarget ?? DEFAULT_SCHEDULE.traceByteTarget,
    traceMaxPeriod: options.traceMaxPeriod ?? DEFAULT_SCHEDULE.traceMaxPeriod,
  };
  for (const [name, value] of Object.entries(s)) {
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
      throw new RangeError(`Cannot plan bundles: ${name} must be a finite number >= 0: got ${value}`);
    }
  }
  if (s.intervalMs < 1) {
    throw new RangeError(`Cannot plan bundles: intervalMs must be >= 1: got ${s.intervalMs}`);
  }
  if (s.firstJitter > 1 || s.jitter > 1) {
    throw new RangeError(
      `Cannot plan bundles: jitter must be between 0 and 1: got ${s.firstJitter} and ${s.jitter}`,
    );
  }
  if (!Number.isInteger(s.traceMaxPeriod) || s.traceMaxPeriod < 1) {
    throw new RangeError(
      `Cannot plan bundles: traceMaxPeriod must be an integer >= 1: got ${s.traceMaxPeriod}`,
    );
  }
  return s;
}
