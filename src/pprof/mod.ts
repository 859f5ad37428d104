/**
 * The runtime-agnostic pprof layer: Chrome DevTools Protocol profiles (V8's
 * and Bun's) and V8 trace events in, gzipped pprof out.
 *
 * @example CPU profile from `node:inspector` to `pprof/profile` bytes
 * ```ts ignore
 * import { cpuProfileToGzippedPprof } from "./mod.ts";
 * const startTimeEpochNanos = BigInt(Date.now()) * 1_000_000n;
 * // ... Profiler.start, wait, then `const { profile } = Profiler.stop` ...
 * const bytes = await cpuProfileToGzippedPprof(profile, { startTimeEpochNanos });
 * ```
 *
 * @module
 */

export * from "./cdp_types.ts";
export * from "./from_cpu_profile.ts";
export * from "./from_heap_profile.ts";
export * from "./from_trace_events.ts";
export * from "./encode.ts";
export * from "./messages.ts";
export type {
  Function as PprofFunction,
  Label,
  Line,
  Location,
  Mapping,
  Profile,
  Sample,
  ValueType,
} from "./profile_pb.ts";
export { ProfileSchema } from "./profile_pb.ts";
