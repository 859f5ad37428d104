import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import type { Meta } from "../types.ts";
import { escapeEntryName } from "../names.ts";
import { bundleKey, escapeKeySegment } from "./sink.ts";

describe("bundleKey", () => {
  it("bundleKey() is pprof/<main>/<hostname>/<proc_id>/<capture_time>.zip, each part escaped", () => {
    const meta = {
      main: "api/v2",
      hostname: "web 1",
      proc_id: "1-6744d2c0-0123456789abcdef01234567-42",
      capture_time: "2026-11-25T02:00:00.000Z",
    } as Meta;
    assert.equal(
      bundleKey(meta),
      "pprof/api%2Fv2/web%201/1-6744d2c0-0123456789abcdef01234567-42/2026-11-25T02:00:00.000Z.zip",
    );
  });

  it("escapeKeySegment() escapes like entry names, except for path-changing segments", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), (s) => {
        if (s === "" || s === "." || s === "..") return;
        assert.equal(escapeKeySegment(s), escapeEntryName(s));
      }),
    );
    assert.equal(escapeKeySegment(""), "_");
    assert.equal(escapeKeySegment("."), "%2E");
    assert.equal(escapeKeySegment(".."), "%2E%2E");
  });

  it("escapeKeySegment() never returns a separator or a path-changing segment, and never throws", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (s) => {
        const e = escapeKeySegment(s);
        assert.ok(!e.includes("/") && !e.includes("\\"));
        assert.ok(e !== "" && e !== "." && e !== "..");
      }),
    );
    assert.equal(escapeKeySegment("a\uD800b"), "a%EF%BF%BDb");
  });
});
