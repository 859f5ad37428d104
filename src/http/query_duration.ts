/**
 * Durations in query parameters, read exactly as the Go servers read them:
 *
 * - `/debug/profiles?profile=5s&trace=1s` (Go autoprof's handler): a
 *   float in Go's syntax followed by one `s`, in seconds; anything else
 *   (a missing `s`, a unit other than `s`, a negative number, bad syntax)
 *   means 0, no capture.
 * - `/debug/pprof/profile?seconds=N` (net/http/pprof): a decimal integer;
 *   missing, invalid or <= 0 means 30 seconds.
 * - `/debug/pprof/trace?seconds=N` (net/http/pprof): a float; missing,
 *   invalid or <= 0 means 1 second.
 *
 * All return milliseconds. Where Go's arithmetic would overflow (more than
 * about 292 years, or `inf`) these return a huge value or `Infinity`, which
 * the handler refuses as above its maximum instead of Go's silent no-op.
 *
 * @module
 */
import { parseGoFloat, parseGoInt } from "./go_number.ts";

/** net/http/pprof's CPU profile length when `seconds` is absent or invalid. */
export const DEFAULT_CPU_PROFILE_SECONDS = 30;

/** net/http/pprof's trace length when `seconds` is absent or invalid. */
export const DEFAULT_TRACE_SECONDS = 1;

/**
 * Reads Go autoprof's `profile` / `trace` parameter: `<float>s`.
 *
 * Like Go, the value is truncated to whole nanoseconds, so `1e-10s` is 0.
 * NaN (`nans`) is 0; `infs` is `Infinity`.
 *
 * @param value The parameter's first value, or `null`/`undefined` when absent.
 * @returns Milliseconds (fractional, down to 1e-6), 0 for "none".
 * @example
 * ```ts
 * import { parseWaitDuration } from "./query_duration.ts";
 * console.log(parseWaitDuration("1.5s"), parseWaitDuration("1500ms"), parseWaitDuration("5")); // 1500 0 0
 * ```
 */
export function parseWaitDuration(value: string | null | undefined): number {
  if (typeof value !== "string" || !value.endsWith("s")) return 0;
  const seconds = parseGoFloat(value.slice(0, -1));
  if (seconds === undefined || !(seconds >= 0)) return 0;
  if (seconds === Infinity) return Infinity;
  // Go: time.Duration(v * float64(time.Second)), a float product
  // truncated to integer nanoseconds.
  // (`+ 0` turns -0 into 0.)
  return Math.trunc(seconds * 1e9) / 1e6 + 0;
}

/**
 * Reads net/http/pprof's `seconds` for `/debug/pprof/profile`
 * (`strconv.ParseInt`; <= 0 or invalid: 30 s).
 *
 * @param value The parameter's first value, or `null`/`undefined`.
 * @returns Milliseconds, > 0.
 * @example
 * ```ts
 * import { cpuProfileSeconds } from "./query_duration.ts";
 * console.log(cpuProfileSeconds("5"), cpuProfileSeconds("1.5"), cpuProfileSeconds(null)); // 5000 30000 30000
 * ```
 */
export function cpuProfileSeconds(value: string | null | undefined): number {
  const seconds = typeof value === "string" ? parseGoInt(value) : undefined;
  if (seconds === undefined || seconds <= 0n) return DEFAULT_CPU_PROFILE_SECONDS * 1000;
  return Number(seconds) * 1000;
}

/**
 * Reads net/http/pprof's `seconds` for `/debug/pprof/trace`
 * (`strconv.ParseFloat`; <= 0, NaN or invalid: 1 s).
 *
 * @param value The parameter's first value, or `null`/`undefined`.
 * @returns Milliseconds, > 0 (maybe `Infinity` for `inf`).
 * @example
 * ```ts
 * import { traceSeconds } from "./query_duration.ts";
 * console.log(traceSeconds("0.25"), traceSeconds("-1"), traceSeconds(undefined)); // 250 1000 1000
 * ```
 */
export function traceSeconds(value: string | null | undefined): number {
  const seconds = typeof value === "string" ? parseGoFloat(value) : undefined;
  if (seconds === undefined || !(seconds > 0)) return DEFAULT_TRACE_SECONDS * 1000;
  if (seconds === Infinity) return Infinity;
  // Below a nanosecond Go traces for no time at all; 0 means "no trace"
  // here, so the shortest trace is 1 ns.
  return Math.max(Math.trunc(seconds * 1e9), 1) / 1e6;
}
