/**
 * The Deno runtime adapter: CPU and heap profiles through Deno's
 * `node:inspector` (V8's profilers, as on Node), runtime stats from
 * `Deno.memoryUsage()`, `node:v8` and a timer-drift event-loop sampler,
 * and `pprof/resources` from `process.getActiveResourcesInfo()`.
 *
 * Permissions (measured, Deno 2.9):
 * - `node:inspector` needs `--allow-sys` (all of it: there is no
 *   `--allow-sys=inspector`). Without it, `Session.connect()` throws
 *   `NotCapable`; the adapter checks the permission first (an interactive
 *   prompt at import would stop the program) and reports CPU, heap and
 *   allocs as unavailable, naming the flag.
 * - The hostname needs `--allow-sys=hostname`; without it `meta.hostname`
 *   is `""` and `expvar` says why.
 * - `AUTOPROF_MAIN` and friends need `--allow-env`; the config file
 *   (`deno.json`/`package.json`) needs `--allow-read`.
 *
 * Deno has no trace facility: its inspector has no `NodeTracing` domain.
 *
 * @module
 */
import type { Capabilities, Capability, PointInTimeProfile, RuntimeAdapter } from "../../src/types.ts";
import {
  captureCpuProfile,
  COLLECT_BEFORE_CPU_MAX_HEAP_BYTES,
  DEFAULT_CPU_SAMPLING_INTERVAL_MICROS,
} from "../_inspector/cpu_capture.ts";
import { sharedHeapSampler } from "../_inspector/heap_sampler.ts";
import { InspectorSession } from "../_inspector/session.ts";
import { allocsProfile, nodeHeapProfile } from "../node/heap.ts";
import { resourcesProfile } from "../node/resources.ts";
import { type DenoApi, denoApi, permissionState } from "./deno_api.ts";
import { readDenoProcessInfo } from "./process_info.ts";
import { DenoStats } from "./stats.ts";

/** Options for {@linkcode createDenoAdapter}. */
export interface DenoAdapterOptions {
  /**
   * Mean bytes between heap samples. Only the first sampler of an isolate
   * sets it: V8 has one.
   * @default {524288}
   */
  heapSamplingIntervalBytes?: number;
  /**
   * CPU sampling interval in microseconds (10 000 = Go's 100 Hz).
   * @default {10_000}
   */
  cpuSamplingIntervalMicros?: number;
  /** The `Deno` namespace; for tests. @default {globalThis.Deno} */
  deno?: DenoApi;
}

/** Why Deno cannot trace. */
export const DENO_TRACE_REASON = "Deno has no trace facility (its inspector has no NodeTracing domain)";

/**
 * Creates the Deno adapter. Never throws; never prompts for a permission.
 * Parts the process may not capture are reported by `capabilities()`.
 *
 * @param options sampling intervals.
 * @returns the adapter.
 * @throws {TypeError} (as a rejection) when not running on Deno and no `deno` is given.
 *
 * @example
 * ```ts ignore
 * import { createDenoAdapter } from "./adapter.ts";
 * const adapter = await createDenoAdapter();
 * console.log(adapter.capabilities().cpu);
 * ```
 */
export async function createDenoAdapter(options: DenoAdapterOptions = {}): Promise<RuntimeAdapter> {
  const deno = options.deno ?? denoApi();
  if (deno === undefined) throw new TypeError("Cannot create the Deno adapter: not running on Deno");
  const cpuInterval = options.cpuSamplingIntervalMicros ?? DEFAULT_CPU_SAMPLING_INTERVAL_MICROS;
  const info = readDenoProcessInfo(deno);
  const stats = new DenoStats(deno, { hostnameUnavailable: info.hostnameUnavailable });
  const { hostnameUnavailable: _, ...processInfo } = info;

  const inspector = await probeInspector(deno);
  const heap = inspector.ok
    ? await sharedHeapSampler({ samplingIntervalBytes: options.heapSamplingIntervalBytes })
    : inspector;

  const cpuCapability: Capability = inspector.ok
    ? { ok: true, detail: `node:inspector Profiler (V8), sampling every ${cpuInterval / 1000} ms` }
    : { ok: false, reason: inspector.reason };
  const heapCapability: Capability = heap.ok
    ? { ok: true, detail: `V8 sampling heap profiler, ${heap.sampler.detail}` }
    : { ok: false, reason: heap.reason };
  const pointInTime: PointInTimeProfile[] = [];
  if (heap.ok) pointInTime.push(allocsProfile(heap.sampler));
  pointInTime.push(resourcesProfile());
  const trace: Capability = { ok: false, reason: DENO_TRACE_REASON };
  const capabilities: Capabilities = {
    heap: heapCapability,
    cpu: cpuCapability,
    trace,
    profile_during_trace: trace,
    point_in_time: {
      ok: true,
      detail: heap.ok
        ? "allocs (heap sampler bookkeeping), resources (process.getActiveResourcesInfo)"
        : `resources (process.getActiveResourcesInfo); no allocs: ${heap.reason}`,
    },
    expvar: { ok: true, detail: "Deno.memoryUsage, V8 heap, resource usage, event-loop lag by timer drift" },
  };

  const adapter: RuntimeAdapter = {
    runtime: "deno",
    runtimeVersion: String(deno.version?.deno ?? "unknown"),
    capabilities: () => structuredClone(capabilities),
    processInfo: () => ({ ...processInfo }),
    stats: () => stats.read(),
    pointInTime: () => pointInTime.slice(),
  };
  if (heap.ok) {
    const sampler = heap.sampler;
    adapter.heap = (signal, options) => nodeHeapProfile(sampler, signal, options);
  }
  if (inspector.ok) {
    adapter.cpu = (o) =>
      captureCpuProfile({
        ...o,
        samplingIntervalMicros: cpuInterval,
        // V8 walks the whole heap, dead objects included, at the profile's
        // start: in a small heap a GC first costs less than the walk saves.
        collectGarbageFirst: () => deno.memoryUsage().heapUsed <= COLLECT_BEFORE_CPU_MAX_HEAP_BYTES,
      });
  }
  return adapter;
}

/**
 * Whether `node:inspector` sessions can connect. Checks the permission
 * first: without `--allow-sys`, connecting would prompt on a terminal
 * (stopping the program) or throw `NotCapable`.
 */
async function probeInspector(deno: DenoApi): Promise<{ ok: true } | { ok: false; reason: string }> {
  const state = permissionState(deno, { name: "sys", kind: "inspector" });
  if (state !== "granted") {
    return {
      ok: false,
      reason: `Deno allows node:inspector only with --allow-sys (permission state: ${state}); run with --allow-sys or -A`,
    };
  }
  const opened = await InspectorSession.open();
  if (!opened.ok) return opened;
  opened.session.disconnect();
  return { ok: true };
}
