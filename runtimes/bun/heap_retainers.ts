/**
 * An opt-in heap profile for Bun from a full heap snapshot
 * (`Bun.generateHeapSnapshot("v8")`): every live object, grouped by the
 * path that keeps it alive. It answers "what is live and who holds it",
 * never "where was it allocated" (Bun records no allocation sites).
 *
 * Shape: sample types `live_objects/count` and `live_bytes/bytes` (never
 * `inuse_*` or `alloc_*`: nothing is sampled or scaled), a comment saying
 * so, and one sample per retainer path. A path is the object's type as
 * the leaf frame (`Order`, `(string)`), under one frame per edge that
 * reaches it from a GC root, nearest first: `Array[]` (an element),
 * `Object.orders` (a property), `Object{*}` (a property of an object with
 * so many properties it is used as a dictionary: its keys are data, not
 * fields; the global object is exempt), `Function.x (context)` (a closure
 * variable), `Owner (internal)`.
 * Paths are cut to {@linkcode MAX_RETAINER_FRAMES} frames, the cut marked
 * by a `…` frame. Every frame's file is `(heap-snapshot)`.
 *
 * The retainer of an object is its parent in a breadth-first walk from
 * the roots (a shortest path), preferring, among equally short paths,
 * property edges, then elements, then closure variables, then internal
 * edges: the first path found otherwise goes through engine internals
 * (code objects) and hides the program's own fields. Weak edges are not
 * followed.
 *
 * Cost (measured, Bun 1.4, 2 cores): for a 50 MB heap the snapshot takes
 * about 4 s and 64 MB of JSON, the whole profile about 9 s and 0.6 GB RSS,
 * all of it blocking the event loop; 200 MB takes 40 s. Hence opt-in, and
 * skipped above a heap size limit.
 *
 * @module
 */
import { ProfileBuilder } from "../../src/pprof/_builder.ts";
import { buildProfile } from "../../src/pprof/messages.ts";
import type { Profile } from "../../src/pprof/profile_pb.ts";
import { addComment } from "./heap_stats.ts";

/** The comment every retainer profile carries. */
export const HEAP_RETAINERS_COMMENT =
  "Bun/JSC heap snapshot: live objects by retainer path; NOT sampled, NOT allocation sites";

/** The file name of every frame. */
export const HEAP_SNAPSHOT_FILE = "(heap-snapshot)";

/** Frames kept per path, nearest to the object first. */
export const MAX_RETAINER_FRAMES = 10;

/** Property edges above which an object counts as a dictionary. */
export const DICTIONARY_PROPERTIES = 32;

/** A heap snapshot in V8's `.heapsnapshot` JSON format (the parts read here). */
export interface V8HeapSnapshot {
  snapshot: {
    meta: {
      node_fields: string[];
      node_types: unknown[];
      edge_fields: string[];
      edge_types: unknown[];
    };
  };
  nodes: ArrayLike<number>;
  edges: ArrayLike<number>;
  strings: string[];
}

/** Names of global objects (JSC's, V8's): never treated as dictionaries. */
const GLOBAL_NAMES: ReadonlySet<string> = new Set(["GlobalObject", "global", "Window"]);

// Lower is preferred when two retainers are equally far from the roots.
const EDGE_RANK: Record<string, number> = { property: 0, element: 1, context: 2, shortcut: 3, internal: 4, hidden: 5 };

/**
 * Converts a V8-format heap snapshot to the retainer-path profile.
 *
 * @param snapshot the parsed snapshot.
 * @param timeNanos when it was taken, nanoseconds since the epoch.
 * @returns the pprof profile.
 * @throws {TypeError} if the snapshot lacks the fields this reads.
 *
 * @example
 * ```ts
 * import { snapshotToRetainersPprof } from "./heap_retainers.ts";
 * // root -> (GC roots) -> Object -.items-> Array -[0]-> Order
 * const p = snapshotToRetainersPprof({
 *   snapshot: { meta: {
 *     node_fields: ["type", "name", "id", "self_size", "edge_count"],
 *     node_types: [["synthetic", "object"]],
 *     edge_fields: ["type", "name_or_index", "to_node"],
 *     edge_types: [["element", "property", "internal"]],
 *   } },
 *   nodes: [0, 0, 1, 0, 1, 0, 1, 3, 0, 1, 1, 2, 5, 16, 1, 1, 3, 7, 24, 1, 1, 4, 9, 32, 0],
 *   edges: [2, 0, 5, 2, 0, 10, 1, 5, 15, 0, 0, 20],
 *   strings: ["", "(GC roots)", "Object", "Array", "Order", "items"],
 * }, 0n);
 * console.assert(p.sample.length === 3);
 * ```
 */
export function snapshotToRetainersPprof(snapshot: V8HeapSnapshot, timeNanos: bigint): Profile {
  const meta = snapshot?.snapshot?.meta;
  if (meta === undefined || !Array.isArray(meta.node_fields) || !Array.isArray(meta.edge_fields)) {
    throw new TypeError("Invalid heap snapshot: missing snapshot.meta node_fields or edge_fields");
  }
  const nodeWidth = meta.node_fields.length;
  const edgeWidth = meta.edge_fields.length;
  const typeField = meta.node_fields.indexOf("type");
  const nameField = meta.node_fields.indexOf("name");
  const sizeField = meta.node_fields.indexOf("self_size");
  const edgeCountField = meta.node_fields.indexOf("edge_count");
  const edgeTypeField = meta.edge_fields.indexOf("type");
  const edgeNameField = meta.edge_fields.indexOf("name_or_index");
  const toField = meta.edge_fields.indexOf("to_node");
  if ([typeField, nameField, sizeField, edgeCountField, edgeTypeField, edgeNameField, toField].includes(-1)) {
    throw new TypeError("Invalid heap snapshot: a required node or edge field is missing");
  }
  const nodeTypes = (meta.node_types[typeField] ?? []) as string[];
  const edgeTypes = (meta.edge_types[edgeTypeField] ?? []) as string[];
  const { nodes, edges, strings } = snapshot;
  const count = Math.floor(nodes.length / nodeWidth);

  // First edge of each node: edges are stored node after node.
  const firstEdge = new Uint32Array(count + 1);
  for (let n = 0, e = 0; n < count; n++) {
    firstEdge[n] = e;
    e += nodes[n * nodeWidth + edgeCountField];
    firstEdge[n + 1] = e;
  }
  const typeOf = (n: number): string => nodeTypes[nodes[n * nodeWidth + typeField]] ?? "unknown";
  const nameOf = (n: number): string => strings[nodes[n * nodeWidth + nameField]] ?? "";

  // Breadth-first from node 0 (the synthetic root), level by level, so
  // that among same-depth retainers the best-ranked edge wins.
  const parent = new Int32Array(count).fill(-1);
  const parentEdge = new Int32Array(count).fill(-1);
  const rank = new Uint8Array(count).fill(255);
  const depth = new Int32Array(count).fill(-1);
  if (count > 0) depth[0] = 0;
  let frontier: number[] = count > 0 ? [0] : [];
  for (let d = 0; frontier.length > 0; d++) {
    const next: number[] = [];
    for (const from of frontier) {
      for (let e = firstEdge[from]; e < firstEdge[from + 1]; e++) {
        const r = EDGE_RANK[edgeTypes[edges[e * edgeWidth + edgeTypeField]]];
        if (r === undefined) continue; // weak and unknown edges
        const to = Math.floor(edges[e * edgeWidth + toField] / nodeWidth);
        if (to < 0 || to >= count) continue;
        if (depth[to] === -1) {
          depth[to] = d + 1;
          next.push(to);
        } else if (depth[to] !== d + 1 || r >= rank[to]) {
          continue;
        }
        parent[to] = from;
        parentEdge[to] = e;
        rank[to] = r;
      }
    }
    frontier = next;
  }

  const propertyCount = (n: number): number => {
    let c = 0;
    for (let e = firstEdge[n]; e < firstEdge[n + 1]; e++) {
      if (edgeTypes[edges[e * edgeWidth + edgeTypeField]] === "property") c++;
    }
    return c;
  };
  const dictionary = new Map<number, boolean>();
  const isDictionary = (n: number): boolean => {
    let v = dictionary.get(n);
    // The global object has many properties, but its keys are the
    // program's global variables: worth keeping.
    if (v === undefined) dictionary.set(n, v = !GLOBAL_NAMES.has(nameOf(n)) && propertyCount(n) > DICTIONARY_PROPERTIES);
    return v;
  };
  const edgeFrame = (e: number, owner: number): string => {
    const base = objectName(typeOf(owner), nameOf(owner));
    const type = edgeTypes[edges[e * edgeWidth + edgeTypeField]];
    const name = edges[e * edgeWidth + edgeNameField];
    switch (type) {
      case "property":
        return isDictionary(owner) ? `${base}{*}` : `${base}.${strings[name] ?? "?"}`;
      case "element":
        return `${base}[]`;
      case "context":
        return `${base}.${strings[name] ?? "?"} (context)`;
      default:
        return `${base} (${type})`;
    }
  };

  const builder = new ProfileBuilder(2);
  const locations = new Map<string, number>();
  const location = (functionName: string): number => {
    let id = locations.get(functionName);
    if (id === undefined) {
      id = builder.location({ functionName, scriptId: "0", url: HEAP_SNAPSHOT_FILE, lineNumber: -1, columnNumber: -1 });
      locations.set(functionName, id);
    }
    return id;
  };
  const path: string[] = [];
  for (let n = 1; n < count; n++) {
    const type = typeOf(n);
    if (type === "synthetic") continue; // (GC roots) and the like: not objects
    const size = nodes[n * nodeWidth + sizeField];
    path.length = 0;
    path.push(objectName(type, nameOf(n)));
    if (depth[n] === -1) {
      path.push("(not reachable from the roots)");
    } else {
      for (let at = n; parent[at] > 0; at = parent[at]) {
        if (path.length > MAX_RETAINER_FRAMES) {
          path.push("…");
          break;
        }
        path.push(edgeFrame(parentEdge[at], parent[at]));
      }
    }
    let stack = 0;
    for (let i = path.length - 1; i >= 0; i--) stack = builder.stack(stack, location(path[i]));
    builder.add(stack, [1, size > 0 ? size : 0]);
  }
  const profile = buildProfile(builder, {
    sampleTypes: [["live_objects", "count"], ["live_bytes", "bytes"]],
    periodType: ["live_objects", "count"],
    period: 1n,
    timeNanos,
    durationNanos: 0n,
    defaultSampleType: "live_bytes",
  });
  addComment(profile, HEAP_RETAINERS_COMMENT);
  return profile;
}

/**
 * The display name of a snapshot node: the class for objects, a
 * placeholder for values whose "name" is data (string contents, numbers).
 */
function objectName(type: string, name: string): string {
  switch (type) {
    case "object":
    case "native":
    case "synthetic":
      return name === "" ? `(${type})` : name;
    case "closure":
      return `(closure) ${name === "" ? "anonymous" : name}`;
    case "string":
    case "concatenated string":
    case "sliced string":
      return "(string)";
    case "number":
    case "bigint":
    case "symbol":
    case "regexp":
      return `(${type})`;
    default:
      return name === "" ? `(${type})` : `(${type}) ${name}`;
  }
}
