/**
 * The Deno adapter's runtime stats for `expvar`: memory
 * (`Deno.memoryUsage()`), V8 heap and heap spaces (`node:v8`), resource
 * usage and CPU time (`node:process`), event-loop lag by timer drift (see
 * `loop_drift.ts`: Deno's `monitorEventLoopDelay` and
 * `eventLoopUtilization` do not work), uptime, command line, versions, and
 * the permission states that decide what autoprof can capture. Cheap reads
 * only; none needs a permission.
 *
 * Deno emits no `gc` performance entries, so there are no GC counts.
 *
 * @module
 */
import process from "node:process";
import * as v8 from "node:v8";
import { type DenoApi, permissionState } from "./deno_api.ts";
import { LoopDriftSampler } from "./loop_drift.ts";
import { put } from "../_shared/safe_read.ts";

/**
 * Collects Deno runtime stats. The drift sampler starts with the first
 * {@linkcode DenoStats.read} (so an adapter that is never asked costs
 * nothing) and then runs until {@linkcode DenoStats.stop}.
 *
 * @example
 * ```ts ignore
 * import { denoApi } from "./deno_api.ts";
 * import { DenoStats } from "./stats.ts";
 * const stats = new DenoStats(denoApi()!);
 * console.log(stats.read().memory);
 * ```
 */
export class DenoStats {
  #deno: DenoApi;
  #drift: LoopDriftSampler;
  #since: string | undefined;
  #hostnameUnavailable: string | undefined;

  /**
   * @param deno the Deno namespace.
   * @param options `hostnameUnavailable`: why meta has no hostname, shown in the stats.
   */
  constructor(deno: DenoApi, options: { hostnameUnavailable?: string; drift?: LoopDriftSampler } = {}) {
    this.#deno = deno;
    this.#drift = options.drift ?? new LoopDriftSampler();
    this.#hostnameUnavailable = options.hostnameUnavailable;
  }

  /**
   * The current stats as a JSON-ready object.
   *
   * @returns memory, heap, resource usage, event loop, permissions and process facts.
   */
  read(): Record<string, unknown> {
    if (!this.#drift.running) {
      this.#drift.start();
      this.#since = new Date().toISOString();
    }
    const deno = this.#deno;
    const out: Record<string, unknown> = {};
    put(out, "pid", () => deno.pid);
    put(out, "uptime_seconds", () => process.uptime());
    put(out, "cmdline", () => [deno.mainModule ?? "", ...(deno.args ?? [])]);
    put(out, "versions", () => ({ ...deno.version }));
    put(out, "memory", () => ({ ...deno.memoryUsage() }));
    put(out, "heap", () => v8.getHeapStatistics());
    put(out, "heap_spaces", () => v8.getHeapSpaceStatistics());
    put(out, "resource_usage", () => process.resourceUsage());
    put(out, "cpu_usage_micros", () => process.cpuUsage());
    out.gc = { observing: false, reason: "Deno emits no gc performance entries" };
    out.event_loop = {
      since: this.#since,
      timer_drift_ms: this.#drift.read(),
      note: "lag beyond the requested interval, measured by timer drift (Deno's monitorEventLoopDelay does not work)",
    };
    out.permissions = {
      sys: permissionState(deno, { name: "sys" }),
      hostname: permissionState(deno, { name: "sys", kind: "hostname" }),
      inspector: permissionState(deno, { name: "sys", kind: "inspector" }),
      env: permissionState(deno, { name: "env" }),
      read: permissionState(deno, { name: "read" }),
    };
    if (this.#hostnameUnavailable !== undefined) out.hostname_unavailable = this.#hostnameUnavailable;
    return out;
  }

  /** Stops the drift sampler. */
  stop(): void {
    this.#drift.stop();
  }
}
