/**
 * pprof profiles as protobuf-es `Profile` messages, for code that inspects
 * or edits them (tests, the CLI's merge, Bun's commented heap profiles).
 *
 * Each is the wire bytes autoprof stores, decoded: one writer
 * (`ProfileBuilder.encode`) is the single source of the format. This
 * module is kept apart from the converters because importing it boots
 * protobuf-es's reflection runtime with the pprof descriptors; the
 * profiled thread never needs those, and every function they compile is
 * one more that V8 logs each time a CPU profile starts.
 *
 * @module
 */

import type { ProfileBuilder, ProfileFields } from "./_builder.ts";
import type { CdpCpuProfile, CdpSamplingHeapProfile } from "./cdp_types.ts";
import { decodeProfile } from "./encode.ts";
import { type CpuProfileToPprofOptions, cpuProfileToPprofBytes } from "./from_cpu_profile.ts";
import { heapProfileToPprofBytes, type HeapProfileToPprofOptions } from "./from_heap_profile.ts";
import type { Profile } from "./profile_pb.ts";

/**
 * Converts a CDP CPU profile into a pprof `Profile` message.
 *
 * See {@linkcode cpuProfileToPprofBytes} for the conversion rules.
 *
 * @param profile the CDP profile; not modified.
 * @param options start time and fallback period.
 * @returns the pprof profile message (what `cpuProfileToPprofBytes` writes, decoded).
 *
 * @example Converting a tiny profile
 * ```ts
 * import { cpuProfileToPprof } from "./messages.ts";
 * const frame = (functionName: string, lineNumber = -1) =>
 *   ({ functionName, scriptId: "1", url: "file:///app.js", lineNumber, columnNumber: 0 });
 * const p = cpuProfileToPprof({
 *   nodes: [
 *     { id: 1, callFrame: frame("(root)"), children: [2] },
 *     { id: 2, callFrame: frame("main", 0) },
 *   ],
 *   startTime: 0, endTime: 3000, samples: [2, 2, 2], timeDeltas: [1000, 1000, 1000],
 * }, { startTimeEpochNanos: 0n });
 * console.assert(p.sample[0].value[0] === 3n && p.period === 1_000_000n);
 * ```
 */
export function cpuProfileToPprof(
  profile: CdpCpuProfile,
  options: CpuProfileToPprofOptions = {},
): Profile {
  return decodeProfile(cpuProfileToPprofBytes(profile, options));
}

/**
 * Converts a CDP sampling heap profile into a pprof `Profile` message.
 * See `./from_heap_profile.ts` for how sizes and counts are estimated.
 *
 * @param profile the CDP profile; not modified.
 * @param options sampling interval, kind and times.
 * @returns the pprof profile message (what `heapProfileToPprofBytes` writes, decoded).
 * @throws {RangeError} if `samplingIntervalBytes` is not a positive number.
 *
 * @example
 * ```ts
 * import { heapProfileToPprof } from "./messages.ts";
 * const frame = (functionName: string) =>
 *   ({ functionName, scriptId: "1", url: "file:///app.js", lineNumber: 0, columnNumber: 0 });
 * const p = heapProfileToPprof({
 *   head: { id: 1, selfSize: 0, callFrame: frame("(root)"), children: [
 *     { id: 2, selfSize: 600_000, callFrame: frame("load"), children: [] },
 *   ] },
 *   samples: [{ nodeId: 2, size: 600_000, ordinal: 1 }],
 * });
 * console.assert(p.sample[0].value[1] === 600_000n && p.period === 524_288n);
 * ```
 */
export function heapProfileToPprof(
  profile: CdpSamplingHeapProfile,
  options: HeapProfileToPprofOptions = {},
): Profile {
  return decodeProfile(heapProfileToPprofBytes(profile, options));
}

/**
 * The message form of what a builder holds.
 *
 * @param builder the filled builder.
 * @param fields profile-level fields.
 * @returns the decoded `Profile` message.
 *
 * @example
 * ```ts
 * import { ProfileBuilder } from "./_builder.ts";
 * import { buildProfile } from "./messages.ts";
 * const b = new ProfileBuilder(1);
 * b.add(b.stack(0, b.location({ functionName: "f", scriptId: "1", url: "", lineNumber: 0, columnNumber: 0 })), [3]);
 * const p = buildProfile(b, { sampleTypes: [["n", "count"]], periodType: ["n", "count"], period: 1n, timeNanos: 0n, durationNanos: 0n });
 * console.assert(p.sample[0].value[0] === 3n);
 * ```
 */
export function buildProfile(builder: ProfileBuilder, fields: ProfileFields): Profile {
  return decodeProfile(builder.encode(fields));
}
