/**
 * The periodic collector: builds a bundle on a {@linkcode Schedule} and
 * hands it to a sink, like Go autoprof's `periodic.Collector`, but it never
 * stops on an error and never throws into the app.
 *
 * - Timers never keep the process alive: the default timer is unref'd
 *   where the runtime allows it, and the runtime layer can inject its own.
 * - Never two bundles at once: periodic bundles ask the capture lock to
 *   reject (`ifBusy: "reject"`) rather than queue behind another capture;
 *   that tick is skipped and counted.
 * - Failures go to `onError` and to autoprof's own expvar counters.
 *
 * This module is runtime-agnostic: `collect` is injected. The public
 * `start()` wires it to the detected runtime's adapter.
 *
 * @module
 */
import type { CollectOptions, Meta, MetaOverrides } from "./types.ts";
import { Schedule, type ScheduleOptions } from "./schedule.ts";
import type { Sink, StoreResult } from "./sinks/sink.ts";

/** Options for one collection, as the periodic collector passes them on. */
export type PeriodicCollectOptions = CollectOptions & {
  /** What to do when another capture holds the lock: wait for it, or give up. */
  ifBusy?: "wait" | "reject";
};

/** Builds one bundle (usually `collectBundle` bound to an adapter). */
export type CollectFn = (options: PeriodicCollectOptions) => Promise<{ meta: Meta; bytes: Uint8Array }>;

/** A scheduled callback; the runtime layer may supply an unref'd one. */
export interface Timers {
  /** Calls `fn` once after `ms` milliseconds; returns a handle for `clear`. */
  set(fn: () => void, ms: number): unknown;
  /** Cancels a pending call. */
  clear(handle: unknown): void;
}

/** Which step failed, passed to `onError`. */
export interface PeriodicErrorContext {
  /** `collect`: building the bundle; `store`: the sink. */
  phase: "collect" | "store";
  /** The bundle's meta, when it was built. */
  meta?: Meta;
}

/** Options for {@linkcode startPeriodic}. */
export interface PeriodicOptions {
  /** Builds a bundle. */
  collect: CollectFn;
  /** Stores a bundle. */
  sink: Sink;
  /**
   * When to collect and what; `false`: no periodic bundles, only
   * {@linkcode PeriodicHandle.flush}.
   * @default {Go autoprof's schedule: every 2 min, 5 s CPU profiles, rare traces}
   */
  schedule?: ScheduleOptions | false;
  /** Extra `custom/<name>` entries for every bundle. */
  custom?: CollectOptions["custom"];
  /** Overrides for `meta` fields. */
  meta?: MetaOverrides;
  /**
   * Called for every failure; never throws into the app (an exception here is
   * swallowed).
   * @default {() => {}}
   */
  onError?: (error: unknown, context: PeriodicErrorContext) => void;
  /** Called after each bundle is stored, with where it went. */
  onStored?: (result: StoreResult | undefined, meta: Meta) => void;
  /**
   * Timer functions.
   * @default {setTimeout/clearTimeout, unref'd when the handle has `unref`}
   */
  timers?: Timers;
  /**
   * Counts events (`autoprof.periodic.*`), e.g. expvar's `addCounter`.
   * @default {() => {}}
   */
  count?: (name: string, n: number) => void;
}

/** Options for {@linkcode PeriodicHandle.flush}. */
export interface FlushOptions {
  /**
   * CPU profile length in ms.
   * @default {0}
   */
  cpuProfileDuration?: number;
  /**
   * Trace length in ms.
   * @default {0}
   */
  traceDuration?: number;
  /** Ends the flush's timed captures early (the bundle is still stored). */
  signal?: AbortSignal;
  /**
   * Time budget in ms, for the end of a serverless invocation or a
   * shutdown: once it runs out, `flush()` resolves at once with
   * `{ ok: false }` and a `TimeoutError` (timed captures are cut short; a
   * bundle already handed to the sink keeps uploading in the background,
   * since a sink cannot be recalled). The budget's timer keeps the process
   * alive while it runs. Absent: no limit.
   */
  timeoutMs?: number;
}

/** What {@linkcode PeriodicHandle.flush} did. */
export type FlushResult =
  | { ok: true; meta: Meta; stored: StoreResult | undefined }
  | { ok: false; error: unknown };

/** Controls a running periodic collector. */
export interface PeriodicHandle {
  /**
   * Stops for good. No new bundle starts. A bundle still being collected is
   * abandoned: its timed captures (CPU profile, trace) are aborted at once
   * and the bundle is not stored. A bundle already handed to the sink is
   * left to finish storing. Resolves when no capture of this collector is
   * running any more (profilers are stopped). Idempotent.
   */
  stop(): Promise<void>;
  /**
   * Collects and stores one bundle now, for example at the end of a
   * serverless invocation or on shutdown; works after `stop()` too. A
   * periodic bundle in progress has its timed captures cut short (it is
   * still stored), so the flush does not wait out a 5 s CPU profile.
   * Never rejects: failures are returned (and passed to `onError`).
   */
  flush(options?: FlushOptions): Promise<FlushResult>;
  /** False once `stop()` was called. */
  readonly running: boolean;
}

/** Counter names, shown in the `expvar` entry of every bundle. */
export const PERIODIC_COUNTERS = {
  stored: "autoprof.periodic.stored",
  collectErrors: "autoprof.periodic.collect_errors",
  storeErrors: "autoprof.periodic.store_errors",
  skippedBusy: "autoprof.periodic.skipped_busy",
  abandoned: "autoprof.periodic.abandoned",
  flushTimeouts: "autoprof.periodic.flush_timeouts",
} as const;

/**
 * Starts collecting bundles in the background.
 *
 * @param options Collector, sink, schedule and hooks.
 * @returns A handle to flush or stop.
 * @example
 * ```ts ignore
 * import { startPeriodic } from "./periodic.ts";
 * const handle = startPeriodic({
 *   collect: (o) => collectBundle(adapter, o),
 *   sink: async (meta, bytes) => console.log(meta.capture_time, bytes.length),
 * });
 * // later
 * await handle.flush();
 * await handle.stop();
 * ```
 */
export function startPeriodic(options: PeriodicOptions): PeriodicHandle {
  const timers = options.timers ?? defaultTimers;
  const count = options.count ?? (() => {});
  const schedule = options.schedule === false ? undefined : new Schedule(options.schedule);
  let stopped = false;
  let timer: unknown;
  // The periodic bundle being collected, if any.
  let current: { abort: AbortController; done: Promise<void> } | undefined;

  const report = (error: unknown, context: PeriodicErrorContext): void => {
    try {
      options.onError?.(error, context);
    } catch {
      // A faulty hook must not break the collector or the app.
    }
  };

  const store = async (meta: Meta, bytes: Uint8Array): Promise<StoreResult | undefined> => {
    const stored = (await options.sink(meta, bytes)) ?? undefined;
    count(PERIODIC_COUNTERS.stored, 1);
    try {
      options.onStored?.(stored, meta);
    } catch {
      // As above.
    }
    return stored;
  };

  const tick = async (timed: CollectOptions): Promise<void> => {
    const abort = new AbortController();
    let collected: { meta: Meta; bytes: Uint8Array } | undefined;
    const done = (async () => {
      try {
        collected = await options.collect({
          ...timed,
          custom: options.custom,
          meta: options.meta,
          signal: abort.signal,
          ifBusy: "reject",
        });
      } catch (e) {
        if (isBusy(e)) count(PERIODIC_COUNTERS.skippedBusy, 1);
        else if (!stopped) {
          count(PERIODIC_COUNTERS.collectErrors, 1);
          report(e, { phase: "collect" });
        }
      }
    })();
    current = { abort, done };
    await done;
    current = undefined;
    if (collected === undefined) return;
    if (stopped) {
      count(PERIODIC_COUNTERS.abandoned, 1);
      return;
    }
    const { meta, bytes } = collected;
    // Storing may be slow (retries); the next wait starts after it, as in Go.
    await store(meta, bytes).catch((e: unknown) => {
      count(PERIODIC_COUNTERS.storeErrors, 1);
      report(e, { phase: "store", meta });
    });
  };

  const arm = (): void => {
    if (stopped || schedule === undefined) return;
    const plan = schedule.next();
    timer = timers.set(() => {
      timer = undefined;
      if (stopped) return;
      void tick(plan.options).finally(arm);
    }, plan.delayMs);
  };
  arm();

  return {
    get running() {
      return !stopped;
    },
    async stop(): Promise<void> {
      stopped = true;
      if (timer !== undefined) timers.clear(timer);
      timer = undefined;
      const c = current;
      if (c) {
        c.abort.abort(new DOMException("autoprof collector stopped", "AbortError"));
        await c.done;
      }
    },
    async flush(flushOptions: FlushOptions = {}): Promise<FlushResult> {
      const budget = flushOptions.timeoutMs;
      if (budget === undefined) return await flushNow(flushOptions, flushOptions.signal, { phase: "collect", timedOut: false });
      if (typeof budget !== "number" || !(budget >= 0 && budget <= 2 ** 31 - 1)) {
        const error = new RangeError(`Invalid flush option "timeoutMs": must be between 0 and 2147483647 ms: got ${String(budget)}`);
        report(error, { phase: "collect" });
        return { ok: false, error };
      }
      const timeUp = new AbortController();
      const given = flushOptions.signal;
      const signal = given === undefined ? timeUp.signal : AbortSignal.any([given, timeUp.signal]);
      const progress: FlushProgress = { phase: "collect", timedOut: false };
      let timer: ReturnType<typeof setTimeout> | undefined;
      // A referenced timer: it holds the process (and the caller) for at
      // most the budget, even while the sink waits on unreferenced timers.
      const timeout = new Promise<FlushResult>((resolve) => {
        timer = setTimeout(() => {
          const doing = progress.phase === "collect" ? "collecting" : "storing";
          const error = new DOMException(`autoprof flush ran out of its ${budget} ms budget while ${doing}`, "TimeoutError");
          progress.timedOut = true;
          timeUp.abort(error);
          count(PERIODIC_COUNTERS.flushTimeouts, 1);
          report(error, { phase: progress.phase, meta: progress.meta });
          resolve({ ok: false, error });
        }, budget);
      });
      try {
        return await Promise.race([flushNow(flushOptions, signal, progress), timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
  };

  /** One flush without a budget; `progress` follows its steps. */
  async function flushNow(
    flushOptions: FlushOptions,
    signal: AbortSignal | undefined,
    progress: FlushProgress,
  ): Promise<FlushResult> {
    // Cut a periodic CPU profile or trace short instead of waiting it out.
    current?.abort.abort(new DOMException("autoprof flush requested", "AbortError"));
    let collected: { meta: Meta; bytes: Uint8Array };
    try {
      collected = await options.collect({
        cpuProfileDuration: flushOptions.cpuProfileDuration ?? 0,
        traceDuration: flushOptions.traceDuration ?? 0,
        custom: options.custom,
        meta: options.meta,
        signal,
        ifBusy: "wait",
      });
    } catch (error) {
      // After the budget ran out, the abort it caused is no news.
      if (!progress.timedOut) {
        count(PERIODIC_COUNTERS.collectErrors, 1);
        report(error, { phase: "collect" });
      }
      return { ok: false, error };
    }
    progress.phase = "store";
    progress.meta = collected.meta;
    try {
      const stored = await store(collected.meta, collected.bytes);
      return { ok: true, meta: collected.meta, stored };
    } catch (error) {
      count(PERIODIC_COUNTERS.storeErrors, 1);
      report(error, { phase: "store", meta: collected.meta });
      return { ok: false, error };
    }
  }
}

/** Where a flush is, for the message when its budget runs out. */
interface FlushProgress extends PeriodicErrorContext {
  timedOut: boolean;
}

/** setTimeout that does not keep the process alive where `unref` exists. */
const defaultTimers: Timers = {
  set(fn, ms) {
    const handle = setTimeout(fn, ms);
    (handle as { unref?: () => void }).unref?.();
    return handle;
  },
  clear(handle) {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};

function isBusy(e: unknown): boolean {
  // collectBundle rejects with CaptureBusyError when `ifBusy` is "reject".
  // Checked by code, not instanceof: a second copy of autoprof in the same
  // process has its own class.
  return (e as { code?: unknown } | null)?.code === "ERR_AUTOPROF_BUSY";
}
