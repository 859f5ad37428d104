/**
 * The Node adapter's CPU profile off the main thread: a worker thread
 * opens its own inspector session to the main thread
 * (`Session.connectToMainThread()`), drives the main thread's profiler
 * from there and receives the result there. The main thread then pays
 * only V8's own work (starting the profiler, which logs every compiled
 * function; stopping it and serializing the profile); the JSON parse, the
 * conversion to pprof and gzip run in the worker (measured on Node 20:
 * 5 s at 10 ms, ~2 000 nodes: 8 ms stop + 5–30 ms conversion otherwise).
 *
 * One worker per capture, ended when the capture ends: an idle profiler
 * costs no thread and no isolate between bundles. Starting a worker takes
 * a few ms of main-thread time and ~30 ms of its own before the profile
 * starts.
 *
 * Falls back (the capture then runs in the main thread) when the worker
 * cannot start or load its script (an app bundler that left
 * `cpu_worker.js` out), or when the runtime has no `connectToMainThread`.
 * Deno has none; Bun has one that profiles the worker itself, so only the
 * Node adapter uses this.
 *
 * @module
 */
import type { TimedCapture } from "../../src/types.ts";
import type { RemoteCpuProfiler } from "../_inspector/cpu_capture.ts";
import type { RecordCpuProfileOptions } from "../_inspector/cpu_record.ts";
import type { CpuWorkerTask } from "./cpu_worker.ts";

/** Options for {@linkcode workerCpuProfiler}. */
export interface WorkerCpuProfilerOptions {
  /**
   * The worker script.
   * @default {`./cpu_worker.js` beside this module (`.ts` when running from source)}
   */
  url?: URL;
}

type WorkerMessage =
  | { type: "started" }
  | { type: "result"; result: TimedCapture }
  | { type: "unavailable"; reason: string }
  | { type: "error"; message: string };

/** How long past a bundle's deadline the worker may finish its profile on its own. */
const LATE_ABORT_MS = 1000;

/** The worker script beside this module, with this module's extension. */
function defaultUrl(): URL {
  const ext = /\.[mc]?ts$/.test(import.meta.url) ? "ts" : "js";
  return new URL(`./cpu_worker.${ext}`, import.meta.url);
}

/**
 * A {@linkcode RemoteCpuProfiler} that records in a worker thread.
 *
 * @param options the worker script.
 * @returns the profiler: resolves to the capture, to `undefined` when no
 * worker could profile (nothing was started; record in-thread instead),
 * or rejects if the worker failed after the profile started.
 *
 * @example
 * ```ts ignore
 * import { captureCpuProfile } from "../_inspector/cpu_capture.ts";
 * import { workerCpuProfiler } from "./cpu_offload.ts";
 * const r = await captureCpuProfile({
 *   durationMs: 1000, byteTarget: 0, signal: new AbortController().signal, remote: workerCpuProfiler(),
 * });
 * console.log(r.ok ? r.data.length : r.skipped);
 * ```
 */
export function workerCpuProfiler(options: WorkerCpuProfilerOptions = {}): RemoteCpuProfiler {
  return async (o: RecordCpuProfileOptions): Promise<TimedCapture | undefined> => {
    let threads: typeof import("node:worker_threads");
    try {
      threads = await import("node:worker_threads");
    } catch {
      return undefined;
    }
    const task: CpuWorkerTask = {
      durationMs: o.durationMs,
      byteTarget: o.byteTarget,
      intervalMicros: o.intervalMicros,
      collectGarbageFirst: o.collectGarbageFirst,
    };
    let worker: import("node:worker_threads").Worker;
    try {
      // No execArgv: the app's flags (an --import of autoprof/register,
      // say) must not run again in the worker.
      worker = new threads.Worker(options.url ?? defaultUrl(), {
        workerData: task,
        execArgv: [],
        resourceLimits: { maxYoungGenerationSizeMb: 4 },
      });
    } catch {
      return undefined;
    }
    // A capture in flight must not keep the process alive on its own.
    worker.unref();
    let started = false;
    let late: ReturnType<typeof setTimeout> | undefined;
    const abort = (): void => {
      // A bundle's deadline (a TimeoutError) counts from this call, but
      // the profile started a worker start-up later (~30 ms), and its own
      // timer in the worker ends it at its full length: let that timer
      // end it, with a deadline of our own in case it does not.
      if (started && (o.signal.reason as { name?: unknown } | undefined)?.name === "TimeoutError") {
        late = setTimeout(() => worker.postMessage({ type: "abort" }), LATE_ABORT_MS);
        return;
      }
      worker.postMessage({ type: "abort" });
    };
    try {
      return await new Promise<TimedCapture | undefined>((resolve, reject) => {
        o.signal.addEventListener("abort", abort, { once: true });
        if (o.signal.aborted) abort();
        worker.on("message", (m: WorkerMessage) => {
          if (m.type === "started") {
            started = true;
            o.onStarted?.();
          } else if (m.type === "result") {
            resolve(m.result);
          } else if (m.type === "unavailable") {
            resolve(undefined);
          } else if (m.type === "error") {
            if (started) reject(new Error(`CPU profile worker failed: ${m.message}`));
            else resolve(undefined);
          }
        });
        // Failing before the profile started (the script did not load):
        // nothing was recorded, so the caller can record in-thread.
        worker.on("error", (error: Error) => {
          if (started) reject(new Error(`CPU profile worker failed: ${error.message}`));
          else resolve(undefined);
        });
        worker.on("exit", (code: number) => {
          if (started) reject(new Error(`CPU profile worker exited (code ${code}) without a result`));
          else resolve(undefined);
        });
      });
    } finally {
      clearTimeout(late);
      o.signal.removeEventListener("abort", abort);
      void worker.terminate();
    }
  };
}
