/**
 * `start()`: the periodic collector wired to the current runtime's adapter.
 *
 * @module
 */
import type { Capabilities, RuntimeAdapter } from "../src/types.ts";
import { type CollectFn, type PeriodicHandle, type PeriodicOptions, startPeriodic, type Timers } from "../src/periodic.ts";
import type { ScheduleOptions } from "../src/schedule.ts";
import type { Sink } from "../src/sinks/sink.ts";
import { fanOutSink } from "../src/sinks/fan_out.ts";
import { collectBundle } from "../src/collect.ts";
import { addCounter } from "../src/expvar.ts";
import { loadAdapter } from "./detect.ts";
import { unrefTimers } from "./_register/timers.ts";

/** Options for {@linkcode start}. */
export interface StartOptions extends Omit<PeriodicOptions, "collect" | "sink" | "schedule" | "timers"> {
  /**
   * Where bundles go: `s3Sink(…)` or any async function of `(meta, bytes)`.
   * Give this, `dir`, or both (each bundle then goes to both).
   */
  sink?: Sink;
  /**
   * Store bundles under this directory (Node, Deno and Bun): atomic writes,
   * layout `pprof/<main>/<hostname>/<proc_id>/<capture_time>.zip`.
   */
  dir?: string;
  /**
   * When to collect and what; `false`: no periodic bundles, only `flush()`.
   * @default {every 2 min (jittered), 5 s CPU profiles, a 1 s trace now and then}
   */
  schedule?: Omit<ScheduleOptions, "capabilities"> | false;
  /**
   * The runtime adapter.
   * @default {the detected runtime's}
   */
  adapter?: RuntimeAdapter | Promise<RuntimeAdapter>;
  /**
   * Builds a bundle; replaces the adapter-based collector (for tests).
   */
  collect?: CollectFn;
  /**
   * Timer functions.
   * @default {timers that never keep the process alive}
   */
  timers?: Timers;
}

/**
 * Starts collecting profile bundles in the background, on Go autoprof's
 * schedule by default: the first after a random 0–2 min, then every
 * 1.6–2 min, each with the heap profile, expvar and (except the first) a 5 s
 * CPU profile. Never keeps the process alive and never throws into the app:
 * failures go to `onError`.
 *
 * @param options Where to store bundles, and tuning.
 * @returns A handle to `flush()` a bundle now or `stop()`.
 * @throws {TypeError} If neither `sink` nor `dir` is given.
 * @example Store bundles under ./profiles
 * ```ts ignore
 * import { start } from "autoprof";
 * const profiler = start({ dir: "./profiles", onError: (e) => console.warn(e) });
 * // At the end of a serverless invocation, or before shutdown:
 * await profiler.flush();
 * ```
 */
export function start(options: StartOptions): PeriodicHandle {
  const { sink: givenSink, dir, adapter: givenAdapter, collect: givenCollect, schedule, timers, ...rest } = options;
  const sinks = [...(dir !== undefined ? [lazyFsSink(dir)] : []), ...(givenSink ? [givenSink] : [])];
  if (sinks.length === 0) throw new TypeError("Cannot start autoprof: give a sink or a dir");
  const sink = fanOutSink(sinks);

  let capabilities: Capabilities | undefined;
  let adapter: Promise<RuntimeAdapter> | undefined;
  const getAdapter = (): Promise<RuntimeAdapter> => {
    adapter ??= Promise.resolve(givenAdapter ?? loadAdapter()).then((a) => {
      capabilities = safeCapabilities(a);
      return a;
    });
    return adapter;
  };
  const collect: CollectFn = givenCollect ??
    (async (o) => collectBundle(await getAdapter(), o));
  if (givenCollect === undefined) void getAdapter().catch(() => {});

  return startPeriodic({
    count: (name, n) => addCounter(name, n),
    ...rest,
    collect,
    sink,
    timers: timers ?? unrefTimers,
    // Until the adapter is known, plan as if everything were possible; the
    // first bundle is light anyway.
    schedule: schedule === false ? false : { ...schedule, capabilities: () => capabilities },
  });
}

function lazyFsSink(dir: string): Sink {
  // Imported on first use so that runtimes without node:fs (workerd) can
  // still load this module when they pass their own sink.
  let made: Promise<Sink> | undefined;
  return async (meta, bytes) => {
    made ??= Promise.all([import("../src/sinks/fs.ts"), import("./_fs/node_fs_ops.ts")]).then(
      ([{ fsSink }, { nodeFsOps }]) => fsSink({ dir }, nodeFsOps),
    );
    return (await made)(meta, bytes);
  };
}

function safeCapabilities(a: RuntimeAdapter): Capabilities | undefined {
  try {
    return a.capabilities();
  } catch {
    return undefined;
  }
}
