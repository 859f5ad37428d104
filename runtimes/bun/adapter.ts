/**
 * The Bun runtime adapter: CPU profiles through Bun's `node:inspector`
 * (JavaScriptCore's sampling profiler), `pprof/heap` from JSC heap
 * statistics (counts by type, not a sampling profile: Bun has no heap
 * sampler), an opt-in retainer-path profile from a full heap snapshot, and
 * runtime stats.
 *
 * Bun's profiler differs from V8's (measured, Bun 1.4), and the shared
 * pieces handle it: times are microseconds since the Unix epoch, idle time
 * leaves gaps instead of `(idle)` samples (the pprof converter measures the
 * period without them), and there is one profiler per process (a second
 * `Profiler.start` fails, and disconnecting any session stops it: see
 * `../_inspector/cpu_capture.ts`).
 *
 * Bun has no trace facility (no `NodeTracing` domain).
 *
 * @module
 */
import process from "node:process";
import { parseByteSize } from "../../src/config/byte_size.ts";
import type { Capabilities, Capability, PointInTimeProfile, RuntimeAdapter } from "../../src/types.ts";
import { captureCpuProfile, DEFAULT_CPU_SAMPLING_INTERVAL_MICROS } from "../_inspector/cpu_capture.ts";
import { InspectorSession } from "../_inspector/session.ts";
import { readProcessInfo } from "../node/process_info.ts";
import { type BunApi, loadBunApi } from "./bun_api.ts";
import { bunHeapStatsProfile, DEFAULT_HEAP_SNAPSHOT_MAX_BYTES, HEAP_RETAINERS_NAME, heapRetainersProfile } from "./heap.ts";
import { BunStats } from "./stats.ts";

/** Options for {@linkcode createBunAdapter}. */
export interface BunAdapterOptions {
  /**
   * CPU sampling interval in microseconds (10 000 = Go's 100 Hz).
   * @default {10_000}
   */
  cpuSamplingIntervalMicros?: number;
  /**
   * Adds `pprof/heap-retainers` (a full heap snapshot grouped by retainer
   * path) to every bundle: `true` for heaps up to 64 MiB, or the largest
   * heap in bytes. Costs about 5 s of blocked event loop per 64 MiB.
   * @default {false, or AUTOPROF_BUN_HEAP_SNAPSHOT}
   */
  heapSnapshot?: boolean | { maxHeapBytes: number };
  /** Bun's APIs; for tests. */
  api?: BunApi;
}

/** Why Bun cannot trace. */
export const BUN_TRACE_REASON = "Bun has no trace facility (its inspector has no NodeTracing domain)";

/** The environment variable that opts in to `pprof/heap-retainers`. */
export const HEAP_SNAPSHOT_ENV = "AUTOPROF_BUN_HEAP_SNAPSHOT";

/**
 * Reads {@linkcode HEAP_SNAPSHOT_ENV}: unset, `0`, `off` or `false`: off;
 * `1`, `on` or `true`: on with the 64 MiB limit; a byte size (`128MiB`):
 * on with that limit.
 *
 * @param value the variable's value.
 * @returns the option, or an error message for a bad value.
 *
 * @example
 * ```ts
 * import { heapSnapshotFromEnv } from "./adapter.ts";
 * console.assert(heapSnapshotFromEnv("on") === true);
 * const r = heapSnapshotFromEnv("1GiB");
 * console.assert(typeof r === "object" && "maxHeapBytes" in r && r.maxHeapBytes === 2 ** 30);
 * ```
 */
export function heapSnapshotFromEnv(
  value: string | undefined,
): boolean | { maxHeapBytes: number } | { error: string } {
  const v = (value ?? "").trim().toLowerCase();
  if (v === "" || v === "0" || v === "off" || v === "false") return false;
  if (v === "1" || v === "on" || v === "true") return true;
  try {
    const bytes = parseByteSize(v);
    if (bytes > 0) return { maxHeapBytes: bytes };
  } catch {
    // fall through
  }
  return { error: `Invalid ${HEAP_SNAPSHOT_ENV}: expected on, off or a heap size limit like 128MiB: got "${value}"` };
}

/**
 * Creates the Bun adapter. Parts the process cannot capture are reported by
 * `capabilities()`.
 *
 * @param options sampling interval and the opt-in heap snapshot.
 * @returns the adapter.
 * @throws {TypeError} (as a rejection) when not running on Bun and no `api` is given.
 *
 * @example
 * ```ts ignore
 * import { createBunAdapter } from "./adapter.ts";
 * const adapter = await createBunAdapter({ heapSnapshot: { maxHeapBytes: 32 * 1024 * 1024 } });
 * console.log(adapter.capabilities().heap);
 * ```
 */
export async function createBunAdapter(options: BunAdapterOptions = {}): Promise<RuntimeAdapter> {
  let api = options.api;
  if (api === undefined) {
    const loaded = loadBunApi();
    if (!loaded.ok) throw new TypeError(`Cannot create the Bun adapter: ${loaded.reason}`);
    api = loaded.api;
  }
  const cpuInterval = options.cpuSamplingIntervalMicros ?? DEFAULT_CPU_SAMPLING_INTERVAL_MICROS;
  const stats = new BunStats(api);
  const info = readProcessInfo();

  let snapshot = options.heapSnapshot ?? heapSnapshotFromEnv(safeEnv(HEAP_SNAPSHOT_ENV));
  let snapshotError: string | undefined;
  if (typeof snapshot === "object" && "error" in snapshot) {
    snapshotError = snapshot.error;
    snapshot = false;
  }
  const pointInTime: PointInTimeProfile[] = [];
  let pointInTimeCapability: Capability;
  if (snapshot === false) {
    pointInTimeCapability = {
      ok: false,
      reason: snapshotError ??
        `no point-in-time profiles beyond heap by default: set ${HEAP_SNAPSHOT_ENV}=on for pprof/${HEAP_RETAINERS_NAME} (a full heap snapshot, seconds of blocked event loop)`,
    };
  } else {
    const maxHeapBytes = snapshot === true ? DEFAULT_HEAP_SNAPSHOT_MAX_BYTES : snapshot.maxHeapBytes;
    pointInTime.push(heapRetainersProfile(api, { maxHeapBytes }));
    pointInTimeCapability = {
      ok: true,
      detail: `${HEAP_RETAINERS_NAME} (full heap snapshot: live objects and bytes by retainer path, not allocation sites; ` +
        `refused above a ${maxHeapBytes}-byte heap)`,
    };
  }

  const inspector = await probeProfiler();
  const cpuCapability: Capability = inspector.ok
    ? { ok: true, detail: `node:inspector Profiler (JavaScriptCore), sampling every ${cpuInterval / 1000} ms` }
    : { ok: false, reason: inspector.reason };
  const trace: Capability = { ok: false, reason: BUN_TRACE_REASON };
  const capabilities: Capabilities = {
    heap: {
      ok: true,
      detail: "JSC heap statistics (bun:jsc heapStats): live object counts by type, sample type live_objects/count; " +
        "no sizes, no allocation sites, not a sampling profile (Bun has no heap sampler)",
    },
    cpu: cpuCapability,
    trace,
    profile_during_trace: trace,
    point_in_time: pointInTimeCapability,
    expvar: { ok: true, detail: "memory, JSC heap size, resource usage, event-loop delay" },
  };

  const jsc = api.jsc;
  const adapter: RuntimeAdapter = {
    runtime: "bun",
    runtimeVersion: String(api.bun.version ?? "unknown"),
    capabilities: () => structuredClone(capabilities),
    processInfo: () => ({ ...info }),
    stats: () => stats.read(),
    heap: (signal) => bunHeapStatsProfile(jsc, signal),
    pointInTime: () => pointInTime.slice(),
  };
  if (inspector.ok) {
    adapter.cpu = (o) => {
      const busy = cpuFlagReason(safeExecArgv());
      if (busy !== undefined) return Promise.resolve({ ok: false, skipped: busy });
      return captureCpuProfile({
        ...o,
        samplingIntervalMicros: cpuInterval,
        busy: { execArgv: safeExecArgv() },
        endTimeIsLastSample: true,
      });
    };
  }
  return adapter;
}

/** Why a Bun flag keeps the profiler busy, if one is set. */
function cpuFlagReason(execArgv: readonly string[]): string | undefined {
  for (const arg of execArgv) {
    const name = arg.split("=", 1)[0];
    if (name === "--cpu-prof" || name === "--cpu-prof-dir" || name === "--cpu-prof-name" || name === "--cpu-prof-md") {
      return `${name} is set: Bun profiles the whole process, and it has one CPU profiler`;
    }
  }
  return undefined;
}

/**
 * Whether the inspector's `Profiler` domain answers. The probe session is
 * disconnected before any profile runs (disconnecting a session stops
 * Bun's one profiler, whoever started it).
 */
async function probeProfiler(): Promise<{ ok: true } | { ok: false; reason: string }> {
  const opened = await InspectorSession.open();
  if (!opened.ok) return opened;
  try {
    await opened.session.post("Profiler.enable");
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: `Bun's inspector has no usable Profiler: ${error instanceof Error ? error.message : String(error)}` };
  } finally {
    opened.session.disconnect();
  }
}

function safeEnv(name: string): string | undefined {
  try {
    return process.env[name];
  } catch {
    return undefined;
  }
}

function safeExecArgv(): readonly string[] {
  try {
    return process.execArgv;
  } catch {
    return [];
  }
}
