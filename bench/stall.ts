/**
 * Benchmark child: how long one bundle blocks the host app's event loop,
 * how much main-thread CPU it takes, and how much extra memory it holds at
 * its peak.
 *
 * The app: work spread over many distinct call paths (so the CPU profile
 * has thousands of nodes, like a real service's) in ~1 ms chunks, one per
 * event-loop turn, plus optionally a big live heap. During each bundle:
 *
 * - the longest stall: the longest time between the starts of two
 *   consecutive chunks, minus the median chunk length. It counts both the
 *   profiler's own turns (its synchronous work, GC pauses it forces) and
 *   work that interrupts a chunk (an inspector command sent from another
 *   thread runs on this one in the middle of the app's JavaScript);
 * - `monitorEventLoopDelay` max and p99 (Node only: broken on Deno);
 * - main-thread CPU during the bundle minus the app's own chunks;
 * - peak of (V8 heap used + external + array buffers) and of RSS above
 *   their values just before the bundle, sampled every turn.
 *
 * The same loop without a bundle, for as long, gives the baseline gap.
 *
 * Tools: `autoprof` (a bundle: heap, expvar, allocs, resources, CPU),
 * `autoprof-inspector` (the same with the heap read through the inspector
 * only, no accelerated source), `autoprof-worker` (the CPU profile
 * recorded in a worker thread, `cpuOffload: true`; the default records a
 * 5 s profile in the main thread), `dd` (`@datadog/pprof`: heap profile, a
 * time profile of the same length, both encoded with its `encode`), `v8`
 * (the runtime's floor: V8's CPU profiler started and stopped through
 * `node:inspector` with nothing else loaded, the profile discarded).
 *
 * Argument: a JSON {@linkcode StallTask}. Output: `BENCH_RESULT <json>`.
 *
 * @module
 */
import process from "node:process";
import { setImmediate } from "node:timers";
import { mainThreadCpuMs } from "./_cpu_clock.ts";
import { loadDatadog } from "./_peers.ts";
import { type Summary, summarize } from "./_stats.ts";
import { manyStacks, retainHeap } from "./_workload.ts";

/** What one child measures. */
export interface StallTask {
  /** `autoprof`, `autoprof-inspector` or `dd`. */
  tool: string;
  /** Live heap to hold, MB (0: small heap). */
  heapMb: number;
  /** Bundles to measure. */
  bundles: number;
  /** CPU profile length per bundle, ms. */
  cpuMs: number;
  /**
   * An idle app (a 1 ms timer that only reads memory) instead of the
   * working one: its heap then holds nothing but what the profiler
   * allocates, so the memory peak is the profiler's own.
   */
  idle?: boolean;
}

/** One bundle's measurements. */
export interface StallSample {
  /** Longest time between two chunk starts minus the median chunk length, ms. */
  maxGapMs: number;
  /** `monitorEventLoopDelay` max, ms (NaN where unavailable). */
  loopDelayMaxMs: number;
  /** `monitorEventLoopDelay` p99, ms. */
  loopDelayP99Ms: number;
  /** Main-thread CPU not spent in app chunks, ms. */
  profilerCpuMs: number;
  /** Peak JS memory (heap used + external + array buffers) above the start, bytes. */
  peakJsBytes: number;
  /** Peak RSS above the start, bytes. */
  peakRssBytes: number;
  /** Bundle (or equivalent output) size, bytes. */
  bundleBytes: number;
  /** Wall time of the collection, ms. */
  wallMs: number;
  /** The bundle left the heap profile out (rationed forced GCs). */
  heapSkipped?: boolean;
}

/** What the child prints. */
export type StallOutput =
  | {
    ok: true;
    tool: string;
    heapMb: number;
    samples: StallSample[];
    baselineMaxGapMs: Summary;
    baselineProfilerCpuMs: Summary;
    /** Peak JS memory above the start in a window without a bundle (the app's own garbage). */
    baselinePeakJsBytes: Summary;
    /** Peak RSS above the start in a window without a bundle. */
    baselinePeakRssBytes: Summary;
    /** Main-thread CPU outside app chunks per ms without a bundle (loop overhead). */
    baselineCpuPerMs: number;
    /** Main-thread time of each inspector call of autoprof's, by method (in-process sessions answer synchronously). */
    inspectorCalls?: Record<string, number[]>;
    cpuProfileNodes?: number;
    detail?: string;
  }
  | { ok: false; tool: string; heapMb: number; na: string };

/** Collects once; resolves to the output size and whether the heap profile was left out. */
type Collect = () => Promise<{ bytes: number; heapSkipped?: boolean }>;

const task = JSON.parse(process.argv[2] ?? "{}") as StallTask;
const work = manyStacks({ functions: 400 });
// Calibrate the chunk to about 1 ms, once the code is warm.
for (let i = 0; i < 2000; i++) work(1);
const perUnit = (() => {
  const t = performance.now();
  work(200);
  return (performance.now() - t) / 200;
})();
const units = Math.max(1, Math.round(1 / perUnit));
const keep = task.heapMb > 0 ? retainHeap(task.heapMb * 1024 * 1024) : [];

async function setup(): Promise<{ collect: Collect; detail?: string; session?: unknown } | string> {
  if (task.tool === "autoprof" || task.tool === "autoprof-inspector" || task.tool === "autoprof-worker") {
    if (task.tool === "autoprof-inspector") process.env.AUTOPROF_HEAP_SOURCE = "inspector";
    const { loadAdapter } = await import("../runtimes/detect.ts");
    const { collectBundle } = await import("../src/collect.ts");
    let adapter = await loadAdapter();
    if (task.tool === "autoprof-worker") {
      if (adapter.runtime !== "node") return "Node only (the CPU profile runs in a worker only on Node)";
      const { createNodeAdapter } = await import("../runtimes/node/adapter.ts");
      adapter = await createNodeAdapter({ cpuOffload: true });
    }
    return {
      detail: `heap: ${detail(adapter.capabilities().heap)}; cpu: ${detail(adapter.capabilities().cpu)}`,
      collect: async () => {
        const { bytes, meta } = await collectBundle(adapter, { cpuProfileDuration: task.cpuMs });
        return { bytes: bytes.length, heapSkipped: meta.skipped?.heap !== undefined };
      },
      session: (await import("../runtimes/_inspector/session.ts")).InspectorSession,
    };
  }
  if (task.tool === "v8") {
    // The runtime's floor: V8's CPU profiler started and stopped through
    // an in-process inspector session, the profile thrown away. No
    // profiler code is loaded, so the stall is V8's own for this app.
    const { Session } = await import("node:inspector");
    const session = new Session();
    session.connect();
    const post = (method: string, params?: object) =>
      new Promise<unknown>((resolve, reject) =>
        session.post(method, params, (error, result) => error ? reject(error) : resolve(result))
      );
    await post("Profiler.enable");
    await post("Profiler.setSamplingInterval", { interval: 10_000 });
    return {
      detail: "node:inspector Profiler.start/stop, profile discarded",
      collect: async () => {
        if (task.cpuMs === 0) return { bytes: 0 };
        // Let the measuring loop start first: an in-process session runs
        // Profiler.start synchronously, inside this call.
        await new Promise((r) => setTimeout(r, 0));
        await post("Profiler.start");
        await new Promise((r) => setTimeout(r, task.cpuMs));
        await post("Profiler.stop");
        return { bytes: 0 };
      },
    };
  }
  if (task.tool === "dd") {
    const dd = loadDatadog();
    if (dd === undefined) return "n/a (not installed)";
    dd.heap.start(512 * 1024, 64);
    return {
      detail: "@datadog/pprof heap.profile + time 10 ms, encode",
      collect: async () => {
        const heap = await dd.encode(dd.heap.profile());
        if (task.cpuMs === 0) return { bytes: heap.length };
        dd.time.start({ intervalMicros: 10_000, durationMillis: task.cpuMs, withContexts: false });
        await new Promise((r) => setTimeout(r, task.cpuMs));
        const cpu = await dd.encode(dd.time.stop());
        return { bytes: heap.length + cpu.length };
      },
    };
  }
  return `unknown tool ${JSON.stringify(task.tool)}`;
}

function detail(c: { ok: boolean; detail?: string; reason?: string } | undefined): string {
  if (c === undefined) return "not declared";
  return c.ok ? c.detail ?? "ok" : `unavailable: ${c.reason}`;
}

const jsBytes = (): number => {
  const m = process.memoryUsage();
  return m.heapUsed + m.external + m.arrayBuffers;
};

interface Histogram {
  enable(): void;
  disable(): void;
  reset(): void;
  max: number;
  percentile(p: number): number;
}

async function loopDelay(): Promise<Histogram | undefined> {
  if (typeof (globalThis as { Deno?: unknown }).Deno !== "undefined") return undefined;
  try {
    const { monitorEventLoopDelay } = await import("node:perf_hooks");
    return monitorEventLoopDelay({ resolution: 1 }) as unknown as Histogram;
  } catch {
    return undefined;
  }
}

/** Runs the app loop while `during` runs (or for `ms`), measuring gaps. */
async function measure(during: Promise<{ bytes: number; heapSkipped?: boolean }> | number, histogram: Histogram | undefined): Promise<StallSample> {
  let done = false;
  let bundleBytes = 0;
  let heapSkipped: boolean | undefined;
  const t0 = performance.now();
  let wallMs = 0;
  const finished = typeof during === "number"
    ? new Promise<void>((r) => setTimeout(r, during)).then(() => {
      done = true;
      wallMs = performance.now() - t0;
    })
    : during.then((r) => {
      bundleBytes = r.bytes;
      heapSkipped = r.heapSkipped;
      done = true;
      wallMs = performance.now() - t0;
    });
  const js0 = jsBytes();
  const rss0 = process.memoryUsage().rss;
  let peakJs = 0;
  let peakRss = 0;
  let maxTick = 0;
  let appMs = 0;
  const chunks: number[] = [];
  const c0 = mainThreadCpuMs();
  histogram?.reset();
  histogram?.enable();
  let previous = performance.now();
  let turns = 0;
  while (!done) {
    const start = performance.now();
    maxTick = Math.max(maxTick, start - previous);
    previous = start;
    if (!task.idle) work(units);
    const end = performance.now();
    chunks.push(end - start);
    appMs += end - start;
    // Memory every few turns: memoryUsage() reads /proc.
    if (task.idle || (turns++ & 3) === 0) {
      const m = process.memoryUsage();
      peakJs = Math.max(peakJs, m.heapUsed + m.external + m.arrayBuffers - js0);
      peakRss = Math.max(peakRss, m.rss - rss0);
    }
    await new Promise((r) => task.idle ? setTimeout(r, 1) : setImmediate(r));
  }
  await finished;
  histogram?.disable();
  const cpu = mainThreadCpuMs() - c0;
  const sorted = [...chunks].sort((a, b) => a - b);
  const typical = sorted.length ? sorted[sorted.length >> 1] : 0;
  // The app's own time: a chunk stretched by work that interrupted it
  // counts only its usual length.
  const cap = sorted.length ? sorted[Math.floor(sorted.length * 0.9)] : 0;
  appMs = chunks.reduce((sum, c) => sum + Math.min(c, cap), 0);
  return {
    maxGapMs: Math.max(0, maxTick - typical),
    loopDelayMaxMs: histogram ? histogram.max / 1e6 : NaN,
    loopDelayP99Ms: histogram ? histogram.percentile(99) / 1e6 : NaN,
    profilerCpuMs: cpu - appMs,
    ...(process.env.BENCH_DEBUG ? { turns, appMs, cpu } : {}),
    peakJsBytes: peakJs,
    peakRssBytes: peakRss,
    bundleBytes,
    wallMs,
    ...(heapSkipped ? { heapSkipped } : {}),
  };
}

/**
 * Times every `post` of autoprof's inspector sessions, by method. An
 * in-process session runs the command and its callback synchronously, so
 * the time to the callback is time the event loop was blocked.
 */
function timeInspectorCalls(sessionClass: unknown): Record<string, number[]> {
  const calls: Record<string, number[]> = {};
  const proto = (sessionClass as { prototype: { post: (method: string, params?: object) => Promise<unknown> } }).prototype;
  const post = proto.post;
  proto.post = function (this: unknown, method: string, params?: object) {
    const t = performance.now();
    let sync = true;
    const result = post.call(this, method, params);
    const record = () => {
      if (sync) (calls[method] ??= []).push(performance.now() - t);
    };
    result.then(record, record);
    queueMicrotask(() => (sync = false));
    return result;
  };
  return calls;
}

async function main(): Promise<StallOutput> {
  const s = await setup();
  if (typeof s === "string") return { ok: false, tool: task.tool, heapMb: task.heapMb, na: s };
  const histogram = await loopDelay();
  const calls = s.session === undefined ? undefined : timeInspectorCalls(s.session);
  // Warm the app's code up. The first bundle is the process's first
  // (cold: nothing of the profiler's code optimized yet); the report
  // shows it apart from the later (warm) ones.
  await measure(1000, histogram);
  const samples: StallSample[] = [];
  const baseline: StallSample[] = [];
  for (let i = 0; i < task.bundles; i++) {
    const sample = await measure(s.collect(), histogram);
    samples.push(sample);
    baseline.push(await measure(Math.min(sample.wallMs, 2000), histogram));
  }
  return {
    ok: true,
    tool: task.tool,
    heapMb: task.heapMb,
    samples,
    baselineMaxGapMs: summarize(baseline.map((b) => b.maxGapMs)),
    baselineProfilerCpuMs: summarize(baseline.map((b) => b.profilerCpuMs)),
    baselinePeakJsBytes: summarize(baseline.map((b) => b.peakJsBytes)),
    baselinePeakRssBytes: summarize(baseline.map((b) => b.peakRssBytes)),
    baselineCpuPerMs: baseline.reduce((a, b) => a + b.profilerCpuMs, 0) / baseline.reduce((a, b) => a + b.wallMs, 0),
    inspectorCalls: calls,
    detail: s.detail,
  };
}

const out = await main();
console.log(`BENCH_RESULT ${JSON.stringify(out)}`);
keep.length = 0;
process.exit(0);
