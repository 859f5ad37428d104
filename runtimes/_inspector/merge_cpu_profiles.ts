/**
 * Joins consecutive CDP CPU profiles (segments of one capture, taken one
 * after another by the same profiler) into one profile: one call tree,
 * samples in time order. Used by the CPU capture's size checkpoints.
 *
 * @module
 */
import type { CdpCpuProfile, CdpCpuProfileNode } from "../../src/pprof/cdp_types.ts";

/**
 * Merges profiles that follow each other in time on the same clock.
 *
 * Node ids of later segments are shifted past the earlier ones; each
 * segment's root is folded into the first segment's root, so equal call
 * paths stay separate nodes (pprof conversion merges equal stacks anyway).
 * The first sample of a later segment gets a time delta measured from the
 * previous segment's last sample, so the timeline stays continuous: the
 * gap between two segments (the stop/start pause) shows as one longer
 * interval.
 *
 * @param profiles segments in time order; not modified.
 * @returns the merged profile (the only one, as is, if there is one).
 * @throws {RangeError} if `profiles` is empty.
 *
 * @example
 * ```ts
 * import { mergeCpuProfiles } from "./merge_cpu_profiles.ts";
 * const root = { functionName: "(root)", scriptId: "0", url: "", lineNumber: -1, columnNumber: -1 };
 * const f = { functionName: "f", scriptId: "1", url: "file:///a.js", lineNumber: 0, columnNumber: 0 };
 * const segment = (start: number) => ({
 *   nodes: [{ id: 1, callFrame: root, children: [2] }, { id: 2, callFrame: f }],
 *   startTime: start, endTime: start + 20, samples: [2, 2], timeDeltas: [5, 10],
 * });
 * const merged = mergeCpuProfiles([segment(0), segment(100)]);
 * console.assert(merged.samples?.length === 4 && merged.timeDeltas?.[2] === 90);
 * ```
 */
export function mergeCpuProfiles(profiles: readonly CdpCpuProfile[]): CdpCpuProfile {
  if (profiles.length === 0) throw new RangeError("Cannot merge CPU profiles: got none");
  if (profiles.length === 1) return profiles[0];

  const nodes: (CdpCpuProfileNode & { children: number[] })[] = [];
  const samples: number[] = [];
  const timeDeltas: number[] = [];
  let rootId: number | undefined;
  let root: (CdpCpuProfileNode & { children: number[] }) | undefined;
  let offset = 0;
  let lastSampleTime: number | undefined;

  for (const profile of profiles) {
    const rootOfSegment = findRoot(profile.nodes);
    const map = (id: number): number => (id === rootOfSegment ? rootId! : id + offset);
    let maxId = 0;
    for (const node of profile.nodes) {
      maxId = Math.max(maxId, node.id);
      if (node.id === rootOfSegment && root !== undefined) {
        for (const child of node.children ?? []) root.children.push(map(child));
        continue;
      }
      const copy = { ...node, id: node.id + offset, children: (node.children ?? []).map(map) };
      if (node.id === rootOfSegment) {
        rootId = copy.id;
        root = copy;
      }
      nodes.push(copy);
    }
    const segmentSamples = profile.samples ?? [];
    const segmentDeltas = profile.timeDeltas ?? [];
    let t = profile.startTime;
    for (let i = 0; i < segmentSamples.length; i++) {
      const delta = segmentDeltas[i] ?? 0;
      t += delta;
      samples.push(map(segmentSamples[i]));
      timeDeltas.push(i === 0 && lastSampleTime !== undefined ? t - lastSampleTime : delta);
    }
    if (segmentSamples.length > 0) lastSampleTime = t;
    else if (lastSampleTime === undefined) lastSampleTime = profile.startTime;
    offset += maxId;
  }

  // A first segment without samples starts the timeline at its own start.
  return {
    nodes,
    startTime: profiles[0].startTime,
    endTime: profiles[profiles.length - 1].endTime,
    samples,
    timeDeltas,
  };
}

/** Id of the node no other node lists as a child (V8 puts it first). */
function findRoot(nodes: readonly CdpCpuProfileNode[]): number | undefined {
  const children = new Set<number>();
  for (const node of nodes) for (const child of node.children ?? []) children.add(child);
  for (const node of nodes) if (!children.has(node.id)) return node.id;
  return nodes[0]?.id;
}
