/**
 * Benchmark child: how long starting and stopping V8's CPU profiler
 * blocks the main thread, by live heap size, through `node:inspector`
 * (what autoprof uses) and through `@datadog/pprof`'s native `time`
 * profiler (when installed).
 *
 * Why it matters: V8 starts each CPU profile by logging every piece of
 * compiled code it can find (so samples can be named), and it finds them
 * by walking the whole heap on the main thread. That walk is the longest
 * single stall in a Node bundle, grows with the number of live objects,
 * and is the same whoever asks for the profile: the inspector, a native
 * addon, or a worker's session to the main thread (V8 runs it on the
 * profiled thread). A profiler that runs continuously pays it once; one
 * that profiles 5 s of every two minutes pays it per profile.
 *
 * For each heap size (a pointer-rich graph of small objects, as in the
 * stall benchmark): N rounds of start, a 200 ms profile of a busy loop,
 * stop; the start and the stop are timed around the synchronous calls
 * (an in-process inspector session answers synchronously). Reports the
 * median and max of each.
 *
 * Argument: JSON `{ heapsMb: number[], rounds: number }`. Output: a table
 * on stderr and one line `BENCH_RESULT <json>` on stdout.
 *
 * @module
 */
import { Session } from "node:inspector";
import process from "node:process";
import { loadDatadog } from "./_peers.ts";
import { summarize, type Summary } from "./_stats.ts";
import { retainHeap } from "./_workload.ts";

/** What the parent asks for. */
export interface CpuStartTask {
  /** Live heap sizes to measure at, MB (in increasing order: the heap only grows). */
  heapsMb: number[];
  /** Start/stop rounds per heap size and tool. */
  rounds: number;
}

/** One row: a tool at a heap size. */
export interface CpuStartRow {
  tool: "inspector" | "@datadog/pprof";
  heapMb: number;
  /** V8 heap used when measured, MB. */
  heapUsedMb: number;
  startMs: Summary;
  stopMs: Summary;
}

const task: CpuStartTask = JSON.parse(process.argv[2] ?? '{"heapsMb":[0,50,200],"rounds":5}');

function busyFor(ms: number): number {
  const end = performance.now() + ms;
  let x = 0;
  while (performance.now() < end) x += Math.sqrt(x + 1);
  return x;
}

/** An in-process session answers synchronously: the callback runs inside post(). */
function postSync(session: Session, method: string, params: object = {}): unknown {
  let out: unknown;
  let failure: unknown;
  session.post(method, params, (error, result) => {
    failure = error;
    out = result;
  });
  if (failure) throw failure;
  return out;
}

function timed(fn: () => unknown): number {
  const t = performance.now();
  fn();
  return performance.now() - t;
}

function inspectorRound(session: Session): [number, number] {
  postSync(session, "Profiler.setSamplingInterval", { interval: 10_000 });
  const start = timed(() => postSync(session, "Profiler.start"));
  busyFor(200);
  const stop = timed(() => postSync(session, "Profiler.stop"));
  return [start, stop];
}

const dd = loadDatadog();
function ddRound(): [number, number] {
  const start = timed(() => dd!.time.start({ intervalMicros: 10_000, durationMillis: 60_000, withContexts: false }));
  busyFor(200);
  const stop = timed(() => dd!.time.stop());
  return [start, stop];
}

const session = new Session();
session.connect();
postSync(session, "Profiler.enable");
const rows: CpuStartRow[] = [];
const keep: unknown[] = [];
let retained = 0;
for (const heapMb of task.heapsMb) {
  keep.push(retainHeap((heapMb - retained) * 1024 * 1024));
  retained = heapMb;
  // Let the GC settle the new graph, so no collection lands in a start.
  await new Promise((r) => setTimeout(r, 500));
  const tools: Array<[CpuStartRow["tool"], () => [number, number]]> = [["inspector", () => inspectorRound(session)]];
  if (dd !== undefined) tools.push(["@datadog/pprof", ddRound]);
  for (const [tool, round] of tools) {
    const starts: number[] = [];
    const stops: number[] = [];
    for (let i = 0; i < task.rounds; i++) {
      const [a, b] = round();
      starts.push(a);
      stops.push(b);
      await new Promise((r) => setTimeout(r, 50));
    }
    const heapUsedMb = process.memoryUsage().heapUsed / 2 ** 20;
    const row: CpuStartRow = { tool, heapMb, heapUsedMb, startMs: summarize(starts), stopMs: summarize(stops) };
    rows.push(row);
    console.error(
      `${tool} heap ${heapUsedMb.toFixed(0)} MB: start ${row.startMs.median.toFixed(1)} ms, stop ${row.stopMs.median.toFixed(1)} ms`,
    );
  }
}
session.disconnect();
console.log(`BENCH_RESULT ${JSON.stringify({ ok: true, rows, ddNa: dd === undefined ? "n/a (not installed)" : undefined, retained: keep.length })}`);
