import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { strToU8, zipSync } from "fflate";
import { readBundle } from "../read_bundle.ts";
import { summarizeBundle, summarizeBundles } from "./bundle_summary.ts";
import { fsStore } from "./fs_store.ts";
import type { BundleStore } from "./store.ts";
import { makeBundle, testMeta } from "./testdata/bundles.ts";
import { memoryHost } from "./testdata/memory_host.ts";

/** Counts the bytes a store hands out. */
function counting(store: BundleStore) {
  const seen = { ranges: 0, reads: 0, bytes: 0 };
  const wrapped: BundleStore = {
    ...store,
    async read(key, p) {
      seen.reads++;
      const b = await store.read(key, p);
      seen.bytes += b.length;
      return b;
    },
    async readRange(key, offset, length) {
      seen.ranges++;
      const b = await store.readRange(key, offset, length);
      seen.bytes += b.length;
      return b;
    },
  };
  return { store: wrapped, seen };
}

describe("summarizeBundle()", () => {
  it("summarizeBundle() reads meta and names with two range reads, without downloading large profiles", async () => {
    const big = makeBundle({ custom: { blob: new Uint8Array(512 * 1024).map((_, i) => (i * 7919) & 0xff) } });
    const host = memoryHost({ [`d/${big.key}`]: big.bytes });
    const { store, seen } = counting(fsStore("d", host.fs));
    const [listed] = await store.list({});
    const s = await summarizeBundle(store, listed!);
    assert.deepEqual(s.meta, big.meta);
    assert.deepEqual(s.names, readBundle(big.bytes).names);
    assert.equal(s.error, undefined);
    assert.deepEqual({ ranges: seen.ranges, reads: seen.reads }, { ranges: 2, reads: 0 });
    assert.ok(seen.bytes < 80 * 1024, `${seen.bytes} bytes read`);
  });

  it("summarizeBundle() falls back to a full read for deflated zips and reports unreadable bundles", async () => {
    const meta = testMeta({ capture_time: "2026-11-25T02:00:01.000Z" });
    const deflated = zipSync({ meta: strToU8(JSON.stringify(meta)), expvar: strToU8("{}") }, { level: 6 });
    const good = makeBundle();
    const host = memoryHost({
      [`d/${good.key}`]: good.bytes,
      "d/pprof/api/web-1/p/2026-11-25T02:00:01.000Z.zip": deflated,
      "d/pprof/api/web-1/p/2026-11-25T02:00:02.000Z.zip": good.bytes.subarray(0, 100),
    });
    const store = fsStore("d", host.fs);
    const rows = await summarizeBundles(store, await store.list({}), { concurrency: 2 });
    assert.equal(rows.length, 3);
    const byTime = Object.fromEntries(rows.map((r) => [r.bundle.parts.captureTime, r]));
    assert.deepEqual(byTime["2026-11-25T02:00:00.000Z"]!.names, readBundle(good.bytes).names);
    assert.deepEqual(byTime["2026-11-25T02:00:01.000Z"]!.meta, meta);
    assert.match(byTime["2026-11-25T02:00:02.000Z"]!.error!, /^BundleFormatError: Not a zip archive/);
  });
});
