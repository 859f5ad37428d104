/**
 * Internal: rations heap profiles that force a full garbage collection.
 *
 * Reading V8's sampling heap profiler through the inspector runs a full
 * GC first (the inspector always starts the sampler with
 * `kSamplingForceGC`): the pause follows the live heap, not the number of
 * samples (measured here: 5 ms for a small heap, 130–290 ms for 200 MB,
 * 260–425 ms with V8's default 32 KiB interval). Taken in every bundle, a
 * big enough heap makes that pause a real share of the process's time.
 *
 * So each profile's cost (its measured main-thread time) is recorded, and
 * the next one is due only once enough time has passed for the cost to
 * stay within a share of run time ({@linkcode DEFAULT_GC_BUDGET}, 0.5 %):
 * with bundles every two minutes that is every bundle below a pause of
 * 600 ms, every other one up to 1.2 s, and so on. The cost is predicted
 * from the last one, scaled by how much the used heap has grown since.
 * The first profile of a process is always due: it is what a short-lived
 * process leaves behind, and its cost calibrates the budget. A sampler
 * that forces no GC (started natively, see the Node adapter) measures as
 * cheap and is always due.
 *
 * @module
 */

/** Largest share of run time heap profiles may spend in forced GCs. */
export const DEFAULT_GC_BUDGET = 0.005;

/** Options for {@linkcode GcBudget}. */
export interface GcBudgetOptions {
  /** Share of run time (0–1). @default {0.005} */
  budget?: number;
  /** Whether a profile forces a GC at all; `false`: always due. @default {true} */
  forcesGc?: boolean;
}

/** One measured profile. */
interface Cost {
  /** Main-thread ms it took. */
  ms: number;
  /** Used heap bytes when it was taken. */
  heapBytes: number;
  /** When it ended, ms on the clock the caller uses (`performance.now()`). */
  at: number;
}

/**
 * Decides when the next GC-forcing heap profile may be taken.
 *
 * @example
 * ```ts
 * import { GcBudget } from "./gc_budget.ts";
 * const budget = new GcBudget();
 * console.assert(budget.deferral({ at: 0, heapBytes: 2 ** 30 }) === undefined); // the first is due
 * budget.record({ ms: 300, heapBytes: 200 * 2 ** 20, at: 1_000 });
 * // 300 ms at 0.5 %: the next is due 60 s later.
 * console.assert(budget.deferral({ at: 30_000, heapBytes: 200 * 2 ** 20 }) !== undefined);
 * console.assert(budget.deferral({ at: 61_000, heapBytes: 200 * 2 ** 20 }) === undefined);
 * ```
 */
export class GcBudget {
  #budget: number;
  #forcesGc: boolean;
  #last: Cost | undefined;

  /** @param options budget share, and whether profiles force a GC. */
  constructor(options: GcBudgetOptions = {}) {
    this.#budget = options.budget ?? DEFAULT_GC_BUDGET;
    this.#forcesGc = options.forcesGc ?? true;
    if (!(this.#budget > 0 && this.#budget <= 1)) {
      throw new RangeError(`Invalid GC budget: must be > 0 and <= 1: got ${this.#budget}`);
    }
  }

  /** The share of run time allowed (0–1). */
  get budget(): number {
    return this.#budget;
  }

  /** The last measured profile, if any. */
  get last(): Readonly<Cost> | undefined {
    return this.#last;
  }

  /**
   * Records a profile just taken.
   *
   * @param cost its main-thread time, the used heap, and when it ended.
   */
  record(cost: Cost): void {
    this.#last = { ...cost };
  }

  /**
   * The predicted cost of a profile taken now, ms (0 before the first).
   *
   * @param heapBytes used heap now.
   * @returns the prediction.
   */
  predict(heapBytes: number): number {
    const last = this.#last;
    if (!this.#forcesGc || last === undefined) return 0;
    // GC time follows the live heap; bound the scaling so that one odd
    // reading cannot move the prediction far.
    const growth = last.heapBytes > 0 ? Math.min(4, Math.max(0.5, heapBytes / last.heapBytes)) : 1;
    return last.ms * growth;
  }

  /**
   * Why a profile must wait, or `undefined` if it may be taken now.
   *
   * @param now when (same clock as `record`) and the used heap.
   * @returns the reason for `meta.skipped`, or undefined.
   */
  deferral(now: { at: number; heapBytes: number }): string | undefined {
    const last = this.#last;
    if (last === undefined) return undefined;
    const predicted = this.predict(now.heapBytes);
    const dueAt = last.at + predicted / this.#budget;
    if (now.at >= dueAt) return undefined;
    const mib = (now.heapBytes / 2 ** 20).toFixed(0);
    return `heap profile deferred: reading the heap sampler forces a full GC (the last took ${
      last.ms.toFixed(0)
    } ms; ${mib} MiB used now); ` +
      `the next is due in ${((dueAt - now.at) / 1000).toFixed(0)} s, keeping forced GCs within ` +
      `${(this.#budget * 100).toFixed(1)} % of run time`;
  }
}
