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
 * - `getSamplingProfile` forces a full garbage collection first (the
 *   inspector always sets V8's `kSamplingForceGC`): each heap profile costs
 *   one full GC pause. When no sampler runs it fails before collecting.
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
import { epochNanosNow } from "./cpu_capture.ts";
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
}

/** Result of {@linkcode HeapSampler.start}. */
export type HeapSamplerStart =
  | { ok: true; sampler: HeapSampler }
  | { ok: false; reason: string };

/** One heap snapshot: the profile and when it was taken. */
export interface HeapSnapshot {
  /** The in-use sampling profile. */
  profile: CdpSamplingHeapProfile;
  /** When it was taken, nanoseconds since the Unix epoch. */
  timeNanos: bigint;
  /** When it was taken, `performance.now()` ms (for freshness checks). */
  takenAt: number;
}

/** What autoprof copies publish about a sampler one of them started. */
interface SharedSamplerInfo {
  samplingIntervalBytes: number;
  startNanos: bigint;
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
  #last: HeapSnapshot | undefined;
  #inFlight: Promise<HeapSnapshot> | undefined;

  private constructor(session: InspectorSession, interval: number, detail: string, startNanos: bigint) {
    this.#session = session;
    this.#interval = interval;
    this.#detail = detail;
    this.#ledger = new AllocationLedger({ samplingIntervalBytes: interval, startNanos });
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
        await session.post("HeapProfiler.startSampling", { samplingInterval: Math.round(interval) });
        const startNanos = epochNanosNow();
        registry.heapSampler = { samplingIntervalBytes: interval, startNanos } satisfies SharedSamplerInfo;
        sampler = new HeapSampler(session, interval, `sampling every ${interval} bytes on average`, startNanos);
      } else {
        const shared = registry.heapSampler as SharedSamplerInfo | undefined;
        const flagInterval = heapProfInterval(options.execArgv ?? []);
        const processStart = BigInt(Math.round(performance.timeOrigin * 1_000_000));
        if (shared !== undefined) {
          sampler = new HeapSampler(
            session,
            shared.samplingIntervalBytes,
            `sampling every ${shared.samplingIntervalBytes} bytes on average (sampler shared with another autoprof copy)`,
            shared.startNanos,
          );
        } else if (flagInterval !== undefined) {
          sampler = new HeapSampler(
            session,
            flagInterval,
            `sampling every ${flagInterval} bytes on average (sampler started by --heap-prof)`,
            processStart,
          );
        } else {
          sampler = new HeapSampler(
            session,
            interval,
            `sampler started by other code: interval unknown, ${interval} bytes assumed (sizes are exact regardless)`,
            processStart,
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

  /** Allocation bookkeeping over all snapshots, for `pprof/allocs`. */
  get ledger(): AllocationLedger {
    return this.#ledger;
  }

  /**
   * The sampler's current in-use profile. Forces a full GC (V8 does, to
   * report only live objects). Concurrent calls share one snapshot, and a
   * snapshot younger than `maxAgeMs` is returned again instead of taking
   * (and paying for) another.
   *
   * @param options `maxAgeMs`: reuse a snapshot at most this old (default 0: never).
   * @returns the snapshot.
   * @throws {Error} (as a rejection) if the inspector fails.
   */
  snapshot(options: { maxAgeMs?: number } = {}): Promise<HeapSnapshot> {
    const maxAge = options.maxAgeMs ?? 0;
    if (this.#last !== undefined && performance.now() - this.#last.takenAt <= maxAge) {
      return Promise.resolve(this.#last);
    }
    this.#inFlight ??= this.#take().finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  async #take(): Promise<HeapSnapshot> {
    let profile: CdpSamplingHeapProfile;
    try {
      profile = (await this.#session.post<{ profile: CdpSamplingHeapProfile }>("HeapProfiler.getSamplingProfile")).profile;
    } catch (error) {
      if (!isNotStarted(error)) throw error;
      // Other code stopped the sampler: start it again. What was
      // allocated before is unknown from here on.
      await this.#session.post("HeapProfiler.startSampling", { samplingInterval: Math.round(this.#interval) });
      const startNanos = epochNanosNow();
      inspectorRegistry().heapSampler = { samplingIntervalBytes: this.#interval, startNanos } satisfies SharedSamplerInfo;
      this.#ledger.reset(startNanos);
      profile = (await this.#session.post<{ profile: CdpSamplingHeapProfile }>("HeapProfiler.getSamplingProfile")).profile;
    }
    const snapshot: HeapSnapshot = { profile, timeNanos: epochNanosNow(), takenAt: performance.now() };
    this.#ledger.observe(profile, snapshot.timeNanos);
    this.#last = snapshot;
    return snapshot;
  }
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
