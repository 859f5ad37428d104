/**
 * Conformance: every part a runtime declares is in the bundle and valid;
 * every part it declares unavailable is absent, with the reason in
 * `meta.capabilities` (and in `meta.skipped` when it was requested). Also
 * writes `dist/capabilities-<runtime>.json` for scripts/capability_matrix.ts.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { gunzipSync } from "fflate";
import { Profile as PprofFormatProfile } from "pprof-format";
import { collect, currentMeta, readBundle } from "../../mod.ts";
import type { Capability, PartName } from "../../src/types.ts";
import {
  type CapabilityRecord,
  capabilitiesFile,
  goPprofRaw,
  ownPid,
  PART_ENTRY,
  PARTS,
  runningFamily,
  testRuntimeId,
} from "./_support.ts";

const CPU_MS = 400;
const TRACE_MS = 300;

/** Kept alive through the heap profile: a retained structure it should see. */
class ConformanceRetained {
  payload: number[];
  constructor(i: number) {
    this.payload = [i, i + 1, i + 2, i + 3, i + 4, i + 5, i + 6, i + 7];
  }
}
function conformanceRetain(): ConformanceRetained[] {
  const out: ConformanceRetained[] = [];
  for (let i = 0; i < 200_000; i++) out.push(new ConformanceRetained(i));
  return out;
}
const retained = conformanceRetain();

/** Burns CPU in slices until `done()`, yielding to the loop between slices. */
async function conformanceBusyWork(done: () => boolean): Promise<number> {
  let x = 0;
  while (!done()) {
    const slice = performance.now() + 20;
    while (performance.now() < slice) x = (x * 31 + 7) % 1_000_003;
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  return x;
}

const capabilities = currentMeta().capabilities;
// Busy for as long as the bundle takes, however long its set-up (a
// worker's start, a forced GC) takes on a loaded machine.
let collected = false;
const [bytes] = await Promise.all([
  collect({ cpuProfileDuration: CPU_MS, traceDuration: TRACE_MS }).finally(() => (collected = true)),
  conformanceBusyWork(() => collected),
]);
const bundle = readBundle(bytes);
const { meta, names, entries } = bundle;
const otherPprof = names.filter((n) => n.startsWith("pprof/") && !Object.values(PART_ENTRY).includes(n));

function describe(part: PartName, cap: Capability | undefined): string {
  if (cap === undefined) return `${part}: undeclared`;
  return cap.ok ? `${part}: declared available, so the bundle has a valid entry` : `${part}: declared unavailable, so the bundle leaves it out with the reason`;
}

test("the adapter declares every part, each with a detail or a non-empty reason", () => {
  for (const part of PARTS) {
    const cap = capabilities[part];
    assert.ok(cap !== undefined, `capabilities.${part} is missing`);
    if (cap.ok) assert.ok(cap.detail === undefined || typeof cap.detail === "string");
    else assert.ok(typeof cap.reason === "string" && cap.reason.trim() !== "", `capabilities.${part} has no reason`);
  }
  assert.deepEqual(meta.capabilities, capabilities, "the bundle's meta.capabilities is what the adapter declares");
});

test("the capabilities are written for the README matrix", () => {
  const record: CapabilityRecord = {
    id: testRuntimeId(),
    runtime: meta.runtime,
    runtime_version: meta.runtime_version,
    capabilities,
  };
  const file = capabilitiesFile(record.id);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(record, null, 2) + "\n");
  assert.deepEqual(JSON.parse(fs.readFileSync(file, "utf8")), JSON.parse(JSON.stringify(record)));
});

for (const part of ["heap", "cpu", "trace", "profile_during_trace"] as const) {
  const cap = capabilities[part];
  const entry = PART_ENTRY[part]!;
  test(describe(part, cap), () => {
    assert.ok(cap !== undefined);
    if (!cap.ok) {
      assert.ok(!names.includes(entry), `${entry} is in the bundle although ${part} is unavailable`);
      assert.equal(meta.skipped?.[part], cap.reason, `meta.skipped.${part} must carry the capability's reason`);
      return;
    }
    assert.ok(names.includes(entry), `${entry} is missing: skipped=${JSON.stringify(meta.skipped)} errors=${JSON.stringify(meta.errors)}`);
    assert.equal(meta.skipped?.[part], undefined);
    const data = entries.get(entry)!;
    if (part === "trace") {
      checkTrace(data);
      return;
    }
    const raw = goPprofRaw(data, entry);
    if (part === "heap") checkHeap(data, raw);
    else checkCpu(data, raw, entry, part === "cpu" ? CPU_MS : undefined);
  });
}

test(describe("point_in_time", capabilities.point_in_time), () => {
  const cap = capabilities.point_in_time!;
  if (!cap.ok) {
    assert.deepEqual(otherPprof, [], "point-in-time profiles are in the bundle although the part is unavailable");
    return;
  }
  assert.ok(otherPprof.length > 0, `no point-in-time profile: errors=${JSON.stringify(meta.errors)}`);
  for (const name of otherPprof) {
    const raw = goPprofRaw(entries.get(name)!, name);
    assert.ok(raw.sampleTypes.length > 0, `${name} has no sample types`);
  }
});

test(describe("expvar", capabilities.expvar), () => {
  const cap = capabilities.expvar!;
  const expvar = JSON.parse(new TextDecoder().decode(entries.get("expvar")));
  if (!cap.ok) {
    assert.equal(expvar.runtime, undefined);
    return;
  }
  const stats = expvar.runtime;
  assert.equal(typeof stats, "object");
  assert.equal(stats.pid, ownPid());
  assert.ok(stats.memory.rss > 0, "runtime.memory.rss");
  assert.ok(stats.memory.heapUsed > 0, "runtime.memory.heapUsed");
  assert.ok(typeof stats.uptime_seconds === "number" && stats.uptime_seconds > 0);
  assert.equal(typeof stats.event_loop, "object", "runtime.event_loop");
});

test("no part failed while being captured", () => {
  assert.equal(meta.errors, undefined, JSON.stringify(meta.errors));
});

function checkTrace(data: Uint8Array): void {
  const json = JSON.parse(new TextDecoder().decode(gunzipSync(data)));
  assert.ok(Array.isArray(json.traceEvents) && json.traceEvents.length > 0, "pprof/trace holds no trace events");
}

function checkHeap(data: Uint8Array, raw: ReturnType<typeof goPprofRaw>): void {
  const allowed = ["inuse_objects/count", "inuse_space/bytes", "live_objects/count", "live_bytes/bytes"];
  for (const t of raw.sampleTypes) assert.ok(allowed.includes(t), `pprof/heap has sample type ${t}`);
  if (runningFamily() === "bun") {
    // Bun has no heap sampler: the profile must say it is statistics.
    assert.deepEqual(raw.sampleTypes, ["live_objects/count"]);
    assert.ok(raw.comments.some((c) => /not a sampling profile/.test(c)), `comments: ${raw.comments}`);
    assert.ok(raw.totals[0] >= retained.length, `live objects ${raw.totals[0]} < ${retained.length} retained`);
    return;
  }
  assert.deepEqual(raw.sampleTypes, ["inuse_objects/count", "inuse_space/bytes"]);
  assert.ok(raw.samples > 0, "the heap profile has no samples");
  assert.match(raw.text, /conformanceRetain/, "the retained allocation site is missing from pprof/heap");
  const decoded = PprofFormatProfile.decode(gunzipSync(data));
  assert.ok(Number(decoded.timeNanos) > 0);
}

/**
 * @param requestedMs the profile's requested length, when autoprof itself
 * started and stopped the profiler around it (not so for the CPU samples of
 * a trace, which the runtime starts some time after the trace).
 */
function checkCpu(data: Uint8Array, raw: ReturnType<typeof goPprofRaw>, entry: string, requestedMs: number | undefined): void {
  assert.deepEqual(raw.sampleTypes, ["samples/count", "cpu/nanoseconds"]);
  assert.equal(raw.periodType, "cpu nanoseconds");
  assert.ok(raw.period > 0, `${entry} period ${raw.period}`);
  assert.ok(raw.samples > 0, `${entry} has no samples`);
  assert.match(raw.text, /conformanceBusyWork/, `${entry} does not show the function that burned the CPU`);
  const decoded = PprofFormatProfile.decode(gunzipSync(data));
  // The profiler ran for the requested time (it was stopped after it), so
  // the duration cannot be shorter, whenever the last sample was taken.
  const durationMs = Number(decoded.durationNanos) / 1e6;
  assert.ok(durationMs > 0, `${entry} has no duration`);
  if (requestedMs !== undefined) {
    assert.ok(durationMs >= requestedMs * 0.9, `${entry} lasted ${durationMs} ms, requested ${requestedMs} ms`);
  }
  const startMs = Number(BigInt(decoded.timeNanos) / 1_000_000n);
  assert.ok(startMs >= Date.parse(meta.capture_time) - 1000, `${entry} time_nanos ${startMs} before the capture`);
  assert.ok(startMs <= Date.now(), `${entry} time_nanos in the future`);
}
