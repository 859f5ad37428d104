/**
 * Benchmark: CDP CPU profile -> pprof bytes, autoprof vs `pprof-format`,
 * and stop-to-gzipped-bytes against `@datadog/pprof`.
 *
 * Records a real CPU profile first (node:inspector, 1 ms sampling, work
 * spread over many distinct stacks), then times, in the same process:
 *
 * - autoprof: `cpuProfileToPprofBytes` (what autoprof stores: the
 *   builder's tables written straight to the wire with protobuf-es's
 *   `BinaryWriter`, no message objects);
 * - baseline: the same conversion written the common way on top of
 *   pprof-format (`StringTable.dedup`, per-node stack arrays, class
 *   instances), then `Profile.encode()`;
 * - end to end, on the main thread: autoprof's `Profiler.stop` (with the
 *   JSON parse) + build + encode + gzip, against `@datadog/pprof`'s
 *   `time.stop()` + `encode()` for a profile of the same length, interval
 *   and workload (when installed).
 *
 * Reports the first (cold) call of each, the median and p90 of the next N
 * (warm), the encoded and gzipped sizes, and the warm ratio to the
 * baseline. One process per profile length (`run.ts` does that), so every
 * cold number is a real first call. Timings compare within one run only.
 *
 * Run: `npm run bench:encode` (builds, then `node dist/bench/encode.js`).
 * Environment: AUTOPROF_BENCH_CPU_MS (profile length, default 10000),
 * AUTOPROF_BENCH_N (warm iterations, default 30), AUTOPROF_BENCH_SAVE
 * (a path: also write the recorded CDP profile there as JSON).
 * Output: a table on stdout, and a `BENCH_RESULT <json>` line.
 *
 * @module
 */

import { writeFileSync } from "node:fs";
import { Session } from "node:inspector";
import {
  Function as PfFunction,
  Line as PfLine,
  Location as PfLocation,
  Profile as PfProfile,
  Sample as PfSample,
  StringTable as PfStringTable,
  ValueType as PfValueType,
} from "pprof-format";
import type { CdpCpuProfile, CdpCpuProfileNode } from "../src/pprof/cdp_types.ts";
import { cpuProfileToPprofBytes } from "../src/pprof/from_cpu_profile.ts";
import { cpuProfileToPprof } from "../src/pprof/messages.ts";
import { decodeProfile } from "../src/pprof/encode.ts";
import { gzip } from "../src/gzip.ts";
import { loadDatadog } from "./_peers.ts";

const profileMs = Number(process.env.AUTOPROF_BENCH_CPU_MS ?? 10_000);
const warmRuns = Number(process.env.AUTOPROF_BENCH_N ?? 30);

// --- a real profile with many distinct stacks ---------------------------

function rand(n: number): number {
  return Math.floor(Math.random() * n);
}
// Twelve functions calling each other in random order, each doing a
// little work of its own, so the call tree has thousands of paths like a
// real service's.
const fns: ((depth: number) => number)[] = [];
function spin(n: number): number {
  let x = 0;
  for (let i = 0; i < n; i++) x += Math.sqrt(i + n);
  return x;
}
function step(depth: number): number {
  const own = spin(50 + rand(200));
  return depth <= 0 ? own : own + fns[rand(fns.length)](depth - 1);
}
fns.push(
  function parseRequest(d) { return step(d) + 1; },
  function routeLookup(d) { return step(d) * 2; },
  function authorize(d) { return step(d) - 1; },
  function loadUser(d) { return step(d) + spin(100); },
  function renderTemplate(d) { return step(d) / 2; },
  function serializeJson(d) { return JSON.stringify({ d, v: step(d) }).length; },
  function compressBody(d) { return step(d) + 3; },
  function queryDb(d) { return step(d) + 4; },
  function cacheGet(d) { return step(d) + 5; },
  function validateInput(d) { return step(d) + 6; },
  function logAccess(d) { return step(d) + 7; },
  (d) => step(d) + 8,
);

function post<T>(session: Session, method: string, params: object = {}): Promise<T> {
  return new Promise((resolve, reject) =>
    session.post(method, params, (err, result) => (err ? reject(err) : resolve(result as T)))
  );
}

async function workFor(ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    for (let i = 0; i < 20; i++) step(3 + rand(8));
    // Let the profiler's idle ticks in now and then, like a real server.
    if (rand(50) === 0) await new Promise((r) => setTimeout(r, 1));
  }
}

async function recordProfile(): Promise<{ profile: CdpCpuProfile; startNanos: bigint; stopMs: number; cdpBytes: number }> {
  const session = new Session();
  session.connect();
  await post(session, "Profiler.enable");
  await post(session, "Profiler.setSamplingInterval", { interval: 1000 });
  const startNanos = BigInt(Date.now()) * 1_000_000n;
  await post(session, "Profiler.start");
  await workFor(profileMs);
  // In-process sessions answer synchronously: this is main-thread time.
  const t = performance.now();
  const { profile } = await post<{ profile: CdpCpuProfile }>(session, "Profiler.stop");
  const stopMs = performance.now() - t;
  session.disconnect();
  return { profile, startNanos, stopMs, cdpBytes: JSON.stringify(profile).length };
}

// --- the baseline: the same conversion on pprof-format -------------------

function pprofFormatFromCdp(profile: CdpCpuProfile, startNanos: bigint): Uint8Array {
  const strings = new PfStringTable();
  const byId = new Map<number, CdpCpuProfileNode>();
  for (const n of profile.nodes) byId.set(n.id, n);
  const hits = new Map<number, number>();
  for (const id of profile.samples ?? []) hits.set(id, (hits.get(id) ?? 0) + 1);
  const deltas = profile.timeDeltas ?? [];
  let sum = 0;
  for (let i = 1; i < deltas.length; i++) sum += deltas[i];
  const period = deltas.length > 1 ? Math.round((sum / (deltas.length - 1)) * 1000) : 10_000_000;

  const functions: PfFunction[] = [];
  const functionIds = new Map<string, number>();
  const locations: PfLocation[] = [];
  const locationIds = new Map<string, number>();
  const locationOf = (node: CdpCpuProfileNode, atLine?: number): number => {
    const f = node.callFrame;
    const firstLine = f.lineNumber >= 0 ? f.lineNumber + 1 : 0;
    const line = atLine ?? firstLine;
    const column = atLine !== undefined ? 0 : f.columnNumber >= 0 ? f.columnNumber + 1 : 0;
    const name = f.functionName || (line ? `(anonymous:${line}:${column})` : "(anonymous)");
    const fnKey = `${f.scriptId}:${name}:${f.url}`;
    let fnId = functionIds.get(fnKey);
    if (fnId === undefined) {
      fnId = functions.length + 1;
      functionIds.set(fnKey, fnId);
      const nameId = strings.dedup(name);
      const file = f.url.startsWith("file://") ? f.url.slice(7) : f.url;
      functions.push(new PfFunction({ id: fnId, name: nameId, systemName: nameId, filename: strings.dedup(file), startLine: firstLine }));
    }
    const locKey = `${fnId}:${line}:${column}`;
    let locId = locationIds.get(locKey);
    if (locId === undefined) {
      locId = locations.length + 1;
      locationIds.set(locKey, locId);
      locations.push(new PfLocation({ id: locId, line: [new PfLine({ functionId: fnId, line, column })] }));
    }
    return locId;
  };

  const samples: PfSample[] = [];
  const root = profile.nodes[0];
  const work: { node: CdpCpuProfileNode; stack: number[] }[] = (root.children ?? []).map((id) => ({ node: byId.get(id)!, stack: [] }));
  while (work.length > 0) {
    const { node, stack } = work.pop()!;
    const name = node.callFrame.functionName;
    if (name === "(program)" || name === "(idle)") continue;
    const here = [locationOf(node), ...stack];
    // Same output as autoprof's: a leaf's samples on the lines V8 counted.
    let n = hits.get(node.id) ?? 0;
    const ticks = node.positionTicks ?? [];
    const firstLine = node.callFrame.lineNumber + 1;
    const fits = ticks.reduce((s, t) => s + t.ticks, 0) <= n && ticks.every((t) => t.line >= 1 && t.ticks >= 0);
    for (const t of fits ? ticks : []) {
      if (t.ticks <= 0 || t.line === firstLine) continue;
      samples.push(new PfSample({ locationId: [locationOf(node, t.line), ...stack], value: [t.ticks, t.ticks * period] }));
      n -= t.ticks;
    }
    if (n > 0) samples.push(new PfSample({ locationId: here, value: [n, n * period] }));
    for (const id of node.children ?? []) work.push({ node: byId.get(id)!, stack: here });
  }

  const cpu = new PfValueType({ type: strings.dedup("cpu"), unit: strings.dedup("nanoseconds") });
  return new PfProfile({
    sampleType: [new PfValueType({ type: strings.dedup("samples"), unit: strings.dedup("count") }), cpu],
    sample: samples,
    location: locations,
    function: functions,
    stringTable: strings,
    timeNanos: startNanos,
    durationNanos: Math.round((profile.endTime - profile.startTime) * 1000),
    periodType: cpu,
    period,
  }).encode();
}

// --- measurement -----------------------------------------------------------

interface Result {
  name: string;
  coldMs: number;
  medianMs: number;
  p90Ms: number;
  bytes: number;
  gzipped: number;
}

async function measure(name: string, run: () => Uint8Array): Promise<Result> {
  let t = performance.now();
  const bytes = run();
  const coldMs = performance.now() - t;
  const times: number[] = [];
  for (let i = 0; i < warmRuns; i++) {
    t = performance.now();
    run();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return {
    name,
    coldMs,
    medianMs: times[Math.floor(times.length / 2)],
    p90Ms: times[Math.min(times.length - 1, Math.floor(times.length * 0.9))],
    bytes: bytes.length,
    gzipped: (await gzip(bytes)).length,
  };
}

/** Stop-to-gzipped-bytes on the main thread for one tool. */
interface EndToEnd {
  name: string;
  stopMs: number;
  buildMs: number;
  gzipped: number;
}

console.error(`recording a ${profileMs} ms CPU profile at 1 ms sampling...`);
const { profile, startNanos, stopMs, cdpBytes } = await recordProfile();
if (process.env.AUTOPROF_BENCH_SAVE) writeFileSync(process.env.AUTOPROF_BENCH_SAVE, JSON.stringify(profile));
console.error(`${profile.samples?.length ?? 0} samples, ${profile.nodes.length} nodes`);

// The end-to-end number for autoprof is taken cold, as a periodic
// profiler meets it: the first build of the process.
let t = performance.now();
const coldBytes = cpuProfileToPprofBytes(profile, { startTimeEpochNanos: startNanos });
const coldBuildMs = performance.now() - t;
const gzippedOurs = await gzip(coldBytes);
const ends: EndToEnd[] = [{ name: "autoprof", stopMs, buildMs: coldBuildMs, gzipped: gzippedOurs.length }];

const ours = await measure("autoprof", () => cpuProfileToPprofBytes(profile, { startTimeEpochNanos: startNanos }));
ours.coldMs = coldBuildMs;
const baseline = await measure("pprof-format", () => pprofFormatFromCdp(profile, startNanos));

// Both must describe the same profile, or the comparison means nothing.
const a = decodeProfile(cpuProfileToPprofBytes(profile, { startTimeEpochNanos: startNanos }));
if (a.sample.length !== cpuProfileToPprof(profile, { startTimeEpochNanos: startNanos }).sample.length) {
  throw new Error("Benchmark: the fast encoder and the message path disagree");
}
const b = decodeProfile(pprofFormatFromCdp(profile, startNanos));
const count = (p: typeof a) => p.sample.reduce((s, x) => s + Number(x.value[0]), 0);
if (count(a) !== count(b) || a.location.length !== b.location.length) {
  throw new Error(`Benchmark outputs differ: ${count(a)} vs ${count(b)} samples, ${a.location.length} vs ${b.location.length} locations`);
}

const dd = loadDatadog();
let ddNa: string | undefined;
if (dd === undefined) {
  ddNa = "n/a (not installed)";
} else {
  console.error(`recording a ${profileMs} ms @datadog/pprof time profile at 1 ms sampling...`);
  dd.time.start({ intervalMicros: 1000, durationMillis: profileMs, withContexts: false });
  await workFor(profileMs);
  t = performance.now();
  const p = dd.time.stop();
  const ddStop = performance.now() - t;
  t = performance.now();
  const bytes = await dd.encode(p);
  ends.push({ name: "@datadog/pprof", stopMs: ddStop, buildMs: performance.now() - t, gzipped: bytes.length });
}

const fmt = (x: number, digits = 2) => x.toFixed(digits);
const table = (header: string[], rows: string[][]) => {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  console.log(line(header));
  for (const r of rows) console.log(line(r));
};
console.log(
  `CDP -> pprof build+encode: ${profileMs / 1000} s profile, ${profile.samples?.length ?? 0} samples, ` +
    `${profile.nodes.length} nodes, ${a.sample.length} stacks, ${a.location.length} locations; ` +
    `${warmRuns} warm runs; ${process.version}`,
);
table(
  ["implementation", "cold ms", "median ms", "p90 ms", "x baseline", "bytes", "gzipped"],
  [ours, baseline].map((r) => [
    r.name,
    fmt(r.coldMs),
    fmt(r.medianMs),
    fmt(r.p90Ms),
    fmt(r.medianMs / baseline.medianMs),
    String(r.bytes),
    String(r.gzipped),
  ]),
);
console.log(`stop -> gzipped pprof on the main thread (cold build)${ddNa ? `; @datadog/pprof ${ddNa}` : ""}`);
table(
  ["tool", "stop ms", "build+encode ms", "total ms", "gzipped"],
  ends.map((e) => [e.name, fmt(e.stopMs), fmt(e.buildMs), fmt(e.stopMs + e.buildMs), String(e.gzipped)]),
);
console.log(`BENCH_RESULT ${
  JSON.stringify({
    ok: true,
    profileMs,
    samples: profile.samples?.length ?? 0,
    nodes: profile.nodes.length,
    cdpBytes,
    implementations: [ours, baseline],
    speedup: baseline.medianMs / ours.medianMs,
    endToEnd: ends,
    ddNa,
  })
}`);
process.exit(0);
