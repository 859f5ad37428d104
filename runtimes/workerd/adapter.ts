/**
 * The workerd adapter (Cloudflare Workers and the open-source `workerd`):
 * what a Worker can put in a bundle, and why the rest is absent.
 *
 * Measured in workerd 2026-11-17 (compatibility date 2026-11-01,
 * `nodejs_compat`), from inside a Worker:
 * - `node:inspector` imports, but `new Session()` throws "not implemented";
 *   `v8.getHeapSnapshot()` throws; `globalThis.gc` is absent. So there is
 *   no heap profiler, CPU profiler or tracer a Worker can use. (A Session
 *   works only under `workerd --experimental` with the
 *   `enable_nodejs_inspector_local_dev` flag: local development, never a
 *   deployed Worker; autoprof does not rely on it.)
 * - `process.memoryUsage()` and `v8.getHeapStatistics()` exist but every
 *   field is 0, `performance.memory` is absent, `process.cpuUsage()`
 *   throws. Isolate memory is read only where a source reports non-zero
 *   numbers; otherwise `expvar` says it is not exposed.
 * - `performance.now()` and `Date.now()` are one clock in whole
 *   milliseconds, and on Cloudflare it does not advance during synchronous
 *   code (only across I/O), so durations a Worker records are wall time
 *   around awaits, not CPU time.
 * - `os.hostname()` is always `localhost` and `process.pid` always 1, so
 *   `meta.hostname` is `""` and the pid in `proc_id` is 0: an isolate has
 *   neither.
 *
 * What a workerd bundle holds, then: `meta` (with these reasons),
 * `expvar` (published vars such as `RequestStats` and autoprof's counters,
 * plus the facts above) and `custom/` entries.
 *
 * The adapter imports no `node:*` module, so it works without the
 * `nodejs_compat` flag too.
 *
 * @module
 */
import type { Capabilities, Capability, RuntimeAdapter } from "../../src/types.ts";
import { put } from "../_shared/safe_read.ts";

/** The globals the adapter reads; injectable for tests. */
export interface WorkerdGlobals {
  /** `globalThis.process` (present with `nodejs_compat`). */
  process?: {
    memoryUsage?: () => Record<string, number>;
    env?: Record<string, string | undefined>;
  };
  /** `globalThis.performance`. */
  performance?: { memory?: Record<string, number> };
}

/** Options for {@linkcode createWorkerdAdapter}. */
export interface WorkerdAdapterOptions {
  /**
   * The program name for `meta.main` (a Worker has no entry script path).
   * @default {process.env.AUTOPROF_MAIN where nodejs_compat exposes vars, else ""}
   */
  main?: string;
  /**
   * The program version for `meta.revision`.
   * @default {process.env.AUTOPROF_REVISION, else ""}
   */
  revision?: string;
  /**
   * `meta.runtime_version`. A Worker cannot read workerd's version
   * (`process.version` is the emulated Node API's), so give it if known.
   * @default {"unknown"}
   */
  runtimeVersion?: string;
  /** The globals to read; for tests. @default {globalThis} */
  globals?: WorkerdGlobals;
}

/** Why a Worker has no heap profile. */
export const WORKERD_HEAP_REASON: string =
  "workerd gives a Worker no heap profiler: node:inspector's Session is not implemented and v8.getHeapSnapshot() throws";
/** Why a Worker has no CPU profile. */
export const WORKERD_CPU_REASON: string =
  "workerd gives a Worker no CPU profiler: node:inspector's Session is not implemented, and on Cloudflare the clock " +
  "does not advance during synchronous code, so a Worker cannot sample itself";
/** Why a Worker has no trace. */
export const WORKERD_TRACE_REASON: string =
  "workerd has no trace facility a Worker can read (workerd --perfetto-trace traces the whole process from outside)";
/** Why a Worker has no other point-in-time profiles. */
export const WORKERD_POINT_IN_TIME_REASON: string = "workerd exposes no point-in-time profilers to a Worker";
/** Why `expvar` has no isolate memory (when no source reports it). */
export const WORKERD_MEMORY_REASON: string =
  "workerd does not expose isolate memory: process.memoryUsage() and v8.getHeapStatistics() report 0 and " +
  "performance.memory is absent";
/** How durations are measured in a Worker, shown in `expvar`. */
export const WORKERD_CLOCK_NOTE: string =
  "Date.now() in whole milliseconds; on Cloudflare it advances only across I/O, so recorded durations are wall time " +
  "around awaits, not CPU time";

/**
 * Creates the workerd adapter. Never throws and does nothing a Worker's
 * global scope forbids (no I/O, timers or random values), so it may run at
 * module load.
 *
 * @param options Program name and version, and test hooks.
 * @returns The adapter.
 * @example
 * ```ts
 * import { createWorkerdAdapter } from "./adapter.ts";
 * const adapter = createWorkerdAdapter({ main: "checkout-worker", revision: "v42" });
 * console.log(adapter.capabilities().cpu?.ok); // false
 * ```
 */
export function createWorkerdAdapter(options: WorkerdAdapterOptions = {}): RuntimeAdapter {
  const globals: WorkerdGlobals = options.globals ?? (globalThis as unknown as WorkerdGlobals);
  const env = (name: string): string => {
    try {
      const v = globals.process?.env?.[name];
      return typeof v === "string" ? v : "";
    } catch {
      return "";
    }
  };
  const memory = memorySource(globals);
  const heap: Capability = { ok: false, reason: WORKERD_HEAP_REASON };
  const trace: Capability = { ok: false, reason: WORKERD_TRACE_REASON };
  const capabilities: Capabilities = {
    heap,
    cpu: { ok: false, reason: WORKERD_CPU_REASON },
    trace,
    profile_during_trace: trace,
    point_in_time: { ok: false, reason: WORKERD_POINT_IN_TIME_REASON },
    expvar: {
      ok: true,
      detail: memory === undefined
        ? "published vars (e.g. request counts and durations the Worker records); no isolate memory: not exposed"
        : `published vars (e.g. request counts and durations the Worker records); isolate memory from ${memory.name}`,
    },
  };
  return {
    runtime: "workerd",
    runtimeVersion: options.runtimeVersion ?? "unknown",
    capabilities: () => structuredClone(capabilities),
    processInfo: () => ({
      pid: 0,
      hostname: "",
      main: options.main ?? env("AUTOPROF_MAIN"),
      revision: options.revision ?? env("AUTOPROF_REVISION"),
    }),
    stats: () => {
      const out: Record<string, unknown> = {};
      if (memory === undefined) out.memory = { available: false, reason: WORKERD_MEMORY_REASON };
      else put(out, "memory", () => ({ source: memory.name, unit: "bytes", ...memory.read() }));
      out.clock = WORKERD_CLOCK_NOTE;
      return out;
    },
  };
}

/** A reader of isolate memory, in bytes by field. */
interface MemorySource {
  name: string;
  read(): Record<string, number>;
}

/**
 * The first memory source that reports something other than zeros, or
 * `undefined` (workerd today: `process.memoryUsage()` is all zeros).
 */
function memorySource(globals: WorkerdGlobals): MemorySource | undefined {
  const candidates: MemorySource[] = [
    { name: "process.memoryUsage()", read: () => numbers(globals.process!.memoryUsage!()) },
    { name: "performance.memory", read: () => numbers(globals.performance!.memory!) },
  ];
  for (const c of candidates) {
    try {
      if (Object.values(c.read()).some((v) => v > 0)) return c;
    } catch {
      // Absent or not implemented.
    }
  }
  return undefined;
}

function numbers(o: Record<string, unknown>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(o)) if (typeof v === "number" && Number.isFinite(v)) out[k] = v;
  return out;
}
