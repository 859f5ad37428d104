/**
 * Go-style durations for configuration: `500ms`, `5s`, `2m`, `1h30m`,
 * `1.5s`, and a bare `0`. A number without a unit is rejected because it
 * is ambiguous (seconds or milliseconds?).
 *
 * @module
 */

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  "µs": 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/y;

/**
 * Parses a duration such as `2m`, `500ms` or `1m30s` into milliseconds
 * (rounded to the nearest whole millisecond).
 *
 * @param text The duration; surrounding whitespace is ignored.
 * @returns Milliseconds, >= 0.
 * @throws {SyntaxError} If `text` is not a duration.
 * @example
 * ```ts
 * import { parseDuration } from "./duration.ts";
 * console.log(parseDuration("1m30s"), parseDuration("0")); // 90000 0
 * ```
 */
export function parseDuration(text: string): number {
  const s = text.trim();
  if (s === "0") return 0;
  if (s === "") throw new SyntaxError("Cannot parse duration: empty");
  if (/^\d+(\.\d*)?$/.test(s)) {
    throw new SyntaxError(`Cannot parse duration: missing unit (ms, s, m, h): got "${s}"`);
  }
  let ms = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < s.length) {
    const at = PART.lastIndex;
    const m = PART.exec(s);
    if (m === null) {
      throw new SyntaxError(`Cannot parse duration: unexpected "${s.slice(at)}" in "${s}"`);
    }
    ms += Number(m[1]) * UNIT_MS[m[2]!]!;
  }
  if (!Number.isFinite(ms)) throw new SyntaxError(`Cannot parse duration: too large: got "${s}"`);
  return Math.round(ms);
}

/**
 * Formats milliseconds the way {@linkcode parseDuration} reads them, using
 * the largest unit that divides evenly.
 *
 * @param ms Milliseconds, >= 0.
 * @returns For example `2m`, `5s`, `1500ms` or `0`.
 * @example
 * ```ts
 * import { formatDuration } from "./duration.ts";
 * console.log(formatDuration(120_000), formatDuration(1500)); // 2m 1500ms
 * ```
 */
export function formatDuration(ms: number): string {
  if (ms === 0) return "0";
  for (const [unit, size] of [["h", 3_600_000], ["m", 60_000], ["s", 1000]] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
