/**
 * Event-loop lag measured by timer drift: a timer asks to run every
 * `intervalMs` and records how late it actually ran. Deno needs this
 * because its `monitorEventLoopDelay` records nothing useful (measured on
 * Deno 2.9: a 200 ms block of the loop shows up as a 40 µs maximum) and
 * `performance.eventLoopUtilization()` returns zeros.
 *
 * Lag here is the delay *beyond* the requested interval (0 on an idle
 * loop), unlike Node's `monitorEventLoopDelay`, whose values include the
 * interval itself. The timer is unreferenced, so it never holds the
 * process open; at 10 ms it wakes the loop 100 times a second, the same
 * rate as Node's histogram at its 10 ms resolution.
 *
 * @module
 */
import type { Timers } from "../../src/periodic.ts";
import { unrefTimers } from "../_register/timers.ts";

/** Default interval between drift samples, in ms. */
export const DEFAULT_DRIFT_INTERVAL_MS = 10;

/** How many recent samples the percentiles are computed over. */
export const DRIFT_WINDOW = 4096;

/** Options for {@linkcode LoopDriftSampler}. */
export interface LoopDriftSamplerOptions {
  /**
   * Requested interval between samples, in ms.
   * @default {10}
   */
  intervalMs?: number;
  /** Timer functions (unreferenced ones by default); for tests. */
  timers?: Timers;
  /** Monotonic clock in ms; for tests. @default {() => performance.now()} */
  now?: () => number;
}

/** What {@linkcode LoopDriftSampler.read} returns; lags in ms. */
export interface LoopDriftStats {
  /** The requested interval, ms. */
  interval_ms: number;
  /** Samples since the sampler started. */
  count: number;
  /** Largest lag since start. */
  max?: number;
  /** Mean lag since start. */
  mean?: number;
  /** Percentiles over the last {@linkcode DRIFT_WINDOW} samples. */
  p50?: number;
  p90?: number;
  p99?: number;
}

/**
 * Samples event-loop lag by timer drift.
 *
 * @example
 * ```ts
 * import { LoopDriftSampler } from "./loop_drift.ts";
 * const sampler = new LoopDriftSampler({ intervalMs: 5 });
 * sampler.start();
 * await new Promise((r) => setTimeout(r, 30));
 * console.log(sampler.read().count >= 0);
 * sampler.stop();
 * ```
 */
export class LoopDriftSampler {
  #interval: number;
  #timers: Timers;
  #now: () => number;
  #handle: unknown;
  #expected = 0;
  #count = 0;
  #sum = 0;
  #max = 0;
  #window = new Float64Array(DRIFT_WINDOW);

  /** @param options interval, timers and clock. */
  constructor(options: LoopDriftSamplerOptions = {}) {
    const interval = options.intervalMs ?? DEFAULT_DRIFT_INTERVAL_MS;
    if (!(interval > 0) || !Number.isFinite(interval)) {
      throw new RangeError(`Cannot sample event-loop drift: interval must be > 0 ms: got ${interval}`);
    }
    this.#interval = interval;
    this.#timers = options.timers ?? unrefTimers;
    this.#now = options.now ?? (() => performance.now());
  }

  /** Whether the sampler's timer is scheduled. */
  get running(): boolean {
    return this.#handle !== undefined;
  }

  /** Starts sampling; a no-op if already started. */
  start(): void {
    if (this.#handle !== undefined) return;
    this.#schedule();
  }

  #schedule(): void {
    this.#expected = this.#now() + this.#interval;
    this.#handle = this.#timers.set(() => this.#tick(), this.#interval);
  }

  #tick(): void {
    const lag = Math.max(0, this.#now() - this.#expected);
    this.#window[this.#count % DRIFT_WINDOW] = lag;
    this.#count++;
    this.#sum += lag;
    if (lag > this.#max) this.#max = lag;
    this.#schedule();
  }

  /**
   * The lag statistics so far.
   *
   * @returns count, max and mean since start, percentiles over the recent window.
   */
  read(): LoopDriftStats {
    const out: LoopDriftStats = { interval_ms: this.#interval, count: this.#count };
    if (this.#count === 0) return out;
    const recent = this.#window.slice(0, Math.min(this.#count, DRIFT_WINDOW)).sort();
    const at = (p: number): number => recent[Math.min(recent.length - 1, Math.floor((p / 100) * recent.length))];
    out.max = this.#max;
    out.mean = this.#sum / this.#count;
    out.p50 = at(50);
    out.p90 = at(90);
    out.p99 = at(99);
    return out;
  }

  /** Stops sampling; the statistics are kept. */
  stop(): void {
    if (this.#handle === undefined) return;
    this.#timers.clear(this.#handle);
    this.#handle = undefined;
  }
}
