/**
 * Timers for the periodic collector that never keep the process alive:
 * `unref()` on Node and Bun, `Deno.unrefTimer` on Deno. Elsewhere (workerd,
 * browsers) plain timers, which cannot hold a process open anyway.
 *
 * @module
 */
import type { Timers } from "../../src/periodic.ts";

/**
 * Unreferenced timers for {@linkcode Timers}.
 *
 * @example
 * ```ts ignore
 * import { startPeriodic } from "../../src/periodic.ts";
 * import { unrefTimers } from "./timers.ts";
 * startPeriodic({ collect, sink, timers: unrefTimers });
 * ```
 */
export const unrefTimers: Timers = {
  set(fn: () => void, ms: number): unknown {
    const handle: unknown = setTimeout(fn, ms);
    if (typeof (handle as { unref?: unknown }).unref === "function") {
      (handle as { unref(): void }).unref();
    } else {
      const deno = (globalThis as { Deno?: { unrefTimer?: (id: number) => void } }).Deno;
      if (typeof handle === "number") deno?.unrefTimer?.(handle);
    }
    return handle;
  },
  clear(handle: unknown): void {
    clearTimeout(handle as Parameters<typeof clearTimeout>[0]);
  },
};
