import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { bundleKey } from "../sinks/sink.ts";
import { listPrefix, matchesFilter, parseBundleKey, toBundles } from "./store.ts";
import { testMeta } from "./testdata/bundles.ts";

const part = fc.string({ unit: "grapheme", minLength: 1 }).filter((s) => s !== "_");

describe("bundle keys", () => {
  it("parseBundleKey() reads back what bundleKey() wrote for any meta (property)", () => {
    fc.assert(fc.property(part, part, part, part, (main, hostname, proc_id, capture_time) => {
      const key = bundleKey(testMeta({ main, hostname, proc_id, capture_time }));
      assert.deepEqual(parseBundleKey(key), { main, hostname, procId: proc_id, captureTime: capture_time });
    }));
  });

  it("parseBundleKey() reads an empty hostname back from _ and rejects other layouts", () => {
    assert.equal(parseBundleKey(bundleKey(testMeta({ hostname: "" })))?.hostname, "");
    for (const key of ["pprof/a/b/c.zip", "pprof/a/b/c/d/e.zip", "pprof/a/b/c/.x.zip.tmp", "x/a/b/c/d.zip", "pprof/a/b/c/%zz.zip"]) {
      assert.equal(parseBundleKey(key), undefined, key);
    }
  });

  it("listPrefix() narrows listings to a program or a program and host, escaped like the sinks", () => {
    assert.equal(listPrefix({}), "pprof/");
    assert.equal(listPrefix({ host: "web-1" }), "pprof/");
    assert.equal(listPrefix({ main: "api/v2" }), "pprof/api%2Fv2/");
    assert.equal(listPrefix({ main: "api", host: "" }), "pprof/api/_/");
    const key = bundleKey(testMeta({ main: "a b", hostname: "h.1" }));
    assert.ok(key.startsWith(listPrefix({ main: "a b", host: "h.1" })));
  });

  it("matchesFilter() compares times as instants and proc ids by prefix", () => {
    const parts = { main: "api", hostname: "web-1", procId: "1-6744d2c0-aa-42", captureTime: "2026-11-25T02:00:00.000Z" };
    assert.ok(matchesFilter(parts, { since: "2026-11-25T02:00:00Z", until: "2026-11-25T02:00:00.001Z" }));
    assert.ok(!matchesFilter(parts, { until: "2026-11-25T02:00:00Z" }));
    assert.ok(!matchesFilter(parts, { since: "2026-11-25T02:00:00.001Z" }));
    assert.ok(matchesFilter(parts, { proc: "1-6744d2c0" }));
    assert.ok(!matchesFilter(parts, { proc: "6744" }));
    assert.ok(!matchesFilter(parts, { main: "api2" }));
    assert.ok(!matchesFilter(parts, { host: "web-2" }));
  });

  it("toBundles() keeps only bundle keys, filtered and sorted", () => {
    const a = bundleKey(testMeta({ capture_time: "2026-11-25T02:00:00.000Z" }));
    const b = bundleKey(testMeta({ capture_time: "2026-11-25T01:00:00.000Z" }));
    const out = toBundles([{ key: a, size: 1 }, { key: "pprof/readme.txt", size: 2 }, { key: b, size: 3 }], {});
    assert.deepEqual(out.map((x) => x.key), [b, a]);
  });
});
