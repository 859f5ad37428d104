/**
 * Reading runtime facts that may be missing or throw (a permission denied,
 * an API this version lacks): the adapters leave such a fact out rather
 * than fail a bundle.
 *
 * @module
 */

/**
 * Calls `read`, returning `fallback` when it throws or yields nullish.
 *
 * @param read reads the fact.
 * @param fallback the value when it cannot be read.
 * @returns the fact, or `fallback`.
 *
 * @example
 * ```ts
 * import { safe } from "./safe_read.ts";
 * console.assert(safe(() => { throw new Error("denied"); }, 0) === 0);
 * ```
 */
export function safe<T>(read: () => T, fallback: T): T {
  try {
    return read() ?? fallback;
  } catch {
    return fallback;
  }
}

/**
 * Stores `read()` under `key` when it returns a value; leaves the key out
 * when it throws or returns `undefined`.
 *
 * @param out the object to fill.
 * @param key where the value goes.
 * @param read reads the value.
 *
 * @example
 * ```ts
 * import { put } from "./safe_read.ts";
 * const out: Record<string, unknown> = {};
 * put(out, "pid", () => 42);
 * put(out, "missing", () => { throw new Error("not on this runtime"); });
 * console.assert(JSON.stringify(out) === '{"pid":42}');
 * ```
 */
export function put(out: Record<string, unknown>, key: string, read: () => unknown): void {
  try {
    const value = read();
    if (value !== undefined) out[key] = value;
  } catch {
    // Not available here: leave it out.
  }
}

/**
 * The trimmed string, or `undefined` for anything else or a blank string.
 *
 * @param value any value.
 * @returns a non-empty trimmed string, or `undefined`.
 *
 * @example
 * ```ts
 * import { nonEmpty } from "./safe_read.ts";
 * console.assert(nonEmpty("  api ") === "api" && nonEmpty(" ") === undefined && nonEmpty(3) === undefined);
 * ```
 */
export function nonEmpty(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}
