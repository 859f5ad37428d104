/**
 * Small statistics for benchmark samples: quantiles, median and spread.
 *
 * @module
 */

/** Median and spread of a sample. */
export interface Summary {
  /** Number of values. */
  n: number;
  /** Median. */
  median: number;
  /** 25th percentile. */
  p25: number;
  /** 75th percentile. */
  p75: number;
  /** Smallest value. */
  min: number;
  /** Largest value. */
  max: number;
}

/**
 * The `q` quantile (0–1) of `values`, linearly interpolated.
 *
 * @param values the sample (not modified).
 * @param q the quantile.
 * @returns the quantile, `NaN` for an empty sample.
 *
 * @example
 * ```ts
 * import { quantile } from "./_stats.ts";
 * console.assert(quantile([1, 2, 3, 4], 0.5) === 2.5);
 * ```
 */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

/**
 * Median, quartiles and range of `values`.
 *
 * @param values the sample.
 * @returns the summary.
 *
 * @example
 * ```ts
 * import { summarize } from "./_stats.ts";
 * console.assert(summarize([3, 1, 2]).median === 2);
 * ```
 */
export function summarize(values: readonly number[]): Summary {
  return {
    n: values.length,
    median: quantile(values, 0.5),
    p25: quantile(values, 0.25),
    p75: quantile(values, 0.75),
    min: values.length ? Math.min(...values) : NaN,
    max: values.length ? Math.max(...values) : NaN,
  };
}

/**
 * The median of `values` (`NaN` for an empty sample).
 *
 * @param values the sample.
 * @returns the median.
 *
 * @example
 * ```ts
 * import { median } from "./_stats.ts";
 * console.assert(median([5, 1, 3]) === 3);
 * ```
 */
export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}
