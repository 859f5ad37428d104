/**
 * The Node runtime adapter of autoprof, and its parts.
 *
 * @example
 * ```ts ignore
 * import { createNodeAdapter } from "./mod.ts";
 * const adapter = await createNodeAdapter({ heapSamplingIntervalBytes: 256 * 1024 });
 * ```
 *
 * @module
 */
export * from "./adapter.ts";
export * from "./cpu.ts";
export * from "./heap.ts";
export * from "./process_info.ts";
export * from "./resources.ts";
export * from "./stats.ts";
export * from "./trace.ts";
