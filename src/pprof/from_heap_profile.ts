/**
 * Converts a CDP sampling heap profile (`HeapProfiler.getSamplingProfile`)
 * into a pprof heap profile shaped like Go's `pprof/heap`
 * (`inuse_objects/count`, `inuse_space/bytes`) or `pprof/allocs`
 * (`alloc_objects/count`, `alloc_space/bytes`).
 *
 * ## How V8 scales its samples, and what that means here
 *
 * V8 samples allocations as a Poisson process over bytes with mean
 * interval R (`samplingInterval`): an object of size s is sampled with
 * probability 1 - exp(-s/R). When the inspector reports the profile, V8
 * has already "unsampled" it: each sampled object of size s stands for
 * `round(1 / (1 - exp(-s/R)))` objects (about R/s for small objects, 1 for
 * objects much larger than R), and
 *
 * - `samples[i].size` = s × that count: the estimated real bytes behind
 *   one sampled object;
 * - `node.selfSize` = the same estimate summed per node (rounded per size
 *   class rather than per sample, so it may differ slightly).
 *
 * So bytes need no further scaling: `inuse_space` is the sum of the
 * samples' `size` (or `selfSize` when there are no samples), which is what
 * pprof's "unsampled" convention asks for, and the same estimator Go
 * applies in `scaleHeapSample`.
 *
 * Object counts cannot be unsampled from CDP data: the inspector reports
 * only the product s × count, never s, and the product is nearly R for
 * every small object (32 B × 16 384 and 40 B × 13 107 are both about
 * 512 KiB), so the count could be anything from 1 to R/8. Rather than
 * invent a number, `inuse_objects` counts the sampled objects (one per
 * CDP sample): a lower bound of the real count, exact for objects larger
 * than R, and proportional to bytes for the rest. pprof's
 * `-sample_index=inuse_space` (the default here) is the view to trust.
 *
 * pprof-nodejs reads V8's native `AllocationProfile` instead, whose
 * allocations carry s and the scaled count separately; a CDP-only
 * converter (any runtime, no native addon) has to make the trade above.
 *
 * @module
 */

import type { CdpCallFrame, CdpSamplingHeapProfile, CdpSamplingHeapProfileNode } from "./cdp_types.ts";
import { EMPTY_STACK, nodeStack, ProfileBuilder, type ProfileFields } from "./_builder.ts";
import { gzip } from "../gzip.ts";

/** V8's heap sampling interval used by autoprof unless told otherwise: 512 KiB, like Go's `MemProfileRate`. */
export const DEFAULT_HEAP_SAMPLING_INTERVAL_BYTES = 524_288;

/** Options for {@linkcode heapProfileToPprofBytes}. */
export interface HeapProfileToPprofOptions {
  /**
   * The `samplingInterval` passed to `HeapProfiler.startSampling`; becomes
   * the pprof `period`, and estimates sample counts when the profile has
   * no `samples` list.
   * @default {524288}
   */
  samplingIntervalBytes?: number;
  /**
   * `"inuse"`: objects still alive (a profile taken with the default
   * `startSampling` flags): sample types `inuse_objects`, `inuse_space`.
   * `"allocs"`: everything allocated since sampling started (a profile
   * taken with `includeObjectsCollectedByMajorGC` and
   * `includeObjectsCollectedByMinorGC`): `alloc_objects`, `alloc_space`.
   * @default {"inuse"}
   */
  kind?: "inuse" | "allocs";
  /**
   * When the profile was taken, nanoseconds since the Unix epoch.
   * @default {now}
   */
  timeNanos?: bigint;
  /**
   * How long sampling ran, in nanoseconds (useful for `"allocs"`).
   * @default {0n}
   */
  durationNanos?: bigint;
}

/**
 * Converts a CDP sampling heap profile straight to pprof protobuf bytes
 * (not gzipped), without making message objects (`heapProfileToPprof`
 * in ./messages.ts decodes them when a message is wanted). See the module
 * documentation for how sizes and counts are estimated.
 *
 * @param profile the CDP profile; not modified.
 * @param options sampling interval, kind and times.
 * @returns uncompressed protobuf bytes.
 * @throws {RangeError} if `samplingIntervalBytes` is not a positive number.
 *
 * @example
 * ```ts
 * import { heapProfileToPprofBytes } from "./from_heap_profile.ts";
 * const root = { functionName: "(root)", scriptId: "0", url: "", lineNumber: -1, columnNumber: -1 };
 * const bytes = heapProfileToPprofBytes({ head: { id: 1, selfSize: 0, callFrame: root, children: [] } });
 * console.assert(bytes.length > 0);
 * ```
 */
export function heapProfileToPprofBytes(profile: CdpSamplingHeapProfile, options: HeapProfileToPprofOptions = {}): Uint8Array {
  const { builder, fields } = convert(profile, options);
  return builder.encode(fields);
}

function convert(
  profile: CdpSamplingHeapProfile,
  options: HeapProfileToPprofOptions,
): { builder: ProfileBuilder; fields: ProfileFields } {
  const interval = options.samplingIntervalBytes ?? DEFAULT_HEAP_SAMPLING_INTERVAL_BYTES;
  if (!(interval > 0) || !Number.isFinite(interval)) {
    throw new RangeError(`Cannot convert heap profile: samplingIntervalBytes must be > 0: got ${interval}`);
  }
  const kind = options.kind ?? "inuse";

  // Flatten the tree (iteratively; a cycle in a hand-made object graph is
  // cut at the second visit).
  const nodes: CdpSamplingHeapProfileNode[] = [profile.head];
  const parents: number[] = [-1];
  const seen = new Set<CdpSamplingHeapProfileNode>([profile.head]);
  for (let i = 0; i < nodes.length; i++) {
    const children = nodes[i].children;
    for (let c = 0; c < children.length; c++) {
      const child = children[c];
      if (seen.has(child)) continue;
      seen.add(child);
      nodes.push(child);
      parents.push(i);
    }
  }
  const count = nodes.length;
  const parent = Int32Array.from(parents);

  const objects = new Float64Array(count);
  const bytes = new Float64Array(count);
  const samples = profile.samples;
  if (samples !== undefined && samples.length > 0) {
    const indexOf = new Map<number, number>();
    for (let i = count - 1; i >= 0; i--) {
      const id = nodes[i].id;
      if (id !== undefined) indexOf.set(id, i);
    }
    for (let i = 0; i < samples.length; i++) {
      const index = indexOf.get(samples[i].nodeId);
      const size = samples[i].size;
      if (index === undefined || !(size > 0)) continue;
      objects[index] += 1;
      bytes[index] += size;
    }
  } else {
    // No sample list: only the scaled bytes per node are known. Estimate
    // the number of samples V8 took as bytes / interval (at least one).
    for (let i = 0; i < count; i++) {
      const size = nodes[i].selfSize;
      if (!(size > 0)) continue;
      objects[i] = Math.max(1, Math.round(size / interval));
      bytes[i] = size;
    }
  }

  const builder = new ProfileBuilder(2);
  const stackOf = new Int32Array(count).fill(-1);
  const frameOf = (i: number): CdpCallFrame | undefined =>
    i === 0 && nodes[0].callFrame.functionName === "(root)" ? undefined : nodes[i].callFrame;
  const values = [0, 0];
  for (let i = 0; i < count; i++) {
    if (bytes[i] <= 0) continue;
    const stack = nodeStack(builder, i, parent, stackOf, frameOf);
    if (stack === EMPTY_STACK) continue; // bytes on (root) itself: no frames to blame
    values[0] = objects[i];
    values[1] = bytes[i];
    builder.add(stack, values);
  }

  const [objectsType, spaceType] = kind === "allocs"
    ? ["alloc_objects", "alloc_space"]
    : ["inuse_objects", "inuse_space"];
  return {
    builder,
    fields: {
      sampleTypes: [[objectsType, "count"], [spaceType, "bytes"]],
      periodType: ["space", "bytes"],
      period: BigInt(Math.round(interval)),
      timeNanos: options.timeNanos ?? BigInt(Date.now()) * 1_000_000n,
      durationNanos: options.durationNanos ?? 0n,
      defaultSampleType: spaceType,
    },
  };
}

/**
 * Converts a CDP sampling heap profile to gzipped pprof bytes, ready to
 * store as `pprof/heap` (or `pprof/allocs` with `kind: "allocs"`).
 *
 * @param profile the CDP profile.
 * @param options as for {@linkcode heapProfileToPprofBytes}.
 * @returns gzip-compressed protobuf bytes.
 * @throws {RangeError} (as a rejection) if `samplingIntervalBytes` is not a positive number.
 *
 * @example
 * ```ts
 * import { heapProfileToGzippedPprof } from "./from_heap_profile.ts";
 * const root = { functionName: "(root)", scriptId: "0", url: "", lineNumber: -1, columnNumber: -1 };
 * const bytes = await heapProfileToGzippedPprof({ head: { id: 1, selfSize: 0, callFrame: root, children: [] } });
 * console.assert(bytes[0] === 0x1f && bytes[1] === 0x8b);
 * ```
 */
export async function heapProfileToGzippedPprof(
  profile: CdpSamplingHeapProfile,
  options?: HeapProfileToPprofOptions,
): Promise<Uint8Array> {
  return await gzip(heapProfileToPprofBytes(profile, options));
}
