/**
 * The sampling heap profiler of this isolate (`HeapProfiler.startSampling`),
 * started once and left running: V8 has one sampler per isolate, and the
 * in-use profile only knows objects allocated while it runs.
 *
 * Measured V8 behaviour (Node 20–26) this relies on:
 * - any session can read the sampler (`getSamplingProfile`), whoever
 *   started it;
 * - a second `startSampling` while one runs succeeds but changes nothing
 *   (interval and flags stay the first caller's);
 * - `stopSampling` from any session stops it for everyone, and so does
 *   disconnecting the session that started it; so the session here stays
 *   connected for the life of the process;
 * - `getSamplingProfile` forces a full garbage collection first when the
 *   sampler was started through the inspector (which always sets V8's
 *   `kSamplingForceGC`): each heap profile then costs one full GC pause,
 *   following the live heap (130–425 ms for 200 MB). When no sampler runs
 *   it fails before collecting.
 * - A sampler started natively without that flag (V8's C++ API, through
 *   an addon: {@linkcode HeapSamplerOptions.startNative}) is read through
 *   the inspector just the same, without the GC (under 1 ms for 200 MB).
 *   The trade-off: the in-use profile then also counts sampled objects
 *   that are garbage but not yet collected (young ones go at the next
 *   scavenge, within milliseconds; old ones at the next major GC). Go's
 *   heap profile is not "live now" either: it is as of the last GC.
 *
 * Every snapshot's main-thread time is measured, and snapshots that force
 * a GC are rationed by a {@linkcode GcBudget} (0.5 % of run time): see
 * {@linkcode HeapSampler.deferral}.
 *
 * If a sampler already runs when autoprof starts (another autoprof copy,
 * `--heap-prof`, or other code), autoprof reads that one instead of
 * starting its own; only an autoprof copy or `--heap-prof-interval` tells
 * its interval. Sizes are right either way (V8 scales them itself); only
 * the reported period and object counts depend on the interval. If other
 * code later stops the sampler, the next snapshot restarts it, and the
 * in-use profile then covers objects allocated since.
 *
 * @module
 */
import type { CdpSamplingHeapProfile } from "../../src/pprof/cdp_types.ts";
import { DEFAULT_HEAP_SAMPLING_INTERVAL_BYTES } from "../../src/pprof/from_heap_profile.ts";
import { AllocationLedger } from "./alloc_ledger.ts";
import { epochNanosNow } from "./cpu_record.ts";
import { GcBudget } from "./gc_budget.ts";
import { inspectorRegistry } from "./registry.ts";
import { type InspectorLoader, InspectorSession } from "./session.ts";

/** Options for {@linkcode HeapSampler.start}. */
export interface HeapSamplerOptions {
  /**
   * Mean bytes between samples (`samplingInterval`).
   * @default {524288}
   */
  samplingIntervalBytes?: number;
  /** `process.execArgv`, to learn `--heap-prof-interval` when `--heap-prof` runs the sampler. */
  execArgv?: readonly string[];
  /** Loads `node:inspector`; for tests. */
  load?: InspectorLoader;
  /**
   * Starts V8's sampler without a forced GC on every read (an addon's
   * `HeapProfiler::StartSamplingHeapProfiler` without
   * `kSamplingForceGC`), used when no sampler runs yet. Returns a
   * description of the source, or throws if it cannot.
   */
  startNative?: (samplingIntervalBytes: number) => string;
  /**
   * Used heap bytes now, for the GC budget's predictions.
   * @default {() => process.memoryUsage().heapUsed where available, else 0}
   */
  heapUsedBytes?: () => number;
  /** The GC budget's share of run time (0–1). @default {0.005} */
  gcBudget?: number;
}

/** Result of {@linkcode HeapSampler.start}. */
export type HeapSamplerStart =
  | { ok: true; sampler: HeapSampler }
  | { ok: false; reason: string };

/** One heap snapshot: the profile and when it was taken. */
export interface HeapSnapshot extends SnapshotTime {
  /** The in-use sampling profile. */
  profile: CdpSamplingHeapProfile;
}

/** When a heap snapshot was taken. */
export interface SnapshotTime {
  /** When it was taken, nanoseconds since the Unix epoch. */
  timeNanos: bigint;
  /** When it was taken, `performance.now()` ms (for freshness checks). */
  takenAt: number;
}

/** What autoprof copies publish about a sampler one of them started. */
interface SharedSamplerInfo {
  samplingIntervalBytes: number;
  startNanos: bigint;
  /** How it was started, when natively (reads force no GC). */
  native?: string;
}

function defaultHeapUsed(): number {
  try {
    const p = (globalThis as { process?: { memoryUsage?: () => { heapUsed?: number } } }).process;
    return p?.memoryUsage?.().heapUsed ?? 0;
  } catch {
    return 0;
  }
}

function isNotStarted(error: unknown): boolean {
  return /not started/i.test(error instanceof Error ? error.message : String(error));
}

/** `--heap-prof-interval` from the flags when `--heap-prof` is on, else undefined. */
function heapProfInterval(execArgv: readonly string[]): number | undefined {
  let on = false;
  let interval = DEFAULT_HEAP_SAMPLING_INTERVAL_BYTES;
  for (let i = 0; i < execArgv.length; i++) {
    const [name, value] = execArgv[i].replaceAll("_", "-").split("=", 2);
    if (name === "--heap-prof") on = true;
    if (name === "--heap-prof-interval") {
      const n = Number(value ?? execArgv[i + 1]);
      if (n > 0) interval = n;
    }
  }
  return on ? interval : undefined;
}

/**
 * The running heap sampler, read through a session of autoprof's own.
 *
 * @example
 * ```ts ignore
 * import { HeapSampler } from "./heap_sampler.ts";
 * const started = await HeapSampler.start({ samplingIntervalBytes: 512 * 1024 });
 * if (started.ok) console.log((await started.sampler.snapshot()).profile.head.children.length);
 * ```
 */
export class HeapSampler {
  #session: InspectorSession;
  #interval: number;
  #detail: string;
  #ledger: AllocationLedger;
  #last: SnapshotTime | undefined;
  #inFlight: Promise<HeapSnapshot> | undefined;
  #budget: GcBudget;
  #heapUsed: () => number;
  #startNative: ((samplingIntervalBytes: number) => string) | undefined;
  #native: string | undefined;

  private constructor(
    session: InspectorSession,
    interval: number,
    detail: string,
    startNanos: bigint,
    options: HeapSamplerOptions & { native?: string },
  ) {
    this.#session = session;
    this.#interval = interval;
    this.#detail = detail;
    this.#ledger = new AllocationLedger({ samplingIntervalBytes: interval, startNanos });
    this.#heapUsed = options.heapUsedBytes ?? defaultHeapUsed;
    this.#startNative = options.startNative;
    this.#native = options.native;
    // A native sampler's reads force no GC: the budget then predicts
    // nothing before the first read, and measures reads as cheap after.
    this.#budget = new GcBudget({ budget: options.gcBudget, forcesGc: options.native === undefined });
  }

  /**
   * Starts the sampler, or attaches to the one already running. Never throws.
   *
   * @param options interval, flags and loader.
   * @returns the sampler, or why there is none (no inspector, or no
   * `HeapProfiler` domain, as on Bun).
   */
  static async start(options: HeapSamplerOptions = {}): Promise<HeapSamplerStart> {
    const interval = options.samplingIntervalBytes ?? DEFAULT_HEAP_SAMPLING_INTERVAL_BYTES;
    if (!(interval > 0) || !Number.isFinite(interval)) {
      return { ok: false, reason: `Heap sampling interval must be > 0: got ${interval}` };
    }
    const opened = await InspectorSession.open({ load: options.load });
    if (!opened.ok) return opened;
    const session = opened.session;
    try {
      await session.post("HeapProfiler.enable");
      let running: CdpSamplingHeapProfile | undefined;
      try {
        // Fails at once (no GC) when no sampler runs.
        running = (await session.post<{ profile: CdpSamplingHeapProfile }>("HeapProfiler.getSamplingProfile")).profile;
      } catch (error) {
        if (!isNotStarted(error)) throw error;
      }
      const registry = inspectorRegistry();
      let sampler: HeapSampler;
      if (running === undefined) {
        const native = await startSampler(session, interval, options.startNative);
        const startNanos = epochNanosNow();
        registry.heapSampler = { samplingIntervalBytes: interval, startNanos, native } satisfies SharedSamplerInfo;
        sampler = new HeapSampler(session, interval, describe(interval, native, options.gcBudget), startNanos, { ...options, native });
      } else {
        const shared = registry.heapSampler as SharedSamplerInfo | undefined;
        const flagInterval = heapProfInterval(options.execArgv ?? []);
        const processStart = BigInt(Math.round(performance.timeOrigin * 1_000_000));
        if (shared !== undefined) {
          sampler = new HeapSampler(
            session,
            shared.samplingIntervalBytes,
            `${describe(shared.samplingIntervalBytes, shared.native, options.gcBudget)} (sampler shared with another autoprof copy)`,
            shared.startNanos,
            { ...options, native: shared.native },
          );
        } else if (flagInterval !== undefined) {
          sampler = new HeapSampler(
            session,
            flagInterval,
            `sampling every ${flagInterval} bytes on average (sampler started by --heap-prof); each profile forces a full GC, rationed to ${
              budgetText(options.gcBudget)
            } of run time`,
            processStart,
            options,
          );
        } else {
          sampler = new HeapSampler(
            session,
            interval,
            `sampler started by other code: interval unknown, ${interval} bytes assumed (sizes are exact regardless); ` +
              `profiles rationed by their measured cost to ${budgetText(options.gcBudget)} of run time`,
            processStart,
            options,
          );
        }
        sampler.#ledger.observe(running);
      }
      return { ok: true, sampler };
    } catch (error) {
      session.disconnect();
      const message = error instanceof Error ? error.message : String(error);
      return { ok: false, reason: `Cannot start the heap sampler: ${message}` };
    }
  }

  /** The sampling interval in bytes (the one in effect, or assumed). */
  get samplingIntervalBytes(): number {
    return this.#interval;
  }

  /** Describes the sampler for `meta.capabilities`. */
  get detail(): string {
    return this.#detail;
  }

  /** Whether reading the sampler forces a full GC (it was not started natively). */
  get forcesGc(): boolean {
    return this.#native === undefined;
  }

  /**
   * Why a new snapshot should wait (its predicted forced-GC time would
   * exceed the budget's share of the time since the last one), or
   * `undefined` if it may be taken now. See `./gc_budget.ts`.
   *
   * @returns the reason, for `meta.skipped.heap`, or undefined.
   */
  deferral(): string | undefined {
    return this.#budget.deferral({ at: performance.now(), heapBytes: this.#heapUsed() });
  }

  /**
   * When the last snapshot was taken, if any. Its profile is not kept: it
   * would stay in the app's heap between bundles, where every object is
   * one more that V8 walks when a CPU profile starts.
   */
  get lastSnapshot(): SnapshotTime | undefined {
    return this.#last;
  }

  /** Allocation bookkeeping over all snapshots, for `pprof/allocs`. */
  get ledger(): AllocationLedger {
    return this.#ledger;
  }

  /**
   * The sampler's current in-use profile. Forces a full GC when the
   * inspector started the sampler (V8 does, to report only live objects).
   * Concurrent calls share one snapshot.
   *
   * @returns the snapshot.
   * @throws {Error} (as a rejection) if the inspector fails.
   */
  snapshot(): Promise<HeapSnapshot> {
    this.#inFlight ??= this.#take().finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  /**
   * Brings the allocation {@linkcode ledger} up to a snapshot at most
   * `maxAgeMs` old: the last one when it is young enough, else a new one
   * (with its cost, as {@linkcode snapshot}).
   *
   * @param options `maxAgeMs`: how old the last snapshot may be.
   * @returns when the snapshot the ledger is now up to was taken.
   * @throws {Error} (as a rejection) if the inspector fails.
   */
  async refresh(options: { maxAgeMs: number }): Promise<SnapshotTime> {
    const last = this.#last;
    if (last !== undefined && performance.now() - last.takenAt <= options.maxAgeMs) return last;
    const { timeNanos, takenAt } = await this.snapshot();
    return { timeNanos, takenAt };
  }

  async #take(): Promise<HeapSnapshot> {
    let profile: CdpSamplingHeapProfile;
    const heapBytes = this.#heapUsed();
    let started = performance.now();
    try {
      profile = (await this.#session.post<{ profile: CdpSamplingHeapProfile }>("HeapProfiler.getSamplingProfile")).profile;
    } catch (error) {
      if (!isNotStarted(error)) throw error;
      // Other code stopped the sampler: start it again. What was
      // allocated before is unknown from here on.
      this.#native = await startSampler(this.#session, this.#interval, this.#startNative);
      const startNanos = epochNanosNow();
      inspectorRegistry().heapSampler = {
        samplingIntervalBytes: this.#interval,
        startNanos,
        native: this.#native,
      } satisfies SharedSamplerInfo;
      this.#ledger.reset(startNanos);
      started = performance.now();
      profile = (await this.#session.post<{ profile: CdpSamplingHeapProfile }>("HeapProfiler.getSamplingProfile")).profile;
    }
    // In-process sessions answer synchronously (Node, Deno): this is the
    // time the read blocked the thread, its forced GC included.
    const ended = performance.now();
    this.#budget.record({ ms: ended - started, heapBytes, at: ended });
    const snapshot: HeapSnapshot = { profile, timeNanos: epochNanosNow(), takenAt: performance.now() };
    this.#ledger.observe(profile, snapshot.timeNanos);
    this.#last = { timeNanos: snapshot.timeNanos, takenAt: snapshot.takenAt };
    return snapshot;
  }
}

/**
 * Starts the sampler: natively when a starter is given and works (its
 * description is returned), else through the inspector (`undefined`).
 */
async function startSampler(
  session: InspectorSession,
  interval: number,
  startNative: ((samplingIntervalBytes: number) => string) | undefined,
): Promise<string | undefined> {
  if (startNative !== undefined) {
    try {
      const native = startNative(Math.round(interval));
      // Make sure it runs: reading fails at once when no sampler does.
      await session.post("HeapProfiler.getSamplingProfile");
      return native;
    } catch {
      // Not available after all: the inspector's sampler works everywhere.
    }
  }
  await session.post("HeapProfiler.startSampling", { samplingInterval: Math.round(interval) });
  return undefined;
}

function budgetText(budget: number | undefined): string {
  return `${((budget ?? 0.005) * 100).toFixed(1)} %`;
}

/** The capability detail of a sampler autoprof started. */
function describe(interval: number, native: string | undefined, budget: number | undefined): string {
  return native !== undefined
    ? `sampling every ${interval} bytes on average, started by ${native} without a forced GC on each read ` +
      "(in-use counts sampled objects not yet collected)"
    : `sampling every ${interval} bytes on average; each profile forces a full GC, rationed to ${
      budgetText(budget)
    } of run time`;
}

let shared: Promise<HeapSamplerStart> | undefined;

/**
 * The heap sampler of this copy of autoprof, started on first call; later
 * calls get the same one (their options are ignored).
 *
 * @param options as for {@linkcode HeapSampler.start}.
 * @returns the shared sampler, or why there is none.
 *
 * @example
 * ```ts ignore
 * import { sharedHeapSampler } from "./heap_sampler.ts";
 * const started = await sharedHeapSampler();
 * console.log(started.ok ? started.sampler.detail : started.reason);
 * ```
 */
export function sharedHeapSampler(options: HeapSamplerOptions = {}): Promise<HeapSamplerStart> {
  shared ??= HeapSampler.start(options);
  return shared;
}
