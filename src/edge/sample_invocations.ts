/**
 * Bundles at the end of serverless invocations on platforms that freeze
 * the process as soon as the handler returns (AWS Lambda and other
 * "lambda-style" Node hosts): nothing runs in the background there, so 1
 * in N invocations flushes a bundle before returning, within a time
 * budget that never holds the invocation past it.
 *
 * Where the platform offers `waitUntil` (Workers, Vercel, Netlify), use
 * `sampleRequests` instead: it does not delay the response at all.
 *
 * @module
 */
import type { FlushOptions, FlushResult } from "../periodic.ts";
import { addCounter } from "../expvar.ts";

/** Options for {@linkcode sampleInvocations}. */
export interface SampleInvocationsOptions {
  /** The running collector: `start({ sink, schedule: false })`. */
  profiler: { flush(options?: FlushOptions): Promise<FlushResult> };
  /**
   * Flush a bundle after 1 in `oneIn` invocations, chosen at random
   * (1: every invocation). A whole number >= 1.
   */
  oneIn: number;
  /**
   * Most time a flush may add to an invocation, in ms. When the
   * invocation context tells the time left (`getRemainingTimeInMillis()`,
   * as on AWS Lambda), the budget is also capped at that minus `reserveMs`;
   * with less than that left, the flush is skipped.
   * @default {2000}
   */
  timeoutMs?: number;
  /**
   * Time kept free before the platform's deadline, in ms.
   * @default {500}
   */
  reserveMs?: number;
  /**
   * Random source in [0, 1).
   * @default {Math.random}
   */
  random?: () => number;
  /** Called with each flush's outcome (failures also reach the collector's `onError`). */
  onFlushed?: (result: FlushResult) => void;
}

/** Counter names (under `"autoprof"` in `expvar`). */
export const INVOCATION_COUNTERS = {
  /** Invocations chosen for a bundle. */
  chosen: "autoprof.invocations.chosen",
  /** Chosen invocations with too little time left to flush. */
  noTime: "autoprof.invocations.skipped_no_time",
} as const;

/**
 * Wraps a serverless handler so that after 1 in `oneIn` invocations, once
 * the handler has finished (returned or thrown), a bundle is flushed
 * before the wrapper returns: the invocation takes at most the flush
 * budget longer, never more. The handler's result and errors pass through
 * unchanged.
 *
 * @param handler The handler, e.g. AWS Lambda's `(event, context) => result`.
 * @param options The collector, the rate and the time budget.
 * @returns The wrapped handler, with the same arguments.
 * @throws {RangeError} If `oneIn`, `timeoutMs` or `reserveMs` is out of range.
 * @throws {TypeError} If `handler` or `profiler.flush` is not a function.
 * @example
 * ```ts
 * import { sampleInvocations } from "./sample_invocations.ts";
 * let flushed = 0;
 * const profiler = { flush: async () => (flushed++, { ok: false as const, error: "demo" }) };
 * const handler = sampleInvocations(async (event: { n: number }) => event.n * 2, { profiler, oneIn: 1, timeoutMs: 1000 });
 * console.log(await handler({ n: 21 }), flushed); // 42 1
 * ```
 */
export function sampleInvocations<A extends unknown[], R>(
  handler: (...args: A) => R | Promise<R>,
  options: SampleInvocationsOptions,
): (...args: A) => Promise<R> {
  if (typeof handler !== "function") {
    throw new TypeError(`Cannot sample invocations: handler must be a function: got ${typeof handler}`);
  }
  const profiler = options?.profiler;
  if (typeof profiler?.flush !== "function") {
    throw new TypeError("Cannot sample invocations: profiler must be a running collector: use start({ sink, schedule: false })");
  }
  const oneIn = options.oneIn;
  if (typeof oneIn !== "number" || !Number.isSafeInteger(oneIn) || oneIn < 1) {
    throw new RangeError(`Invalid option "oneIn": must be a whole number >= 1: got ${String(oneIn)}`);
  }
  const timeoutMs = milliseconds("timeoutMs", options.timeoutMs ?? 2000);
  const reserveMs = milliseconds("reserveMs", options.reserveMs ?? 500);
  const random = options.random ?? Math.random;

  return async (...args) => {
    const chosen = random() * oneIn < 1;
    try {
      return await handler(...args);
    } finally {
      if (chosen) {
        addCounter(INVOCATION_COUNTERS.chosen, 1);
        const budget = Math.min(timeoutMs, remainingMs(args) - reserveMs);
        if (budget > 0) {
          const result = await profiler.flush({ timeoutMs: budget });
          try {
            options.onFlushed?.(result);
          } catch {
            // A faulty hook must not change the invocation's outcome.
          }
        } else {
          addCounter(INVOCATION_COUNTERS.noTime, 1);
        }
      }
    }
  };
}

/** Time left per the invocation context (AWS Lambda's), or Infinity. */
function remainingMs(args: unknown[]): number {
  for (const arg of args) {
    const get = (arg as { getRemainingTimeInMillis?: unknown } | null)?.getRemainingTimeInMillis;
    if (typeof get !== "function") continue;
    try {
      const ms = get.call(arg);
      if (typeof ms === "number" && Number.isFinite(ms)) return ms;
    } catch {
      // Not a usable context.
    }
  }
  return Infinity;
}

function milliseconds(name: string, v: unknown): number {
  if (typeof v !== "number" || !(v >= 0 && v <= 2 ** 31 - 1)) {
    throw new RangeError(`Invalid option "${name}": must be between 0 and 2147483647 ms: got ${String(v)}`);
  }
  return v;
}
