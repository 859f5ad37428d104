/**
 * An allocation profile (`pprof/allocs`) derived from the in-use heap
 * sampler, by bookkeeping over sample ordinals.
 *
 * ## Why not V8's "include collected objects" flags
 *
 * `HeapProfiler.startSampling` can keep samples of collected objects
 * (`includeObjectsCollectedByMajorGC` / `...MinorGC`). Measured on Node
 * 20–26: with the flags on, `getSamplingProfile` reports every sample
 * ever taken, live or dead, with nothing telling them apart, so the in-use
 * heap profile is lost; and V8 keeps those samples forever (native memory
 * growing with total allocation volume, unbounded in a server). V8 allows
 * one sampler per isolate, and restarting it forgets the live objects. So
 * autoprof runs the one sampler for in-use (flags off) and derives
 * allocations from what it can observe.
 *
 * ## What the ledger observes
 *
 * Every sample carries an ordinal that V8 numbers 1, 2, 3, ... across all
 * samples the sampler takes (measured: with the flags on, the ordinals are
 * exactly 1..n). A snapshot (each `getSamplingProfile`) shows the samples
 * still alive. Comparing consecutive snapshots:
 *
 * - a sample seen before and missing now was collected in between; its
 *   stack and size are known (they were seen);
 * - ordinals between the previous maximum and the current one that are
 *   not present were sampled and collected between two snapshots: their
 *   number is exact, their stacks were never seen.
 *
 * ## What `pprof/allocs` contains
 *
 * Sample types `alloc_objects/count` and `alloc_space/bytes` (default),
 * period = the sampling interval, covering the time since the ledger
 * started (`duration_nanos`):
 *
 * - every sample alive at the latest snapshot, by stack;
 * - every sample seen alive at an earlier snapshot and collected since,
 *   by stack;
 * - one entry with the single frame {@linkcode UNSEEN_FRAME} for samples
 *   collected before any snapshot saw them: count exact, bytes estimated
 *   as one sampling interval each (the expected bytes per sample of a
 *   Poisson byte sampler; exact in expectation for objects much smaller
 *   than the interval, low for larger ones).
 *
 * Objects count samples, not objects (as in `pprof/heap`, see
 * `from_heap_profile.ts`). Short-lived garbage therefore shows up in the
 * total but not by stack: this profile answers "how much was allocated,
 * and where did the longer-lived part come from", not "which function
 * makes the garbage". Memory use is bounded by the number of live samples
 * plus distinct stacks.
 *
 * @module
 */
import type { CdpCallFrame, CdpSamplingHeapProfile, CdpSamplingHeapProfileNode } from "../../src/pprof/cdp_types.ts";
import { ProfileBuilder } from "../../src/pprof/_builder.ts";

/** Function name of the stand-in frame for samples never seen alive. */
export const UNSEEN_FRAME = "(collected before any heap snapshot: stack not recorded)";

interface Tally {
  count: number;
  bytes: number;
}

interface LiveSample {
  key: string;
  size: number;
}

/**
 * Accumulates allocation samples across heap snapshots.
 *
 * @example
 * ```ts
 * import { AllocationLedger } from "./alloc_ledger.ts";
 * const frame = (functionName: string) =>
 *   ({ functionName, scriptId: "1", url: "file:///a.js", lineNumber: 0, columnNumber: 0 });
 * const ledger = new AllocationLedger({ samplingIntervalBytes: 1024, startNanos: 0n });
 * ledger.observe({
 *   head: { id: 1, selfSize: 0, callFrame: frame("(root)"), children: [
 *     { id: 2, selfSize: 1024, callFrame: frame("load"), children: [] },
 *   ] },
 *   samples: [{ nodeId: 2, size: 1024, ordinal: 3 }],
 * });
 * const totals = ledger.totals();
 * console.assert(totals.samples === 3 && totals.unseenSamples === 2);
 * ```
 */
export class AllocationLedger {
  #interval: number;
  #startNanos: bigint;
  #maxOrdinal = 0;
  #live: Map<number, LiveSample> = new Map();
  #collected: Map<string, Tally> = new Map();
  #frames: Map<string, CdpCallFrame[]> = new Map();
  #unseen = 0;

  /**
   * @param options the sampler's interval in bytes, and when sampling
   * started (nanoseconds since the Unix epoch).
   */
  constructor(options: { samplingIntervalBytes: number; startNanos: bigint }) {
    this.#interval = options.samplingIntervalBytes;
    this.#startNanos = options.startNanos;
  }

  /** When the ledger started counting, nanoseconds since the Unix epoch. */
  get startNanos(): bigint {
    return this.#startNanos;
  }

  /**
   * Forgets everything: the sampler was restarted (its ordinals start
   * again at 1).
   *
   * @param startNanos the new start time.
   */
  reset(startNanos: bigint): void {
    this.#startNanos = startNanos;
    this.#maxOrdinal = 0;
    this.#live.clear();
    this.#collected.clear();
    this.#frames.clear();
    this.#unseen = 0;
  }

  /**
   * Takes in one snapshot of the sampler.
   *
   * @param profile a `getSamplingProfile` result of the same sampler.
   * @param nowNanos when it was taken; used if the sampler restarted.
   */
  observe(profile: CdpSamplingHeapProfile, nowNanos: bigint = BigInt(Date.now()) * 1_000_000n): void {
    const samples = profile.samples ?? [];
    let keys = stackKeys(profile.head, samples.map((s) => s.nodeId), this.#frames);
    if (this.#restarted(samples, keys)) {
      this.reset(nowNanos);
      keys = stackKeys(profile.head, samples.map((s) => s.nodeId), this.#frames);
    }
    let max = 0;
    for (const s of samples) if (s.ordinal > max) max = s.ordinal;

    const live = new Map<number, LiveSample>();
    let fresh = 0;
    for (const s of samples) {
      const key = keys.get(s.nodeId);
      if (key === undefined) continue;
      live.set(s.ordinal, { key, size: s.size });
      if (s.ordinal > this.#maxOrdinal) fresh++;
    }
    for (const [ordinal, sample] of this.#live) {
      if (live.has(ordinal)) continue;
      const tally = this.#collected.get(sample.key) ?? { count: 0, bytes: 0 };
      tally.count++;
      tally.bytes += sample.size;
      this.#collected.set(sample.key, tally);
    }
    if (max > this.#maxOrdinal) {
      this.#unseen += max - this.#maxOrdinal - fresh;
      this.#maxOrdinal = max;
    }
    this.#live = live;
    // Drop frames no sample refers to any more.
    const liveKeys = new Set<string>();
    for (const sample of live.values()) liveKeys.add(sample.key);
    for (const key of this.#frames.keys()) {
      if (!this.#collected.has(key) && !liveKeys.has(key)) this.#frames.delete(key);
    }
  }

  /**
   * Whether the snapshot comes from a new sampler (someone restarted it,
   * and its ordinals start again at 1). While one sampler runs, a live
   * sample with an ordinal up to the previous maximum was live at the
   * previous snapshot too, with the same stack and size; the largest
   * ordinal alone says nothing, since the newest samples may have died.
   * Stacks are compared by script and function only: once V8 collects a
   * script (a builtin module's wrapper, say), the same frame comes back
   * without its url and position.
   */
  #restarted(samples: NonNullable<CdpSamplingHeapProfile["samples"]>, keys: Map<number, string>): boolean {
    for (const s of samples) {
      if (s.ordinal > this.#maxOrdinal) continue;
      const before = this.#live.get(s.ordinal);
      if (before === undefined || before.size !== s.size) return true;
      const key = keys.get(s.nodeId);
      if (key !== before.key && (key === undefined || stackIdentity(key) !== stackIdentity(before.key))) return true;
    }
    return false;
  }

  /**
   * Sample counts so far.
   *
   * @returns all samples taken (the highest ordinal seen), those never
   * seen alive, and those alive at the last snapshot.
   */
  totals(): { samples: number; unseenSamples: number; liveSamples: number } {
    return { samples: this.#maxOrdinal, unseenSamples: this.#unseen, liveSamples: this.#live.size };
  }

  /**
   * The allocation profile as pprof protobuf bytes (not gzipped).
   *
   * `time_nanos` is the ledger's start and `duration_nanos` runs from
   * there to `nowNanos`, the span the allocations were counted over.
   *
   * @param nowNanos end of that span, nanoseconds since the Unix epoch.
   * @returns a pprof profile with `alloc_objects` and `alloc_space`.
   */
  toPprofBytes(nowNanos: bigint = BigInt(Date.now()) * 1_000_000n): Uint8Array {
    const builder = new ProfileBuilder(2);
    const stackOf = (key: string): number => {
      let stack = 0;
      for (const frame of this.#frames.get(key) ?? []) stack = builder.stack(stack, builder.location(frame));
      return stack;
    };
    for (const sample of this.#live.values()) builder.add(stackOf(sample.key), [1, sample.size]);
    for (const [key, tally] of this.#collected) builder.add(stackOf(key), [tally.count, tally.bytes]);
    if (this.#unseen > 0) {
      const frame: CdpCallFrame = { functionName: UNSEEN_FRAME, scriptId: "0", url: "", lineNumber: -1, columnNumber: -1 };
      builder.add(builder.stack(0, builder.location(frame)), [this.#unseen, this.#unseen * this.#interval]);
    }
    const duration = nowNanos > this.#startNanos ? nowNanos - this.#startNanos : 0n;
    return builder.encode({
      sampleTypes: [["alloc_objects", "count"], ["alloc_space", "bytes"]],
      periodType: ["space", "bytes"],
      period: BigInt(Math.round(this.#interval)),
      timeNanos: this.#startNanos,
      durationNanos: duration,
      defaultSampleType: "alloc_space",
    });
  }
}

/** A stack key without urls and positions: script ids and function names. */
function stackIdentity(key: string): string {
  return key.split("\u0001").map((frame) => {
    const parts = frame.split("\u0000");
    return `${parts[0]}\u0000${parts[4]}`;
  }).join("\u0001");
}

/**
 * Stack keys for the given node ids, recording each key's frames (root
 * first, `(root)` left out) in `frames`. Iterative, so deep trees are fine.
 */
function stackKeys(
  head: CdpSamplingHeapProfileNode,
  wanted: readonly number[],
  frames: Map<string, CdpCallFrame[]>,
): Map<number, string> {
  const want = new Set(wanted);
  const keys = new Map<number, string>();
  if (want.size === 0) return keys;
  const isRoot = head.callFrame.functionName === "(root)";
  // Depth-first with an explicit path of frames and key parts.
  const stack: { node: CdpSamplingHeapProfileNode; depth: number }[] = [{ node: head, depth: 0 }];
  const pathFrames: CdpCallFrame[] = [];
  const pathKeys: string[] = [];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    pathFrames.length = depth;
    pathKeys.length = depth;
    const own = !(isRoot && node === head);
    if (own) {
      const f = node.callFrame;
      pathFrames.push(f);
      pathKeys.push(`${f.scriptId}\u0000${f.url}\u0000${f.lineNumber}\u0000${f.columnNumber}\u0000${f.functionName}`);
    }
    if (node.id !== undefined && want.has(node.id)) {
      const key = pathKeys.join("\u0001");
      keys.set(node.id, key);
      if (!frames.has(key)) frames.set(key, pathFrames.slice());
    }
    const next = own ? depth + 1 : depth;
    for (let i = node.children.length - 1; i >= 0; i--) stack.push({ node: node.children[i], depth: next });
  }
  return keys;
}
