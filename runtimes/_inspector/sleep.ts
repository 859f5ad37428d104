/**
 * Internal: waiting for a capture's duration, ended early by an abort.
 *
 * @module
 */

/**
 * Waits `ms` milliseconds or until `signal` aborts, whichever is first.
 * The timer is referenced on purpose: a script that awaits a capture must
 * not exit halfway through it.
 *
 * @param ms how long to wait; ≤ 0 resolves at once.
 * @param signal ends the wait early.
 * @returns `"aborted"` if the signal ended the wait, else `"elapsed"`.
 *
 * @example
 * ```ts
 * import { sleep } from "./sleep.ts";
 * const why = await sleep(10, AbortSignal.abort());
 * console.assert(why === "aborted");
 * ```
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<"elapsed" | "aborted"> {
  if (signal?.aborted) return Promise.resolve("aborted");
  if (!(ms > 0)) return Promise.resolve("elapsed");
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve("aborted");
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve("elapsed");
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
