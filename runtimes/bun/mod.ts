/**
 * The Bun runtime adapter of autoprof, and its parts. CPU profiles work as
 * on Node; `pprof/heap` holds JSC heap statistics (live object counts by
 * type, not a sampling profile); `pprof/heap-retainers` (a full heap
 * snapshot by retainer path) is opt-in; there is no trace.
 *
 * @example
 * ```ts ignore
 * import { createBunAdapter } from "./mod.ts";
 * const adapter = await createBunAdapter({ heapSnapshot: true });
 * console.log(adapter.capabilities());
 * ```
 *
 * @module
 */
export * from "./adapter.ts";
export * from "./bun_api.ts";
export * from "./heap.ts";
export * from "./heap_retainers.ts";
export * from "./heap_stats.ts";
export * from "./stats.ts";
