/**
 * Internal: a CDP CPU profile to gzipped pprof, in two steps that each get
 * their own event-loop turn (build + encode, gzip), so that in the thread
 * that runs it neither blocks the loop for the other's length too.
 *
 * @module
 */
import type { CdpCpuProfile } from "../../src/pprof/cdp_types.ts";
import { cpuProfileToPprofBytes } from "../../src/pprof/from_cpu_profile.ts";
import { gzip } from "../../src/gzip.ts";
import { type CpuPprofEncodeOptions, nextTurn } from "./cpu_record.ts";

/**
 * Converts, encodes and gzips a CDP CPU profile.
 *
 * @param profile the CDP profile (from `Profiler.stop`).
 * @param options start time and sampling period.
 * @returns gzipped pprof bytes.
 *
 * @example
 * ```ts
 * import { encodeCpuProfile } from "./cpu_encode.ts";
 * const root = { functionName: "(root)", scriptId: "0", url: "", lineNumber: -1, columnNumber: -1 };
 * const gz = await encodeCpuProfile({ nodes: [{ id: 1, callFrame: root }], startTime: 0, endTime: 0 }, {
 *   startTimeEpochNanos: 0n, periodNanos: 10_000_000,
 * });
 * console.assert(gz[0] === 0x1f);
 * ```
 */
export async function encodeCpuProfile(profile: CdpCpuProfile, options: CpuPprofEncodeOptions): Promise<Uint8Array> {
  const bytes = cpuProfileToPprofBytes(profile, options);
  await nextTurn();
  return await gzip(bytes);
}
