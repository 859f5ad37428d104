/**
 * The Node adapter's runtime stats for `expvar` (what Go shows as
 * `memstats` and `cmdline`): memory, V8 heap and heap spaces, GC counts and
 * pauses, event-loop delay and utilization, resource usage, uptime, command
 * line, pid and versions. All cheap reads: nothing here forces a GC.
 *
 * GC entries come from a `PerformanceObserver` for `gc`, started with the
 * stats and aggregated since. The event-loop delay histogram
 * (`monitorEventLoopDelay`, 10 ms resolution: it samples with a timer of
 * that period, so its own cost stays negligible) is enabled on the first
 * read and then left running, so it covers the time since the first
 * bundle; its values are reported in milliseconds.
 *
 * @module
 */
import process from "node:process";
import { monitorEventLoopDelay, PerformanceObserver, performance } from "node:perf_hooks";
import * as v8 from "node:v8";
import { summarizeDelay } from "../_shared/delay_histogram.ts";
import { put, safe } from "../_shared/safe_read.ts";

/** Resolution of the event-loop delay histogram, in ms. */
export const EVENT_LOOP_DELAY_RESOLUTION_MS = 10;

/** Node's `NODE_PERFORMANCE_GC_*` kinds, by name. */
const GC_KINDS: Record<number, string> = { 1: "major", 2: "minor", 4: "incremental", 8: "weakcb" };

interface GcTally {
  count: number;
  pause_ms_total: number;
  pause_ms_max: number;
}

/**
 * Collects Node runtime stats. Create one per adapter; {@linkcode NodeStats.stop}
 * disconnects the GC observer and the delay histogram.
 *
 * @example
 * ```ts ignore
 * import { NodeStats } from "./stats.ts";
 * const stats = new NodeStats();
 * console.log(stats.read().memory);
 * ```
 */
export class NodeStats {
  #since = new Date().toISOString();
  #gc: Map<string, GcTally> = new Map();
  #observer: PerformanceObserver | undefined;
  #delay: ReturnType<typeof monitorEventLoopDelay> | undefined;

  constructor() {
    try {
      this.#observer = new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) this.#countGc(entry);
      });
      this.#observer.observe({ entryTypes: ["gc"] });
    } catch {
      this.#observer = undefined; // no gc entries on this runtime
    }
  }

  #countGc(entry: PerformanceEntry): void {
    const detail = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail;
    const kind = GC_KINDS[detail?.kind ?? -1] ?? "other";
    const tally = this.#gc.get(kind) ?? { count: 0, pause_ms_total: 0, pause_ms_max: 0 };
    tally.count++;
    tally.pause_ms_total += entry.duration;
    tally.pause_ms_max = Math.max(tally.pause_ms_max, entry.duration);
    this.#gc.set(kind, tally);
  }

  /**
   * The current stats as a JSON-ready object.
   *
   * @returns memory, heap, gc, event loop, resource usage and process facts.
   */
  read(): Record<string, unknown> {
    const out: Record<string, unknown> = {
      pid: process.pid,
      uptime_seconds: process.uptime(),
      cmdline: process.argv,
      exec_argv: process.execArgv,
      versions: process.versions,
    };
    put(out, "memory", () => process.memoryUsage());
    put(out, "heap", () => v8.getHeapStatistics());
    put(out, "heap_spaces", () => v8.getHeapSpaceStatistics());
    put(out, "resource_usage", () => process.resourceUsage());
    out.gc = this.#gcStats();
    out.event_loop = {
      delay_ms: this.#delayStats(),
      utilization: safe(() => performance.eventLoopUtilization(), undefined),
    };
    return out;
  }

  #gcStats(): Record<string, unknown> {
    const byKind: Record<string, GcTally> = {};
    let count = 0;
    let total = 0;
    let max = 0;
    for (const [kind, tally] of [...this.#gc].sort(([a], [b]) => (a < b ? -1 : 1))) {
      byKind[kind] = { ...tally };
      count += tally.count;
      total += tally.pause_ms_total;
      max = Math.max(max, tally.pause_ms_max);
    }
    return {
      observing: this.#observer !== undefined,
      since: this.#since,
      count,
      pause_ms_total: total,
      pause_ms_max: max,
      by_kind: byKind,
    };
  }

  #delayStats(): Record<string, unknown> | undefined {
    if (this.#delay === undefined) {
      try {
        this.#delay = monitorEventLoopDelay({ resolution: EVENT_LOOP_DELAY_RESOLUTION_MS });
        this.#delay.enable();
      } catch {
        return undefined;
      }
    }
    return summarizeDelay(this.#delay, EVENT_LOOP_DELAY_RESOLUTION_MS);
  }

  /** Stops the GC observer and the delay histogram. */
  stop(): void {
    this.#observer?.disconnect();
    this.#delay?.disable();
  }
}
