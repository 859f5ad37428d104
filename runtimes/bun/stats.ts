/**
 * The Bun adapter's runtime stats for `expvar`: memory
 * (`process.memoryUsage()`, `bun:jsc` heap size and mimalloc usage),
 * resource usage and CPU time, event-loop delay (`monitorEventLoopDelay`,
 * which works on Bun), uptime, command line and versions. Cheap reads
 * only: `heapStats()` and `v8.getHeapStatistics()` are left out because on
 * Bun each blocks the event loop 24–140 ms (measured).
 *
 * Bun emits no `gc` performance entries and its
 * `performance.eventLoopUtilization()` returns zeros (Bun 1.4), so neither
 * is reported.
 *
 * @module
 */
import process from "node:process";
import { monitorEventLoopDelay } from "node:perf_hooks";
import type { BunApi } from "./bun_api.ts";
import { summarizeDelay } from "../_shared/delay_histogram.ts";
import { put } from "../_shared/safe_read.ts";

/** Resolution of the event-loop delay histogram, in ms (as on Node). */
export const BUN_EVENT_LOOP_DELAY_RESOLUTION_MS = 10;

/**
 * Collects Bun runtime stats. The delay histogram starts with the first
 * {@linkcode BunStats.read} and runs until {@linkcode BunStats.stop}.
 *
 * @example
 * ```ts ignore
 * import { loadBunApi } from "./bun_api.ts";
 * import { BunStats } from "./stats.ts";
 * const api = loadBunApi();
 * if (api.ok) console.log(new BunStats(api.api).read().memory);
 * ```
 */
export class BunStats {
  #api: BunApi;
  #delay: ReturnType<typeof monitorEventLoopDelay> | undefined;
  #since: string | undefined;

  /** @param api Bun's APIs. */
  constructor(api: BunApi) {
    this.#api = api;
  }

  /**
   * The current stats as a JSON-ready object.
   *
   * @returns memory, JSC heap size, resource usage, event loop and process facts.
   */
  read(): Record<string, unknown> {
    const { bun, jsc } = this.#api;
    const out: Record<string, unknown> = {};
    put(out, "pid", () => process.pid);
    put(out, "uptime_seconds", () => process.uptime());
    put(out, "cmdline", () => process.argv);
    put(out, "exec_argv", () => process.execArgv);
    put(out, "versions", () => ({ ...process.versions, bun: bun.version, bun_revision: bun.revision }));
    put(out, "memory", () => process.memoryUsage());
    put(out, "jsc", () => ({ heap_size: jsc.heapSize(), memory: jsc.memoryUsage() }));
    put(out, "resource_usage", () => process.resourceUsage());
    put(out, "cpu_usage_micros", () => process.cpuUsage());
    out.gc = { observing: false, reason: "Bun emits no gc performance entries" };
    const delay = this.#delayStats();
    out.event_loop = { since: this.#since, delay_ms: delay };
    return out;
  }

  #delayStats(): Record<string, unknown> | undefined {
    if (this.#delay === undefined) {
      try {
        this.#delay = monitorEventLoopDelay({ resolution: BUN_EVENT_LOOP_DELAY_RESOLUTION_MS });
        this.#delay.enable();
        this.#since = new Date().toISOString();
      } catch {
        return undefined;
      }
    }
    return summarizeDelay(this.#delay, BUN_EVENT_LOOP_DELAY_RESOLUTION_MS);
  }

  /** Stops the delay histogram. */
  stop(): void {
    this.#delay?.disable();
  }
}
