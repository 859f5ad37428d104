/**
 * Conformance (Bun): the opt-in heap snapshot profile is valid pprof,
 * labelled as live objects by retainer path, and finds what the program
 * holds and through which fields. Runs a small program in its own process:
 * the test runner's own heap is above the snapshot's size limit.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { goPprofRaw, runningFamily } from "./_support.ts";

const skip = runningFamily() === "bun" ? false : "Bun's heap snapshot: runs under bun test only";

test("Bun: pprof/heap-retainers shows live objects by retainer path", { skip }, () => {
  const app = path.join(path.dirname(fileURLToPath(import.meta.url)), "testdata", "bun_heap_snapshot_app.js");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "autoprof-bun-snapshot-"));
  try {
    const file = path.join(dir, "retainers.pb.gz");
    const out = execFileSync(process.execPath, [app, file], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    const result = JSON.parse(out.trim().split("\n").pop()!) as { names: string[]; errors: unknown };
    assert.deepEqual(result.names, ["meta", "expvar", "pprof/heap", "pprof/heap-retainers"], JSON.stringify(result.errors));
    assert.equal(result.errors, null);
    const raw = goPprofRaw(fs.readFileSync(file), "pprof/heap-retainers");
    assert.deepEqual(raw.sampleTypes, ["live_objects/count", "live_bytes/bytes"]);
    assert.equal(raw.defaultSampleType, "live_bytes/bytes");
    assert.ok(raw.comments.some((c) => /NOT sampled, NOT allocation sites/.test(c)), `comments: ${raw.comments}`);
    assert.match(raw.text, /ConformanceOrder/);
    assert.match(raw.text, /\.conformanceOrders/, "the field holding them");
    assert.match(raw.text, /\.conformanceHolder/, "the global variable holding that");
    assert.ok(raw.totals[0] >= 5000, `${raw.totals[0]} live objects`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
