import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import type { Profile } from "../../src/pprof/profile_pb.ts";
import {
  DICTIONARY_PROPERTIES,
  HEAP_RETAINERS_COMMENT,
  MAX_RETAINER_FRAMES,
  snapshotToRetainersPprof,
  type V8HeapSnapshot,
} from "./heap_retainers.ts";

const NODE_TYPES = ["hidden", "array", "string", "object", "code", "closure", "regexp", "number", "native", "synthetic"];
const EDGE_TYPES = ["context", "element", "property", "internal", "hidden", "shortcut", "weak"];

interface Node {
  type: string;
  name: string;
  size: number;
  edges: Array<{ type: string; name: string | number; to: number }>;
}

/** Builds a V8-format snapshot from a readable node list (node 0 is the root). */
function snapshot(nodes: Node[]): V8HeapSnapshot {
  const strings: string[] = [""];
  const s = (v: string): number => {
    const i = strings.indexOf(v);
    return i >= 0 ? i : strings.push(v) - 1;
  };
  const flatNodes: number[] = [];
  const flatEdges: number[] = [];
  nodes.forEach((n, id) => {
    flatNodes.push(NODE_TYPES.indexOf(n.type), s(n.name), id * 2 + 1, n.size, n.edges.length, 0, 0);
    for (const e of n.edges) {
      const name = e.type === "element" || e.type === "hidden" ? Number(e.name) : s(String(e.name));
      flatEdges.push(EDGE_TYPES.indexOf(e.type), name, e.to * 7);
    }
  });
  return {
    snapshot: {
      meta: {
        node_fields: ["type", "name", "id", "self_size", "edge_count", "trace_node_id", "detachedness"],
        node_types: [NODE_TYPES, "string", "number", "number", "number", "number", "number"],
        edge_fields: ["type", "name_or_index", "to_node"],
        edge_types: [EDGE_TYPES, "string_or_number", "node"],
      },
    },
    nodes: flatNodes,
    edges: flatEdges,
    strings,
  };
}

/** Stack (root first, joined by " > ") -> [objects, bytes]. */
function stacks(p: Profile): Map<string, [number, number]> {
  const name = (locationId: bigint): string => {
    const loc = p.location.find((l) => l.id === locationId)!;
    const fn = p.function.find((f) => f.id === loc.line[0].functionId)!;
    return p.stringTable[Number(fn.name)];
  };
  const out = new Map<string, [number, number]>();
  for (const s of p.sample) {
    out.set(s.locationId.map(name).reverse().join(" > "), [Number(s.value[0]), Number(s.value[1])]);
  }
  return out;
}

const node = (type: string, name: string, size: number, edges: Node["edges"] = []): Node => ({ type, name, size, edges });

test("snapshotToRetainersPprof() groups live objects by retainer path, labelled as not sampled", () => {
  const p = snapshotToRetainersPprof(
    snapshot([
      node("synthetic", "", 0, [{ type: "element", name: 1, to: 1 }]),
      node("synthetic", "(GC roots)", 0, [{ type: "internal", name: "", to: 2 }]),
      node("object", "Object", 16, [{ type: "property", name: "orders", to: 3 }]),
      node("object", "Array", 32, [{ type: "element", name: 0, to: 4 }, { type: "element", name: 1, to: 5 }]),
      node("object", "Order", 40, [{ type: "property", name: "note", to: 6 }]),
      node("object", "Order", 40, []),
      node("string", "a secret the program holds", 24, []),
    ]),
    5n,
  );
  const str = (i: bigint) => p.stringTable[Number(i)];
  assert.deepEqual(p.sampleType.map((t) => `${str(t.type)}/${str(t.unit)}`), ["live_objects/count", "live_bytes/bytes"]);
  assert.deepEqual(p.comment.map(str), [HEAP_RETAINERS_COMMENT]);
  assert.equal(p.timeNanos, 5n);
  assert.deepEqual(
    [...stacks(p)].sort(),
    [
      ["(GC roots) (internal) > Object", [1, 16]],
      ["(GC roots) (internal) > Object.orders > Array", [1, 32]],
      ["(GC roots) (internal) > Object.orders > Array[] > Order", [2, 80]],
      ["(GC roots) (internal) > Object.orders > Array[] > Order.note > (string)", [1, 24]],
    ],
  );
  assert.ok(!p.stringTable.includes("a secret the program holds"), "string contents must not leak into the profile");
});

test("snapshotToRetainersPprof() prefers a property edge over an internal one at the same depth", () => {
  const p = snapshotToRetainersPprof(
    snapshot([
      node("synthetic", "", 0, [{ type: "internal", name: "", to: 1 }, { type: "internal", name: "", to: 2 }]),
      node("code", "FunctionExecutable", 8, [{ type: "internal", name: "", to: 3 }]),
      node("object", "App", 8, [{ type: "property", name: "cache", to: 3 }]),
      node("object", "Map", 100, []),
    ]),
    0n,
  );
  assert.deepEqual(stacks(p).get("App.cache > Map"), [1, 100]);
});

test("snapshotToRetainersPprof() treats an object with many properties as a dictionary", () => {
  const keys = Array.from({ length: DICTIONARY_PROPERTIES + 1 }, (_, i) => `user-${i}`);
  const nodes = [
    node("synthetic", "", 0, [{ type: "internal", name: "", to: 1 }]),
    node("object", "Object", 8, keys.map((k, i) => ({ type: "property", name: k, to: 2 + i }))),
    ...keys.map(() => node("object", "Session", 10)),
  ];
  const p = snapshotToRetainersPprof(snapshot(nodes), 0n);
  assert.deepEqual(stacks(p).get("Object{*} > Session"), [keys.length, keys.length * 10]);
  assert.ok(!p.stringTable.includes("user-0"));
});

test("snapshotToRetainersPprof() keeps the global object's property names however many it has", () => {
  const keys = Array.from({ length: DICTIONARY_PROPERTIES + 1 }, (_, i) => `global${i}`);
  const nodes = [
    node("synthetic", "", 0, [{ type: "internal", name: "", to: 1 }]),
    node("object", "GlobalObject", 8, keys.map((k, i) => ({ type: "property", name: k, to: 2 + i }))),
    ...keys.map(() => node("object", "Cache", 10)),
  ];
  const all = stacks(snapshotToRetainersPprof(snapshot(nodes), 0n));
  assert.deepEqual(all.get("GlobalObject.global7 > Cache"), [1, 10]);
});

test("snapshotToRetainersPprof() cuts long paths, skips weak edges and marks unreachable objects", () => {
  const chain: Node[] = [node("synthetic", "", 0, [{ type: "internal", name: "", to: 1 }])];
  const length = MAX_RETAINER_FRAMES + 5;
  for (let i = 1; i <= length; i++) {
    chain.push(node("object", "Link", 1, i < length ? [{ type: "property", name: "next", to: i + 1 }] : []));
  }
  chain[1].edges.push({ type: "weak", name: "w", to: chain.length });
  chain.push(node("object", "Orphan", 3, []));
  const all = stacks(snapshotToRetainersPprof(snapshot(chain), 0n));
  const deepest = [...all.keys()].find((k) => k.startsWith("…"));
  assert.ok(deepest !== undefined);
  assert.equal(deepest.split(" > ").length, MAX_RETAINER_FRAMES + 2);
  assert.deepEqual(all.get("(not reachable from the roots) > Orphan"), [1, 3]);
});

test("snapshotToRetainersPprof() rejects a snapshot without its field lists", () => {
  assert.throws(() => snapshotToRetainersPprof({} as V8HeapSnapshot, 0n), TypeError);
  const bad = snapshot([node("synthetic", "", 0)]);
  bad.snapshot.meta.node_fields = ["type", "name"];
  assert.throws(() => snapshotToRetainersPprof(bad, 0n), TypeError);
});

test("snapshotToRetainersPprof() counts every non-synthetic object exactly once, for any graph", () => {
  const graph = fc.integer({ min: 1, max: 30 }).chain((n) =>
    fc.array(
      fc.record({
        type: fc.constantFrom(...NODE_TYPES),
        name: fc.string({ maxLength: 6 }),
        size: fc.nat(1000),
        edges: fc.array(
          fc.record({
            type: fc.constantFrom(...EDGE_TYPES),
            name: fc.oneof(fc.string({ maxLength: 4 }), fc.nat(5)),
            to: fc.nat(n - 1),
          }),
          { maxLength: 5 },
        ),
      }),
      { minLength: n, maxLength: n },
    )
  );
  fc.assert(
    fc.property(graph, (nodes) => {
      const p = snapshotToRetainersPprof(snapshot(nodes), 0n);
      const counted = nodes.slice(1).filter((n) => n.type !== "synthetic");
      let objects = 0;
      let bytes = 0;
      for (const s of p.sample) {
        objects += Number(s.value[0]);
        bytes += Number(s.value[1]);
        assert.ok(s.locationId.length <= MAX_RETAINER_FRAMES + 2);
      }
      assert.equal(objects, counted.length);
      assert.equal(bytes, counted.reduce((sum, n) => sum + n.size, 0));
    }),
  );
});
