/**
 * Benchmark child: throughput and CPU per operation of the mixed workload
 * with one profiler variant switched off (A) and on (B) in alternating
 * blocks, in this process (see `_ab.ts`). Run by `run.ts`, one process per
 * runtime and variant, so that profilers never meet.
 *
 * Argument: a JSON {@linkcode ThroughputTask}. Output: one line
 * `BENCH_RESULT <json>` on stdout.
 *
 * Variants:
 * - `control`: switches nothing (the noise floor);
 * - `cpu`: autoprof's CPU profile (the runtime adapter's, default 10 ms
 *   interval) running during B blocks;
 * - `heap-sampler`: V8's sampling heap profiler at autoprof's default
 *   512 KiB interval running during B blocks (not on Bun: no sampler);
 * - `schedule`: a compressed schedule: each B block starts one bundle with
 *   a 5 s CPU profile (heap, expvar, allocs, resources, CPU), so a 10 s
 *   block is one period of a 10 s interval;
 * - `schedule-worker`: the same with the Node adapter's CPU profile
 *   recorded in a worker thread (`cpuOffload: true`), for comparison;
 * - `dd`: `@datadog/pprof` time profiler (10 ms) + heap profiler
 *   (512 KiB) running during B blocks;
 * - `dd-cpu`: `@datadog/pprof` time profiler (10 ms) alone, the same V8
 *   profiler as `cpu` without autoprof around it;
 * - `dd-heap`: `@datadog/pprof` heap profiler (512 KiB) alone, the same
 *   V8 sampler as `heap-sampler` started through its addon;
 * - `pyroscope`: `@pyroscope/nodejs` (its defaults: 100 Hz wall, heap)
 *   running during B blocks.
 *
 * @module
 */
import process from "node:process";
import { abba, type AbbaResult, type Mode } from "./_ab.ts";
import { loadDatadog, loadPyroscope } from "./_peers.ts";
import { mixedOp } from "./_workload.ts";

/** What one child measures. */
export interface ThroughputTask {
  /** Variant name (see the module doc). */
  variant: string;
  /** A/B pairs. */
  pairs: number;
  /** Block length, ms. */
  blockMs: number;
  /** Settling time after each switch, ms. */
  skipMs: number;
  /** Where `@pyroscope/nodejs` uploads (a local server of the parent). */
  pyroscopeUrl?: string;
}

/** What the child prints. */
export type ThroughputOutput =
  | ({ ok: true; variant: string } & Omit<AbbaResult, "blocks"> & { blocks: number; detail?: string })
  | { ok: false; variant: string; na: string };

type Switch = {
  enter: (mode: Mode) => Promise<void> | void;
  begin?: (mode: Mode) => void;
  leave?: (mode: Mode) => Promise<void> | void;
  detail?: string;
  /** Extra facts learned while running, added to the detail. */
  summary?: () => string;
};

/** `@datadog/pprof`'s time profiler at autoprof's interval, for longer than any run. */
const DD_TIME = { intervalMicros: 10_000, durationMillis: 3_600_000, withContexts: false };

/** A profiler that runs in B blocks: started on entering the first, stopped on entering an A block after one. */
function onInB(detail: string, start: () => unknown, stop: () => unknown): Switch {
  let on = false;
  return {
    detail,
    enter: async (mode) => {
      if (mode === "B" && !on) await start();
      else if (mode === "A" && on) await stop();
      on = mode === "B";
    },
  };
}

async function variantSwitch(task: ThroughputTask): Promise<Switch | string> {
  switch (task.variant) {
    case "control":
      return { enter: () => {} };
    case "cpu": {
      const { loadAdapter } = await import("../runtimes/detect.ts");
      const adapter = await loadAdapter();
      if (adapter.cpu === undefined) return `no CPU profiler: ${reason(adapter.capabilities().cpu)}`;
      let running: { stop: AbortController; done: Promise<unknown> } | undefined;
      return {
        detail: adapter.capabilities().cpu?.ok ? (adapter.capabilities().cpu as { detail?: string }).detail : undefined,
        enter: async (mode) => {
          if (mode === "B" && running === undefined) {
            const stop = new AbortController();
            // Measure the profile running, not its start-up (the worker's
            // boot, V8 logging the code): the block waits for sampling.
            let started: () => void = () => {};
            const sampling = new Promise<void>((r) => (started = r));
            const done = adapter.cpu!({ durationMs: 2 ** 31 - 1, byteTarget: 0, signal: stop.signal, onStarted: started });
            running = { stop, done };
            const result = await Promise.race([sampling.then(() => undefined), done]);
            if (result !== undefined) throw new Error(`the CPU profile did not start: ${JSON.stringify(result)}`);
          } else if (mode === "A" && running !== undefined) {
            running.stop.abort();
            await running.done;
            running = undefined;
          }
        },
      };
    }
    case "heap-sampler": {
      const inspector = await import("node:inspector").catch(() => undefined);
      if (inspector?.Session === undefined) return "no node:inspector";
      const session = new inspector.Session();
      session.connect();
      const post = (method: string, params: object = {}) =>
        new Promise<unknown>((resolve, reject) => session.post(method, params, (e, r) => (e ? reject(e) : resolve(r))));
      try {
        await post("HeapProfiler.enable");
        await post("HeapProfiler.startSampling", { samplingInterval: 512 * 1024 });
        await post("HeapProfiler.stopSampling");
      } catch (error) {
        return `no sampling heap profiler: ${error instanceof Error ? error.message : String(error)}`;
      }
      return onInB(
        "HeapProfiler.startSampling, 524288 bytes",
        () => post("HeapProfiler.startSampling", { samplingInterval: 512 * 1024 }),
        () => post("HeapProfiler.stopSampling"),
      );
    }
    case "schedule":
    case "schedule-worker": {
      const { loadAdapter } = await import("../runtimes/detect.ts");
      const { collectBundle } = await import("../src/collect.ts");
      let adapter = await loadAdapter();
      if (task.variant === "schedule-worker") {
        if (adapter.runtime !== "node") return "Node only (the CPU profile runs in a worker only on Node)";
        const { createNodeAdapter } = await import("../runtimes/node/adapter.ts");
        adapter = await createNodeAdapter({ cpuOffload: true });
      }
      let bundle: Promise<unknown> | undefined;
      let sizes = 0;
      let count = 0;
      return {
        detail: "one bundle with a 5 s CPU profile per 10 s B block",
        enter: () => {},
        begin: (mode) => {
          if (mode === "B") {
            bundle = collectBundle(adapter, { cpuProfileDuration: 5000 }).then((b) => {
              sizes += b.bytes.length;
              count++;
            });
          }
        },
        leave: async () => {
          await bundle;
          bundle = undefined;
        },
        summary: () => `${count} bundles, ${Math.round(count ? sizes / count : 0)} bytes each`,
      };
    }
    case "dd": {
      const dd = loadDatadog();
      if (dd === undefined) return "n/a (not installed)";
      return onInB("@datadog/pprof time 10 ms + heap 524288 bytes", () => {
        dd.time.start(DD_TIME);
        dd.heap.start(512 * 1024, 64);
      }, () => {
        dd.time.stop();
        dd.heap.stop();
      });
    }
    case "dd-cpu": {
      // The same V8 profiler at the same interval, through a native addon:
      // what is left when autoprof's part is taken away.
      const dd = loadDatadog();
      if (dd === undefined) return "n/a (not installed)";
      return onInB("@datadog/pprof time 10 ms only", () => dd.time.start(DD_TIME), () => dd.time.stop());
    }
    case "dd-heap": {
      // V8's sampling heap profiler at the same interval, through the
      // addon: the sampler's cost whoever starts it.
      const dd = loadDatadog();
      if (dd === undefined) return "n/a (not installed)";
      return onInB("@datadog/pprof heap 524288 bytes only", () => dd.heap.start(512 * 1024, 64), () => dd.heap.stop());
    }
    case "pyroscope": {
      const pyroscope = loadPyroscope();
      if (pyroscope === undefined) return "n/a (not installed)";
      pyroscope.init({ serverAddress: task.pyroscopeUrl ?? "http://127.0.0.1:9", appName: "autoprof-bench" });
      return onInB("@pyroscope/nodejs defaults (wall 100 Hz + heap)", () => pyroscope.start(), () => pyroscope.stop());
    }
  }
  return `unknown variant ${JSON.stringify(task.variant)}`;
}

function reason(c: { ok: boolean; reason?: string } | undefined): string {
  return c === undefined ? "not declared" : c.ok ? "ok" : c.reason ?? "";
}

/** Runs one task and returns its output. */
async function runThroughput(task: ThroughputTask): Promise<ThroughputOutput> {
  const sw = await variantSwitch(task);
  if (typeof sw === "string") return { ok: false, variant: task.variant, na: sw };
  // Warm the workload up before measuring anything.
  const warmEnd = performance.now() + Math.min(1000, task.blockMs);
  while (performance.now() < warmEnd) mixedOp();
  const r = await abba({ ...task, op: mixedOp, enter: sw.enter, begin: sw.begin, leave: sw.leave });
  await sw.enter("A");
  return {
    ok: true,
    variant: task.variant,
    throughput: r.throughput,
    threadCpuPerOp: r.threadCpuPerOp,
    processCpuPerOp: r.processCpuPerOp,
    blocks: r.blocks.length,
    detail: [sw.detail, sw.summary?.()].filter(Boolean).join("; "),
  };
}

const task = JSON.parse(process.argv[2] ?? "{}") as ThroughputTask;
console.log(`BENCH_RESULT ${JSON.stringify(await runThroughput(task))}`);
// Profilers and sessions may keep the process alive.
process.exit(0);
