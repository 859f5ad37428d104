/**
 * The Bun adapter's heap entries: `pprof/heap` from JSC heap statistics
 * (always; see `heap_stats.ts`) and, opt-in, `pprof/heap-retainers` from a
 * full heap snapshot (see `heap_retainers.ts`), refused above a heap size
 * limit because the snapshot blocks the event loop for seconds.
 *
 * @module
 */
import { encodeProfile } from "../../src/pprof/encode.ts";
import { gzip } from "../../src/gzip.ts";
import type { PointInTimeProfile } from "../../src/types.ts";
import { epochNanosNow } from "../_inspector/cpu_capture.ts";
import type { BunApi, BunJsc } from "./bun_api.ts";
import { snapshotToRetainersPprof, type V8HeapSnapshot } from "./heap_retainers.ts";
import { heapStatsToPprof } from "./heap_stats.ts";

/** Default heap size above which the retainer profile is refused: 64 MiB (a ~5 s stall). */
export const DEFAULT_HEAP_SNAPSHOT_MAX_BYTES: number = 64 * 1024 * 1024;

/** Name of the opt-in point-in-time profile (`pprof/heap-retainers`). */
export const HEAP_RETAINERS_NAME = "heap-retainers";

/**
 * The heap-statistics profile as gzipped pprof, for `pprof/heap`.
 *
 * @param jsc `bun:jsc`.
 * @param signal checked before the (synchronous) statistics call.
 * @returns gzipped pprof with sample type `live_objects/count`.
 * @throws {DOMException} (as a rejection) `AbortError` if `signal` is already aborted.
 *
 * @example
 * ```ts
 * import { bunHeapStatsProfile } from "./heap.ts";
 * const jsc = { heapStats: () => ({ heapSize: 1, objectTypeCounts: { Object: 3 } }), heapSize: () => 1, memoryUsage: () => ({}) };
 * const bytes = await bunHeapStatsProfile(jsc, new AbortController().signal);
 * console.assert(bytes[0] === 0x1f);
 * ```
 */
export async function bunHeapStatsProfile(jsc: BunJsc, signal: AbortSignal): Promise<Uint8Array> {
  signal.throwIfAborted();
  const stats = jsc.heapStats();
  return await gzip(encodeProfile(heapStatsToPprof(stats.objectTypeCounts ?? {}, epochNanosNow())));
}

/** Options for {@linkcode heapRetainersProfile}. */
export interface HeapRetainersOptions {
  /**
   * Largest heap (`bun:jsc` `heapSize()`) to snapshot; above it the
   * capture fails with a `RangeError` that says so (recorded in
   * `meta.errors`).
   * @default {67108864}
   */
  maxHeapBytes?: number;
}

/**
 * The opt-in `heap-retainers` point-in-time profile.
 *
 * @param api Bun's APIs.
 * @param options the heap size limit.
 * @returns the profile for `pprof/heap-retainers`.
 *
 * @example
 * ```ts ignore
 * import { loadBunApi } from "./bun_api.ts";
 * import { heapRetainersProfile } from "./heap.ts";
 * const api = loadBunApi();
 * if (api.ok) console.log((await heapRetainersProfile(api.api).capture(new AbortController().signal)).length);
 * ```
 */
export function heapRetainersProfile(api: BunApi, options: HeapRetainersOptions = {}): PointInTimeProfile {
  const limit = options.maxHeapBytes ?? DEFAULT_HEAP_SNAPSHOT_MAX_BYTES;
  return {
    name: HEAP_RETAINERS_NAME,
    async capture(signal: AbortSignal): Promise<Uint8Array> {
      signal.throwIfAborted();
      const size = api.jsc.heapSize();
      if (size > limit) {
        throw new RangeError(
          `Heap snapshot skipped: the heap is ${mib(size)}, above the limit of ${mib(limit)} ` +
            `(a snapshot blocks the event loop about 5 s per 64 MiB)`,
        );
      }
      const timeNanos = epochNanosNow();
      const snapshot = JSON.parse(api.bun.generateHeapSnapshot("v8")) as V8HeapSnapshot;
      return await gzip(encodeProfile(snapshotToRetainersPprof(snapshot, timeNanos)));
    },
  };
}

function mib(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}
