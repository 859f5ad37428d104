/**
 * The Deno runtime adapter of autoprof, and its parts. Run with
 * `--allow-sys` for CPU and heap profiles (Deno's `node:inspector` needs
 * it); without it, bundles still carry `meta`, `expvar` and
 * `pprof/resources`, and `meta.capabilities` names the missing flag.
 *
 * @example
 * ```ts ignore
 * import { createDenoAdapter } from "./mod.ts";
 * const adapter = await createDenoAdapter({ cpuSamplingIntervalMicros: 1000 });
 * console.log(adapter.capabilities());
 * ```
 *
 * @module
 */
export * from "./adapter.ts";
export * from "./deno_api.ts";
export * from "./loop_drift.ts";
export * from "./process_info.ts";
export * from "./stats.ts";
