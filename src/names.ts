/**
 * Entry names inside a bundle, the escaping that keeps user-chosen names in
 * one path segment, and the sort order of `custom/` entries.
 *
 * Escaping is Go's `url.PathEscape` byte for byte, so a JS bundle names a
 * custom entry exactly as Go autoprof would: bytes `A-Z a-z 0-9 - _ . ~` and
 * `$ & + : = @` stay as they are, every other byte of the name's UTF-8 form
 * (including `/`, `?`, `%`, `;`, `,`, space and all non-ASCII) becomes `%XX`
 * with uppercase hex.
 *
 * @module
 */

/** The bundle's first entry: JSON {@linkcode Meta}. */
export const META = "meta";
/** The bundle's second entry: expvar-style JSON. */
export const EXPVAR = "expvar";
/** The heap profile (gzipped pprof), always right after `expvar`. */
export const HEAP = "pprof/heap";
/** The CPU profile (gzipped pprof), after all point-in-time entries. */
export const CPU = "pprof/profile";
/** The execution trace, after the CPU profile. */
export const TRACE = "pprof/trace";
/** The CPU profile recorded while tracing (gzipped pprof), last. */
export const PROFILE_DURING_TRACE = "pprof/profile-during-trace";
/** Directory of runtime profiles. */
export const PPROF_DIR = "pprof/";
/** Directory of user-supplied entries. */
export const CUSTOM_DIR = "custom/";

const HEX = "0123456789ABCDEF";

// Bytes Go's url.PathEscape keeps (shouldEscape(c, encodePathSegment) is
// false): unreserved characters plus the sub-delims RFC 3986 allows in a
// path segment, minus `;` and `,` which Go reserves for segment parameters.
const KEEP = new Uint8Array(128);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~$&+:=@") {
  KEEP[c.charCodeAt(0)] = 1;
}

const encoder = new TextEncoder();
const strictDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
// A lone surrogate has no UTF-8 form; TextEncoder would silently turn it
// into U+FFFD and two different names could then collide.
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Escapes a name for use as one path segment, exactly like Go's
 * `url.PathEscape`.
 *
 * @param name Any well-formed string.
 * @returns The escaped name; never contains `/`.
 * @throws {TypeError} If `name` is not a string or has a lone surrogate.
 * @example
 * ```ts
 * import { escapeEntryName } from "./names.ts";
 * console.log(escapeEntryName("db/queries 2")); // "db%2Fqueries%202"
 * ```
 */
export function escapeEntryName(name: string): string {
  if (typeof name !== "string") {
    throw new TypeError(`Cannot escape entry name: expected a string: got ${typeof name}`);
  }
  let plain = true;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c >= 128 || KEEP[c] === 0) {
      plain = false;
      break;
    }
  }
  if (plain) return name;
  if (LONE_SURROGATE.test(name)) {
    throw new TypeError(`Cannot escape entry name: it has a lone surrogate (no UTF-8 form): ${JSON.stringify(name)}`);
  }
  let out = "";
  for (const b of encoder.encode(name)) {
    out += b < 128 && KEEP[b] === 1 ? String.fromCharCode(b) : "%" + HEX[b >> 4] + HEX[b & 15];
  }
  return out;
}

/**
 * Reverses {@linkcode escapeEntryName}, like Go's `url.PathUnescape`:
 * `%XX` (either case) becomes byte `XX`, everything else stays, and the
 * bytes must be UTF-8.
 *
 * @param escaped An escaped name (one segment, without `pprof/`/`custom/`).
 * @returns The original name.
 * @throws {URIError} On a malformed `%` escape or bytes that are not UTF-8.
 * @example
 * ```ts
 * import { unescapeEntryName } from "./names.ts";
 * console.log(unescapeEntryName("db%2Fqueries%202")); // "db/queries 2"
 * ```
 */
export function unescapeEntryName(escaped: string): string {
  if (!escaped.includes("%")) return escaped;
  const bytes: number[] = [];
  for (let i = 0; i < escaped.length; i++) {
    const c = escaped.charCodeAt(i);
    if (c === 0x25) {
      const hi = hexValue(escaped.charCodeAt(i + 1));
      const lo = hexValue(escaped.charCodeAt(i + 2));
      if (hi < 0 || lo < 0) {
        throw new URIError(`Cannot unescape entry name: invalid escape ${JSON.stringify(escaped.slice(i, i + 3))}: in ${JSON.stringify(escaped)}`);
      }
      bytes.push(hi * 16 + lo);
      i += 2;
    } else if (c < 128) {
      bytes.push(c);
    } else {
      // Not produced by escapeEntryName, but Go accepts it: keep its UTF-8.
      const cp = escaped.codePointAt(i)!;
      for (const b of encoder.encode(String.fromCodePoint(cp))) bytes.push(b);
      if (cp > 0xffff) i++;
    }
  }
  try {
    return strictDecoder.decode(new Uint8Array(bytes));
  } catch {
    throw new URIError(`Cannot unescape entry name: the bytes are not UTF-8: ${JSON.stringify(escaped)}`);
  }
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  return -1;
}

/**
 * Names the entry for a point-in-time runtime profile: `pprof/<escaped>`.
 *
 * @param name Profile name, e.g. `allocs`.
 * @returns The entry name.
 * @throws {TypeError} As {@linkcode escapeEntryName}.
 * @example
 * ```ts
 * import { pprofEntryName } from "./names.ts";
 * console.log(pprofEntryName("allocs")); // "pprof/allocs"
 * ```
 */
export function pprofEntryName(name: string): string {
  return PPROF_DIR + escapeEntryName(name);
}

/**
 * Names the entry for a user-supplied data source: `custom/<escaped>`.
 *
 * @param name The key in `CollectOptions.custom`.
 * @returns The entry name.
 * @throws {TypeError} As {@linkcode escapeEntryName}.
 * @example
 * ```ts
 * import { customEntryName } from "./names.ts";
 * console.log(customEntryName("config/flags.json")); // "custom/config%2Fflags.json"
 * ```
 */
export function customEntryName(name: string): string {
  return CUSTOM_DIR + escapeEntryName(name);
}

/** A `pprof/` or `custom/` entry name split into its directory and name. */
export interface ParsedEntryName {
  /** `"pprof"` or `"custom"`. */
  dir: "pprof" | "custom";
  /** The unescaped name. */
  name: string;
}

/**
 * Splits a `pprof/<escaped>` or `custom/<escaped>` entry name.
 *
 * @param entryName A name as stored in the zip.
 * @returns The directory and unescaped name, or `undefined` for any other
 *   shape (`meta`, `expvar`, nested paths, an empty name).
 * @throws {URIError} If the escaped part is malformed.
 * @example
 * ```ts
 * import { parseEntryName } from "./names.ts";
 * console.log(parseEntryName("custom/a%2Fb")); // { dir: "custom", name: "a/b" }
 * ```
 */
export function parseEntryName(entryName: string): ParsedEntryName | undefined {
  let dir: "pprof" | "custom";
  let rest: string;
  if (entryName.startsWith(PPROF_DIR)) {
    dir = "pprof";
    rest = entryName.slice(PPROF_DIR.length);
  } else if (entryName.startsWith(CUSTOM_DIR)) {
    dir = "custom";
    rest = entryName.slice(CUSTOM_DIR.length);
  } else {
    return undefined;
  }
  if (rest === "" || rest.includes("/")) return undefined;
  return { dir, name: unescapeEntryName(rest) };
}

/**
 * Compares two names the way Go's `sort.Strings` orders them: byte-wise on
 * their UTF-8 form, which is Unicode code point order. JS's default sort
 * compares UTF-16 code units instead and puts U+10000 and above (surrogate
 * pairs) before U+E000–U+FFFF; this function does not.
 *
 * @param a A name.
 * @param b Another name.
 * @returns Negative, zero or positive, for `Array.prototype.sort`.
 * @example
 * ```ts
 * import { compareNames } from "./names.ts";
 * console.log(["\u{1F600}", "\uFFFD"].sort(compareNames)); // ["\uFFFD", "\u{1F600}"]
 * ```
 */
export function compareNames(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i === n) return a.length - b.length;
  // Back up to the start of a surrogate pair split by the first difference,
  // then compare whole code points.
  if (i > 0 && isLowSurrogate(a.charCodeAt(i)) && isHighSurrogate(a.charCodeAt(i - 1))) i--;
  else if (i > 0 && isLowSurrogate(b.charCodeAt(i)) && isHighSurrogate(b.charCodeAt(i - 1))) i--;
  return a.codePointAt(i)! - b.codePointAt(i)!;
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}
