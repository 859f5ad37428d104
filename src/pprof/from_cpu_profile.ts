/**
 * Converts a CDP CPU profile (V8's or Bun's `Profiler.stop` result) into a
 * pprof profile shaped like Go's `pprof/profile`: sample types
 * `samples/count` and `cpu/nanoseconds`, period type `cpu/nanoseconds`.
 *
 * @module
 */

import type { CdpCpuProfile, CdpCpuProfileNode, CdpPositionTickInfo } from "./cdp_types.ts";
import { EMPTY_STACK, nodeStack, ProfileBuilder, type ProfileFields } from "./_builder.ts";
import { gzip } from "../gzip.ts";

/** Sampling period assumed when a profile has too few samples to measure one: Go's 100 Hz. */
export const DEFAULT_CPU_PERIOD_NANOS = 10_000_000;

/**
 * `startTime` values above this are microseconds since the Unix epoch
 * (Bun) rather than V8's monotonic clock: 1e15 µs is September 2001, and a
 * monotonic clock would need 31 years of uptime to get there.
 */
const EPOCH_MICROS_THRESHOLD = 1e15;

/** Options for {@linkcode cpuProfileToPprofBytes}. */
export interface CpuProfileToPprofOptions {
  /**
   * Wall-clock time the profile started, nanoseconds since the Unix epoch
   * (becomes `time_nanos`). Adapters should pass the time they started the
   * profiler. When absent, an epoch `startTime` (Bun) is used as is, and a
   * monotonic one (V8) is placed `duration` before now.
   */
  startTimeEpochNanos?: bigint;
  /**
   * Sampling period in nanoseconds, used only when the profile has fewer
   * than two samples with timestamps to measure it from.
   * @default {10_000_000}
   */
  periodNanos?: number;
}

/**
 * Converts a CDP CPU profile straight to pprof protobuf bytes (not
 * gzipped), without making message objects (`cpuProfileToPprof` in
 * ./messages.ts decodes them when a message is wanted).
 *
 * - Each sample counts once in `samples/count` and `period` nanoseconds in
 *   `cpu/nanoseconds` (Go's `count * period`); samples with equal stacks
 *   are merged. `period` is the measured mean interval between samples.
 * - Samples whose leaf is `(program)` (time in native code the VM cannot
 *   attribute) or `(idle)` (the thread waits for work) are dropped: neither
 *   is the program's JavaScript running, and Go's CPU profile counts only
 *   threads on CPU. `(garbage collector)` stays: it is real CPU time spent
 *   because of the program's allocations.
 * - `(root)` is not a frame; locations are listed leaf first.
 * - A leaf's location is the line that was running where V8 says
 *   (`positionTicks`), else the function's first line; callers are at
 *   their function's first line (CDP does not record call sites).
 *
 * @param profile the CDP profile; not modified.
 * @param options start time and fallback period.
 * @returns uncompressed protobuf bytes.
 *
 * @example
 * ```ts
 * import { cpuProfileToPprofBytes } from "./from_cpu_profile.ts";
 * import { decodeProfile } from "./encode.ts";
 * const frame = (functionName: string) => ({ functionName, scriptId: "1", url: "", lineNumber: 0, columnNumber: 0 });
 * const bytes = cpuProfileToPprofBytes({
 *   nodes: [{ id: 1, callFrame: frame("(root)"), children: [2] }, { id: 2, callFrame: frame("main") }],
 *   startTime: 0, endTime: 2000, samples: [2, 2], timeDeltas: [1000, 1000],
 * }, { startTimeEpochNanos: 0n });
 * console.assert(decodeProfile(bytes).sample[0].value[0] === 2n);
 * ```
 */
export function cpuProfileToPprofBytes(profile: CdpCpuProfile, options: CpuProfileToPprofOptions = {}): Uint8Array {
  const { builder, fields } = convert(profile, options);
  return builder.encode(fields);
}

function convert(profile: CdpCpuProfile, options: CpuProfileToPprofOptions): { builder: ProfileBuilder; fields: ProfileFields } {
  const nodes = profile.nodes;
  const count = nodes.length;
  const indexOf = indexNodes(nodes);
  const parent = parentIndexes(nodes, indexOf);

  // Hits per node: from the sample list when present (it is the source of
  // truth in V8 and Bun), else from hitCount.
  const hits = new Float64Array(count);
  const samples = profile.samples;
  if (samples !== undefined) {
    for (let i = 0; i < samples.length; i++) {
      const index = indexOf.get(samples[i]);
      if (index !== undefined) hits[index]++;
    }
  } else {
    for (let i = 0; i < count; i++) hits[i] = nodes[i].hitCount ?? 0;
  }

  const { periodNanos, lastSampleMicros } = measure(profile, options.periodNanos);
  const startTime = finite(profile.startTime);
  const endTime = Math.max(finite(profile.endTime), lastSampleMicros ?? -Infinity);
  const durationNanos = microsToNanos(endTime - startTime);
  let timeNanos: bigint;
  if (options.startTimeEpochNanos !== undefined) {
    timeNanos = options.startTimeEpochNanos;
  } else if (startTime > EPOCH_MICROS_THRESHOLD) {
    // Multiply as bigint: epoch nanoseconds are beyond a double's exact integers.
    const micros = BigInt(Math.round(startTime)) * 1000n;
    timeNanos = micros > INT64_MAX ? INT64_MAX : micros;
  } else {
    timeNanos = BigInt(Date.now()) * 1_000_000n - durationNanos;
  }

  const builder = new ProfileBuilder(2);
  const stackOf = new Int32Array(count).fill(-1);
  // (root) is not a frame; a root with another name (hand-made input) is.
  const frameOf = (i: number) =>
    parent[i] === -1 && nodes[i].callFrame.functionName === "(root)" ? undefined : nodes[i].callFrame;
  const values = [0, 0];
  for (let i = 0; i < count; i++) {
    const n = hits[i];
    if (n <= 0 || parent[i] === UNREACHABLE) continue;
    const name = nodes[i].callFrame.functionName;
    if (name === "(program)" || name === "(idle)") continue;
    const stack = nodeStack(builder, i, parent, stackOf, frameOf);
    if (stack === EMPTY_STACK) continue; // a hit on (root) itself has no frames
    // V8 counts the node's samples per source line too: give those samples
    // the line that was running, so pprof's -lines and list views see it.
    // Samples without a line (and any mismatch) keep the function's line.
    let rest = n;
    const ticks = nodes[i].positionTicks;
    if (ticks !== undefined && ticks.length > 0 && lineTicksFit(ticks, n)) {
      const caller = builder.stackParent(stack);
      const firstLine = nodes[i].callFrame.lineNumber + 1;
      for (const { line, ticks: t } of ticks) {
        // Ticks on the function's first line stay with its own location.
        if (t <= 0 || line === firstLine) continue;
        values[0] = t;
        values[1] = t * periodNanos;
        builder.add(builder.stack(caller, builder.lineLocation(nodes[i].callFrame, line)), values);
        rest -= t;
      }
    }
    if (rest <= 0) continue;
    values[0] = rest;
    values[1] = rest * periodNanos;
    builder.add(stack, values);
  }

  return {
    builder,
    fields: {
      sampleTypes: [["samples", "count"], ["cpu", "nanoseconds"]],
      periodType: ["cpu", "nanoseconds"],
      period: BigInt(periodNanos),
      timeNanos,
      durationNanos,
    },
  };
}

/**
 * Converts a CDP CPU profile to gzipped pprof bytes, ready to store as
 * `pprof/profile`.
 *
 * @param profile the CDP profile.
 * @param options as for {@linkcode cpuProfileToPprofBytes}.
 * @returns gzip-compressed protobuf bytes.
 *
 * @example
 * ```ts
 * import { cpuProfileToGzippedPprof } from "./from_cpu_profile.ts";
 * const root = { functionName: "(root)", scriptId: "0", url: "", lineNumber: -1, columnNumber: -1 };
 * const bytes = await cpuProfileToGzippedPprof({ nodes: [{ id: 1, callFrame: root }], startTime: 0, endTime: 0 });
 * console.assert(bytes[0] === 0x1f && bytes[1] === 0x8b);
 * ```
 */
export async function cpuProfileToGzippedPprof(
  profile: CdpCpuProfile,
  options?: CpuProfileToPprofOptions,
): Promise<Uint8Array> {
  return await gzip(cpuProfileToPprofBytes(profile, options));
}

/** Whether per-line tick counts are usable for a node with `hits` samples: whole, 1-based and not more than the samples. */
function lineTicksFit(ticks: readonly CdpPositionTickInfo[], hits: number): boolean {
  let sum = 0;
  for (const { line, ticks: t } of ticks) {
    if (!Number.isInteger(line) || line < 1 || !Number.isInteger(t) || t < 0) return false;
    sum += t;
  }
  return sum <= hits;
}

/** Parent marker for nodes no root reaches (malformed input): their samples are dropped. */
const UNREACHABLE = -2;

/**
 * Parent index of every node (-1 for roots), found by a breadth-first walk
 * from the nodes nobody lists as a child. Walking from the roots (instead
 * of trusting every `children` entry) makes cycles and nodes listed twice
 * harmless.
 */
function parentIndexes(
  nodes: readonly CdpCpuProfileNode[],
  indexOf: NodeIndex,
): Int32Array {
  const count = nodes.length;
  const isChild = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const children = nodes[i].children;
    if (children === undefined) continue;
    for (let c = 0; c < children.length; c++) {
      const index = indexOf.get(children[c]);
      if (index !== undefined && index !== i) isChild[index] = 1;
    }
  }
  const parent = new Int32Array(count).fill(UNREACHABLE);
  const queue: number[] = [];
  for (let i = 0; i < count; i++) {
    // Duplicate ids: only the indexed copy takes part.
    if (!isChild[i] && indexOf.get(nodes[i].id) === i) {
      parent[i] = -1;
      queue.push(i);
    }
  }
  for (let q = 0; q < queue.length; q++) {
    const children = nodes[queue[q]].children;
    if (children === undefined) continue;
    for (let c = 0; c < children.length; c++) {
      const index = indexOf.get(children[c]);
      if (index !== undefined && parent[index] === UNREACHABLE) {
        parent[index] = queue[q];
        queue.push(index);
      }
    }
  }
  return parent;
}

/** Node id -> position in the nodes array. */
interface NodeIndex {
  get(id: number): number | undefined;
}

/** A {@linkcode NodeIndex} over a typed array, for the usual small dense ids (V8 numbers nodes 1..n). */
class DenseNodeIndex implements NodeIndex {
  #slots: Int32Array;
  constructor(size: number) {
    this.#slots = new Int32Array(size).fill(-1);
  }
  set(id: number, index: number): void {
    this.#slots[id] = index;
  }
  get(id: number): number | undefined {
    const index = this.#slots[id];
    return index === undefined || index < 0 ? undefined : index;
  }
}

/** Index of node ids; with duplicate ids the last node wins. */
function indexNodes(nodes: readonly CdpCpuProfileNode[]): NodeIndex {
  const count = nodes.length;
  let max = 0;
  let dense = true;
  for (let i = 0; i < count && dense; i++) {
    const id = nodes[i].id;
    dense = Number.isInteger(id) && id >= 0;
    if (id > max) max = id;
  }
  if (dense && max < 4 * count + 1024) {
    const index = new DenseNodeIndex(max + 1);
    for (let i = 0; i < count; i++) index.set(nodes[i].id, i);
    return index;
  }
  const index = new Map<number, number>();
  for (let i = 0; i < count; i++) index.set(nodes[i].id, i);
  return index;
}

function finite(x: number): number {
  return Number.isFinite(x) ? x : 0;
}

/**
 * The sampling period, measured as the mean interval between consecutive
 * samples, and the time of the last sample.
 *
 * The first delta (profiler start to first sample) is skipped: it includes
 * the profiler's start-up. Gaps longer than 3x the median are skipped too:
 * Bun does not sample while the thread is idle, so its deltas contain
 * idle gaps (hundreds of ms in a 1 ms profile) that are not sampling
 * intervals; V8 samples idle time as `(idle)` and has no such gaps.
 * Negative deltas (V8 occasionally reorders samples) are ignored.
 */
function measure(
  profile: CdpCpuProfile,
  fallbackNanos: number | undefined,
): { periodNanos: number; lastSampleMicros: number | undefined } {
  const fallback = fallbackNanos !== undefined && fallbackNanos > 0 && Number.isFinite(fallbackNanos)
    ? Math.round(fallbackNanos)
    : DEFAULT_CPU_PERIOD_NANOS;
  const deltas = profile.timeDeltas;
  if (deltas === undefined || deltas.length === 0) {
    return { periodNanos: fallback, lastSampleMicros: undefined };
  }
  let time = finite(profile.startTime);
  const positive = new Float64Array(deltas.length);
  let n = 0;
  for (let i = 0; i < deltas.length; i++) {
    const d = deltas[i];
    if (!Number.isFinite(d)) continue;
    time += d;
    if (i > 0 && d > 0) positive[n++] = d;
  }
  if (n === 0) return { periodNanos: fallback, lastSampleMicros: time };
  const sorted = positive.subarray(0, n).sort();
  const limit = 3 * sorted[n >> 1];
  let sum = 0;
  let used = 0;
  for (let i = 0; i < n && sorted[i] <= limit; i++) {
    sum += sorted[i];
    used++;
  }
  const periodNanos = Math.max(1, Math.round((sum / used) * 1000));
  // Deltas of corrupt input can overflow to Infinity: keep the fallback then.
  return { periodNanos: Number.isSafeInteger(periodNanos) ? periodNanos : fallback, lastSampleMicros: time };
}

/** Largest value of pprof's int64 time fields. */
const INT64_MAX = (1n << 63n) - 1n;

/**
 * Microseconds to whole nanoseconds for pprof's int64 fields: negative or
 * non-finite spans count as 0, and absurd ones (corrupt input) are capped
 * instead of overflowing.
 */
function microsToNanos(micros: number): bigint {
  const nanos = Math.round(micros * 1000);
  if (!(nanos > 0)) return 0n;
  if (!Number.isFinite(nanos)) return INT64_MAX;
  const big = BigInt(nanos);
  return big > INT64_MAX ? INT64_MAX : big;
}
