/**
 * A sleep that never keeps the process alive on runtimes whose timers can be
 * unreferenced (Node, Bun; Deno's `node:timers`), and that an
 * `AbortSignal` can cut short.
 *
 * @module
 */

/**
 * Resolves after `ms` milliseconds, or as soon as `signal` aborts.
 *
 * @param ms Milliseconds to wait.
 * @param signal Ends the wait early (resolves, does not reject).
 * @returns A promise that resolves when the wait is over.
 * @example
 * ```ts
 * import { unrefSleep } from "./_sleep.ts";
 * await unrefSleep(10);
 * ```
 */
export function unrefSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    (timer as { unref?: () => void }).unref?.();
    signal?.addEventListener("abort", done, { once: true });
  });
}
