/**
 * Internal: is a CPU profile or a trace already running in this process?
 * autoprof then skips its own capture (Go's semantics: the part is left out
 * of the bundle), and never touches the running one.
 *
 * Sources checked, all in-process and cheap:
 * - other autoprof captures, in this or another copy of autoprof
 *   (the shared registry's claims);
 * - other inspector sessions that started a CPU profile or `NodeTracing`
 *   (seen by the session watch, see `session_watch.ts`);
 * - command-line flags that profile or trace the whole process
 *   (`--cpu-prof`, `--cpu-prof-dir`, `--prof`, `--trace-events-enabled`,
 *   `--trace-event-categories`), in `process.execArgv` or `NODE_OPTIONS`;
 * - trace categories some tracer has enabled (Node's
 *   `trace_events.getEnabledCategories()`, passed in by the adapter): any
 *   category means tracing is busy, and
 *   `disabled-by-default-v8.cpu_profiler` also means a CPU profile runs.
 *
 * @module
 */
import { inspectorRegistry } from "./registry.ts";

/** The category that makes V8 stream a CPU profile into a trace. */
export const CPU_PROFILER_TRACE_CATEGORY = "disabled-by-default-v8.cpu_profiler";

/** Facts about the process the busy checks read; all optional. */
export interface BusyFacts {
  /** `process.execArgv`. */
  execArgv?: readonly string[];
  /** The `NODE_OPTIONS` environment variable. */
  nodeOptions?: string;
  /** Enabled trace categories, comma-separated (Node's `trace_events.getEnabledCategories()`). */
  enabledTraceCategories?: () => string | undefined;
}

const CPU_FLAGS: readonly [string, string][] = [
  ["--cpu-prof", "--cpu-prof is set: Node profiles the whole process"],
  ["--cpu-prof-dir", "--cpu-prof-dir is set: Node profiles the whole process"],
  ["--prof", "--prof is set: V8's tick profiler samples the whole process"],
];

const TRACE_FLAGS: readonly [string, string][] = [
  ["--trace-events-enabled", "--trace-events-enabled is set: Node traces the whole process"],
  ["--trace-event-categories", "--trace-event-categories is set: Node traces the whole process"],
];

/**
 * Why a CPU profile cannot start now, or `undefined` if nothing else is
 * profiling. Does not look at autoprof's own claims (see `claim`).
 *
 * @param facts process facts.
 * @returns the reason, or `undefined`.
 *
 * @example
 * ```ts
 * import { cpuBusyReason } from "./busy.ts";
 * console.assert(cpuBusyReason({ execArgv: ["--cpu-prof"] })?.includes("--cpu-prof") === true);
 * ```
 */
export function cpuBusyReason(facts: BusyFacts = {}): string | undefined {
  const flag = flagReason(facts, CPU_FLAGS);
  if (flag !== undefined) return flag;
  if (inspectorRegistry().profilingSessions.size > 0) {
    return "another inspector session in this process is running a CPU profile";
  }
  const categories = enabledCategories(facts);
  if (categories.includes(CPU_PROFILER_TRACE_CATEGORY)) {
    return `a trace with ${CPU_PROFILER_TRACE_CATEGORY} is running a CPU profile`;
  }
  return undefined;
}

/**
 * Why a trace cannot start now, or `undefined` if nothing else traces.
 *
 * @param facts process facts.
 * @returns the reason, or `undefined`.
 *
 * @example
 * ```ts
 * import { traceBusyReason } from "./busy.ts";
 * const reason = traceBusyReason({ enabledTraceCategories: () => "node.perf" });
 * console.assert(reason?.includes("node.perf") === true);
 * ```
 */
export function traceBusyReason(facts: BusyFacts = {}): string | undefined {
  const flag = flagReason(facts, TRACE_FLAGS);
  if (flag !== undefined) return flag;
  if (inspectorRegistry().tracingSessions.size > 0) {
    return "another inspector session in this process is tracing";
  }
  const categories = enabledCategories(facts);
  if (categories.length > 0) {
    return `tracing is already enabled in this process: categories ${categories.join(",")}`;
  }
  return undefined;
}

function enabledCategories(facts: BusyFacts): string[] {
  let raw: string | undefined;
  try {
    raw = facts.enabledTraceCategories?.();
  } catch {
    raw = undefined;
  }
  if (typeof raw !== "string") return [];
  return raw.split(",").map((c) => c.trim()).filter((c) => c !== "");
}

/** The reason for the first flag present, normalizing `_` to `-` like Node. */
function flagReason(facts: BusyFacts, flags: readonly [string, string][]): string | undefined {
  const args = [...(facts.execArgv ?? []), ...(facts.nodeOptions ?? "").split(/\s+/)];
  for (const arg of args) {
    if (!arg.startsWith("--")) continue;
    const name = arg.split("=", 1)[0].replaceAll("_", "-");
    for (const [flag, reason] of flags) if (name === flag) return reason;
  }
  return undefined;
}
