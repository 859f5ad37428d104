/**
 * A pprof profile as a call tree for a flame graph: samples' stacks merged
 * from the root down, each node with the total value of the samples under
 * it. Computed on the server so the browser gets a small JSON tree instead
 * of protobuf.
 *
 * @module
 */
import type { Profile } from "../pprof/profile_pb.ts";

/** One frame of the tree: name, value, children (short keys keep the JSON small). */
export interface FlameNode {
  /** Function name, with `file:line` when known. */
  n: string;
  /** Total value of the samples whose stack passes through here. */
  v: number;
  /** Callees, largest first. */
  c: FlameNode[];
}

/** What {@linkcode flameTree} returns. */
export interface FlameGraph {
  /** The profile's sample types as `type/unit`. */
  sampleTypes: string[];
  /** Which sample type the values are. */
  sampleType: number;
  /** The root (`"root"`), whose value is the total. */
  root: FlameNode;
  /** Frames left out because they were smaller than `minFraction` of the total. */
  pruned: number;
}

/** Options for {@linkcode flameTree}. */
export interface FlameTreeOptions {
  /**
   * Index of the sample type to use. Default: the profile's
   * `default_sample_type`, else the last one (`cpu/nanoseconds`,
   * `inuse_space/bytes`).
   */
  sampleType?: number;
  /**
   * Frames below this fraction of the total are dropped, to bound the tree.
   * @default {0.0001}
   */
  minFraction?: number;
}

/**
 * The sample type a flame graph shows by default.
 *
 * @param profile A profile.
 * @returns An index into `sample_type`.
 * @example
 * ```ts ignore
 * import { defaultSampleType } from "./flame_tree.ts";
 * console.log(defaultSampleType(profile)); // 1 for samples/count, cpu/nanoseconds
 * ```
 */
export function defaultSampleType(profile: Profile): number {
  if (profile.defaultSampleType !== 0n) {
    const want = profile.stringTable[Number(profile.defaultSampleType)];
    const i = profile.sampleType.findIndex((t) => profile.stringTable[Number(t.type)] === want);
    if (i >= 0) return i;
  }
  return Math.max(0, profile.sampleType.length - 1);
}

/**
 * Builds the call tree of a profile.
 *
 * @param profile A decoded profile.
 * @param options Sample type and pruning.
 * @returns The tree and what it shows.
 * @throws {RangeError} If `sampleType` is out of range.
 * @example
 * ```ts ignore
 * import { flameTree } from "./flame_tree.ts";
 * const { root } = flameTree(profile);
 * console.log(root.v, root.c.map((c) => c.n));
 * ```
 */
export function flameTree(profile: Profile, options: FlameTreeOptions = {}): FlameGraph {
  const str = (i: bigint) => profile.stringTable[Number(i)] ?? "";
  const sampleTypes = profile.sampleType.map((t) => `${str(t.type)}/${str(t.unit)}`);
  const index = options.sampleType ?? defaultSampleType(profile);
  if (!Number.isInteger(index) || index < 0 || (sampleTypes.length > 0 && index >= sampleTypes.length)) {
    throw new RangeError(`Invalid sample type index: ${index} (the profile has ${sampleTypes.length})`);
  }
  const functions = new Map(profile.function.map((f) => [f.id, f]));
  // Frames of each location, root-most first (pprof lists inlined frames callee first).
  const frames = new Map<bigint, string[]>();
  for (const l of profile.location) {
    const names = l.line.map((line) => {
      const f = functions.get(line.functionId);
      const name = f === undefined ? "?" : str(f.name) || str(f.systemName) || "?";
      const file = f === undefined ? "" : str(f.filename);
      return file !== "" && line.line > 0n ? `${name} ${file}:${line.line}` : name;
    });
    frames.set(l.id, names.length > 0 ? names.reverse() : [`0x${l.address.toString(16)}`]);
  }

  interface Building {
    n: string;
    v: number;
    c: Map<string, Building>;
  }
  const root: Building = { n: "root", v: 0, c: new Map() };
  for (const s of profile.sample) {
    const value = Number(s.value[index] ?? 0n);
    if (value === 0) continue;
    root.v += value;
    let node = root;
    for (let i = s.locationId.length - 1; i >= 0; i--) {
      for (const name of frames.get(s.locationId[i]!) ?? ["?"]) {
        let child = node.c.get(name);
        if (child === undefined) {
          child = { n: name, v: 0, c: new Map() };
          node.c.set(name, child);
        }
        child.v += value;
        node = child;
      }
    }
  }

  const min = Math.abs(root.v) * (options.minFraction ?? 0.0001);
  let pruned = 0;
  // Iterative, so a deep stack cannot overflow the JS stack.
  const out: FlameNode = { n: root.n, v: root.v, c: [] };
  const work: [Building, FlameNode][] = [[root, out]];
  while (work.length > 0) {
    const [from, to] = work.pop()!;
    for (const child of [...from.c.values()].sort((a, b) => b.v - a.v)) {
      if (Math.abs(child.v) < min) {
        pruned++;
        continue;
      }
      const node: FlameNode = { n: child.n, v: child.v, c: [] };
      to.c.push(node);
      work.push([child, node]);
    }
  }
  return { sampleTypes, sampleType: index, root: out, pruned };
}
