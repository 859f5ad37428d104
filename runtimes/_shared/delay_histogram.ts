/**
 * The event-loop delay summary shared by the runtimes that have a working
 * `monitorEventLoopDelay` (Node, Bun).
 *
 * @module
 */

/** The part of `perf_hooks.IntervalHistogram` the summary reads (nanoseconds). */
export interface DelayHistogram {
  readonly count: number;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  readonly stddev: number;
  percentile(p: number): number;
}

/**
 * Summarises an event-loop delay histogram in milliseconds for `expvar`.
 *
 * @param h the histogram (values in nanoseconds).
 * @param resolutionMs the histogram's sampling resolution, reported as is.
 * @returns count, min, max, mean, stddev and p50/p90/p99 in ms; only the
 * count when the histogram is empty (it would report min as 2^63).
 *
 * @example
 * ```ts
 * import { summarizeDelay } from "./delay_histogram.ts";
 * const h = { count: 1, min: 2e6, max: 2e6, mean: 2e6, stddev: 0, percentile: () => 2e6 };
 * console.assert(summarizeDelay(h, 10).p99 === 2);
 * ```
 */
export function summarizeDelay(h: DelayHistogram, resolutionMs: number): Record<string, number> {
  if (h.count === 0) return { resolution_ms: resolutionMs, count: 0 };
  const ms = (ns: number): number => ns / 1e6;
  return {
    resolution_ms: resolutionMs,
    count: h.count,
    min: ms(h.min),
    max: ms(h.max),
    mean: ms(h.mean),
    stddev: ms(h.stddev),
    p50: ms(h.percentile(50)),
    p90: ms(h.percentile(90)),
    p99: ms(h.percentile(99)),
  };
}
