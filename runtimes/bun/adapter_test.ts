import { test } from "node:test";
import assert from "node:assert/strict";
import { collectBundle } from "../../src/collect.ts";
import { readBundle } from "../../src/read_bundle.ts";
import { BUN_TRACE_REASON, createBunAdapter, HEAP_SNAPSHOT_ENV, heapSnapshotFromEnv } from "./adapter.ts";
import type { BunApi } from "./bun_api.ts";

/** A fake Bun whose heap holds `heapBytes` bytes; the snapshot is a tiny real-shaped one. */
function fakeBun(heapBytes: number): BunApi & { snapshots: number } {
  const api = {
    snapshots: 0,
    bun: {
      version: "1.4.5",
      generateHeapSnapshot(): string {
        api.snapshots++;
        return JSON.stringify({
          snapshot: {
            meta: {
              node_fields: ["type", "name", "id", "self_size", "edge_count"],
              node_types: [["synthetic", "object"]],
              edge_fields: ["type", "name_or_index", "to_node"],
              edge_types: [["property", "internal"]],
            },
          },
          nodes: [0, 0, 1, 0, 1, 1, 1, 3, 48, 0],
          edges: [1, 0, 5],
          strings: ["", "Order"],
        });
      },
    },
    jsc: {
      heapStats: () => ({ heapSize: heapBytes, objectTypeCounts: { Object: 5 } }),
      heapSize: () => heapBytes,
      memoryUsage: () => ({ current: 1 }),
    },
  };
  return api;
}

test("heapSnapshotFromEnv() reads on/off and size limits, and reports bad values", () => {
  for (const off of [undefined, "", "0", "off", "FALSE"]) assert.equal(heapSnapshotFromEnv(off), false);
  for (const on of ["1", "on", "True"]) assert.equal(heapSnapshotFromEnv(on), true);
  assert.deepEqual(heapSnapshotFromEnv("128MiB"), { maxHeapBytes: 128 * 1024 * 1024 });
  const bad = heapSnapshotFromEnv("lots");
  assert.ok(typeof bad === "object" && "error" in bad);
  assert.match(bad.error, new RegExp(HEAP_SNAPSHOT_ENV));
});

test("the Bun adapter's heap is JSC statistics and says so; no trace", async () => {
  const adapter = await createBunAdapter({ api: fakeBun(1000), heapSnapshot: false });
  const caps = adapter.capabilities();
  assert.equal(caps.heap?.ok, true);
  assert.match(caps.heap?.ok ? caps.heap.detail ?? "" : "", /live_objects\/count.*not a sampling profile/);
  assert.deepEqual(caps.trace, { ok: false, reason: BUN_TRACE_REASON });
  assert.equal(caps.point_in_time?.ok, false);
  assert.match(caps.point_in_time?.ok === false ? caps.point_in_time.reason : "", new RegExp(HEAP_SNAPSHOT_ENV));
  const { meta, names } = readBundle((await collectBundle(adapter, { traceDuration: 10 })).bytes);
  assert.deepEqual(names, ["meta", "expvar", "pprof/heap"]);
  assert.equal(meta.skipped?.trace, BUN_TRACE_REASON);
});

test("the opt-in heap snapshot adds pprof/heap-retainers below the limit", async () => {
  const bun = fakeBun(1000);
  const adapter = await createBunAdapter({ api: bun, heapSnapshot: { maxHeapBytes: 2000 } });
  assert.equal(adapter.capabilities().point_in_time?.ok, true);
  const { meta, names } = readBundle((await collectBundle(adapter)).bytes);
  assert.deepEqual(names, ["meta", "expvar", "pprof/heap", "pprof/heap-retainers"]);
  assert.equal(meta.errors, undefined);
  assert.equal(bun.snapshots, 1);
});

test("the opt-in heap snapshot is refused above the limit, with the reason in meta.errors", async () => {
  const bun = fakeBun(3000);
  const adapter = await createBunAdapter({ api: bun, heapSnapshot: { maxHeapBytes: 2000 } });
  const { meta, names } = readBundle((await collectBundle(adapter)).bytes);
  assert.deepEqual(names, ["meta", "expvar", "pprof/heap"]);
  assert.match(meta.errors?.["pprof/heap-retainers"] ?? "", /above the limit/);
  assert.equal(bun.snapshots, 0);
});
