/**
 * The Node adapter's heap profiles, both from the one sampling heap
 * profiler of the isolate (see `../_inspector/heap_sampler.ts`):
 * `pprof/heap` (in-use objects and bytes) and `pprof/allocs` (allocations
 * since sampling started, see `../_inspector/alloc_ledger.ts` for exactly
 * what it counts).
 *
 * @module
 */
import { heapProfileToGzippedPprof } from "../../src/pprof/from_heap_profile.ts";
import { gzip } from "../../src/gzip.ts";
import { PartSkippedError } from "../../src/errors.ts";
import type { HeapCaptureOptions, PointInTimeProfile } from "../../src/types.ts";
import type { HeapSampler } from "../_inspector/heap_sampler.ts";

/**
 * How old a heap snapshot may be for `pprof/allocs` to reuse it instead of
 * forcing another full GC: a bundle takes `pprof/heap` right before.
 */
export const ALLOCS_SNAPSHOT_REUSE_MS = 2_000;

/**
 * The in-use heap profile as gzipped pprof. Forces one full GC when the
 * sampler was started through the inspector; such profiles are rationed
 * (see {@linkcode HeapSampler.deferral}): when one is not due, the entry
 * is left out with the reason.
 *
 * @param sampler the running sampler.
 * @param _signal ignored: the snapshot is short and is taken even after
 * an abort (kept for callers that pass the bundle's signal).
 * @returns gzipped pprof with `inuse_objects/count` and `inuse_space/bytes`.
 * @throws {PartSkippedError} (as a rejection) when a forced GC is not due yet.
 *
 * @example
 * ```ts ignore
 * import { sharedHeapSampler } from "../_inspector/heap_sampler.ts";
 * import { nodeHeapProfile } from "./heap.ts";
 * const started = await sharedHeapSampler();
 * if (started.ok) console.log((await nodeHeapProfile(started.sampler)).length);
 * ```
 */
export async function nodeHeapProfile(
  sampler: HeapSampler,
  _signal?: AbortSignal,
  options: HeapCaptureOptions = {},
): Promise<Uint8Array> {
  // Not abortable, on purpose: a snapshot is short, and an abort ends
  // timed parts only (the bundle keeps its point-in-time profiles).
  const deferred = options.force ? undefined : sampler.deferral();
  if (deferred !== undefined) throw new PartSkippedError(deferred);
  const snapshot = await sampler.snapshot();
  return await heapProfileToGzippedPprof(snapshot.profile, {
    samplingIntervalBytes: sampler.samplingIntervalBytes,
    kind: "inuse",
    timeNanos: snapshot.timeNanos,
  });
}

/**
 * The `allocs` point-in-time profile.
 *
 * @param sampler the running sampler.
 * @returns the profile for `pprof/allocs`.
 *
 * @example
 * ```ts ignore
 * import { sharedHeapSampler } from "../_inspector/heap_sampler.ts";
 * import { allocsProfile } from "./heap.ts";
 * const started = await sharedHeapSampler();
 * if (started.ok) console.log((await allocsProfile(started.sampler).capture(new AbortController().signal)).length);
 * ```
 */
export function allocsProfile(sampler: HeapSampler): PointInTimeProfile {
  return {
    name: "allocs",
    async capture(): Promise<Uint8Array> {
      // Allocation counts are cumulative: when a new snapshot (and its
      // forced GC) is not due, the last one still gives them, as of then.
      const last = sampler.lastSnapshot;
      const reuse = last !== undefined && sampler.deferral() !== undefined;
      const snapshot = reuse ? last : await sampler.refresh({ maxAgeMs: ALLOCS_SNAPSHOT_REUSE_MS });
      return await gzip(sampler.ledger.toPprofBytes(snapshot.timeNanos));
    },
  };
}
