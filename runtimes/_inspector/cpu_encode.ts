/**
 * Internal: a CDP CPU profile to gzipped pprof, in steps that each get
 * their own event-loop turn (build, encode, gzip), so that in the thread
 * that runs it none blocks the loop for the others' length too.
 *
 * @module
 */
import type { CdpCpuProfile } from "../../src/pprof/cdp_types.ts";
import { encodeProfile } from "../../src/pprof/encode.ts";
import { cpuProfileToPprof } from "../../src/pprof/from_cpu_profile.ts";
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
  const message = cpuProfileToPprof(profile, options);
  await nextTurn();
  const bytes = encodeProfile(message);
  await nextTurn();
  return await gzip(bytes);
}
