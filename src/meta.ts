/**
 * The `meta` entry: who produced a bundle and when. Like Go autoprof's
 * `ArchiveMeta`, the process-wide part (`proc_id`, `init_time`) is fixed
 * once per process; each bundle adds its `capture_time`.
 *
 * @module
 */
import type { Meta, MetaOverrides, RuntimeAdapter } from "./types.ts";

/** Version of the bundle format this library writes (docs/FORMAT.md). */
export const FORMAT_VERSION = 1;

/** What is fixed for the life of the process, filled in as soon as possible. */
interface ProcessState {
  /** Epoch milliseconds of process start (or of the first load of this module). */
  initTimeMs: number | undefined;
  /** 24 lowercase hex digits. */
  random: string | undefined;
  /** Epoch milliseconds of the latest bundle's capture_time. */
  lastCaptureMs?: number;
}

// Shared through the global symbol registry so that two copies of this
// module in one process (say, an ESM and a bundled copy) report the same
// proc_id and init_time. Versioned by its key: other copies may be other
// versions of autoprof.
const PROCESS_KEY = Symbol.for("autoprof.process.v1");

// Any real clock reads later than this (2000-01-01).
const PLAUSIBLE_EPOCH_MS = 946_684_800_000;

function processState(): ProcessState {
  const g = globalThis as Record<symbol, unknown>;
  let state = g[PROCESS_KEY] as ProcessState | undefined;
  if (typeof state !== "object" || state === null) {
    state = { initTimeMs: undefined, random: undefined };
    Object.defineProperty(g, PROCESS_KEY, { value: state, configurable: false, enumerable: false });
  }
  return state;
}

// Fix the start time as soon as the module loads, so init_time is not the
// time of the first bundle. Nothing else happens at load: workerd forbids
// generating random values in global scope (and its clock reads 0 there),
// so the random part and any missing start time are filled in on first use.
{
  const state = processState();
  state.initTimeMs ??= processStartMs();
}

function processStartMs(): number | undefined {
  const now = Date.now();
  // performance.timeOrigin is the process start on Node, Deno and Bun; on
  // workerd (and some sandboxes) it is 0 or frozen, so fall back to now.
  const origin = typeof performance === "object" ? performance.timeOrigin : undefined;
  if (typeof origin === "number" && Number.isFinite(origin) && origin > PLAUSIBLE_EPOCH_MS && origin <= now) {
    return Math.floor(origin);
  }
  return now > PLAUSIBLE_EPOCH_MS ? now : undefined;
}

/** The process facts, completing them on first use. */
function processFacts(): { initTimeMs: number; random: string } {
  const state = processState();
  state.initTimeMs ??= processStartMs() ?? Date.now();
  if (state.random === undefined) {
    const bytes = new Uint8Array(12);
    crypto.getRandomValues(bytes);
    state.random = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }
  return { initTimeMs: state.initTimeMs, random: state.random };
}

/**
 * The `capture_time` for a new bundle of this process, in epoch
 * milliseconds: now, or 1 ms after the previous bundle's if the clock has
 * not moved past it. Bundles of one process are stored under
 * `<proc_id>/<capture_time>.zip`, so two bundles in the same millisecond
 * (or on workerd, whose clock stands still between I/O) would otherwise
 * share a key and the second would be refused or overwrite the first.
 *
 * @param now The clock reading (default `Date.now()`).
 * @returns Milliseconds, strictly greater than any earlier result in this process.
 * @example
 * ```ts
 * import { nextCaptureTimeMs } from "./meta.ts";
 * const a = nextCaptureTimeMs(1_000), b = nextCaptureTimeMs(1_000);
 * console.assert(b > a);
 * ```
 */
export function nextCaptureTimeMs(now: number = Date.now()): number {
  const state = processState();
  const last = typeof state.lastCaptureMs === "number" ? state.lastCaptureMs : -Infinity;
  const t = Math.max(now, last + 1);
  state.lastCaptureMs = t;
  return t;
}

/**
 * Formats a time as RFC 3339 in UTC with milliseconds, like Go autoprof's
 * `2006-01-02T15:04:05.000Z07:00` layout for UTC times.
 *
 * @param ms Epoch milliseconds or a `Date`.
 * @returns e.g. `2026-11-25T02:00:00.000Z`.
 * @throws {RangeError} For an invalid time.
 * @example
 * ```ts
 * import { formatTime } from "./meta.ts";
 * console.log(formatTime(Date.UTC(2026, 10, 25, 2))); // "2026-11-25T02:00:00.000Z"
 * ```
 */
export function formatTime(ms: number | Date): string {
  return new Date(ms).toISOString();
}

/**
 * Builds the `meta` document for a bundle starting now.
 *
 * `main`, `revision` and `hostname` come from `adapter.processInfo()`
 * (which reads the package name and version, the entry script, and
 * variables such as `AUTOPROF_MAIN`/`AUTOPROF_REVISION`, `GIT_COMMIT`,
 * `SOURCE_VERSION`), unless `overrides` replaces them.
 *
 * @param adapter The runtime adapter.
 * @param overrides Replacements for `main`, `revision`, `hostname`.
 * @param captureTimeMs The bundle's `capture_time` (default now); a
 * collection passes {@linkcode nextCaptureTimeMs}.
 * @returns A fresh object: safe to modify.
 * @throws {TypeError} If an override is not a string.
 * @example
 * ```ts
 * import { currentMeta } from "./meta.ts";
 * const meta = currentMeta({
 *   runtime: "other", runtimeVersion: "1", capabilities: () => ({}),
 *   processInfo: () => ({ pid: 7, hostname: "h", main: "app", revision: "v1" }),
 *   stats: () => ({}),
 * }, { revision: "v2" });
 * console.log(meta.revision); // "v2"
 * ```
 */
export function currentMeta(adapter: RuntimeAdapter, overrides?: MetaOverrides, captureTimeMs: number = Date.now()): Meta {
  validateOverrides(overrides);
  const state = processFacts();
  const info = adapter.processInfo();
  const pid = Number.isSafeInteger(info?.pid) && info.pid >= 0 ? info.pid : 0;
  const initSeconds = Math.floor(state.initTimeMs / 1000) >>> 0;
  return {
    format_version: FORMAT_VERSION,
    main: overrides?.main ?? stringOr(info?.main),
    revision: overrides?.revision ?? stringOr(info?.revision),
    runtime: adapter.runtime,
    runtime_version: stringOr(adapter.runtimeVersion),
    hostname: overrides?.hostname ?? stringOr(info?.hostname),
    proc_id: `1-${initSeconds.toString(16).padStart(8, "0")}-${state.random}-${pid}`,
    init_time: formatTime(state.initTimeMs),
    capture_time: formatTime(captureTimeMs),
    capabilities: adapter.capabilities(),
  };
}

function stringOr(v: unknown): string {
  return typeof v === "string" ? v : "";
}

/**
 * Checks a {@linkcode MetaOverrides} value.
 *
 * @param overrides The value to check.
 * @throws {TypeError} If it is not an object or a field is not a string.
 * @example
 * ```ts
 * import { validateOverrides } from "./meta.ts";
 * validateOverrides({ main: "api" }); // ok
 * ```
 */
export function validateOverrides(overrides: unknown): asserts overrides is MetaOverrides | undefined {
  if (overrides === undefined) return;
  if (typeof overrides !== "object" || overrides === null || Array.isArray(overrides)) {
    throw new TypeError(`Invalid meta overrides: expected an object: got ${describeType(overrides)}`);
  }
  for (const key of ["main", "revision", "hostname"] as const) {
    const v = (overrides as Record<string, unknown>)[key];
    if (v !== undefined && typeof v !== "string") {
      throw new TypeError(`Invalid meta override "${key}": expected a string: got ${describeType(v)}`);
    }
  }
}

function describeType(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  return typeof v;
}
