/**
 * A bundle store as the CLI sees it: a place laid out like the sinks write
 * (`pprof/<main>/<hostname>/<proc_id>/<capture_time>.zip`, see
 * docs/FORMAT.md "Storage layout") that can list keys and read bytes. The
 * filesystem ({@linkcode fsStore}) and S3 ({@linkcode s3Store}) each
 * implement it; commands only use this interface.
 *
 * @module
 */
import { unescapeEntryName } from "../names.ts";
import { escapeKeySegment } from "../sinks/sink.ts";

/** One stored bundle, from a listing. */
export interface StoredBundle {
  /** Key inside the store, e.g. `pprof/api/web-1/1-…-42/2026-11-25T02:00:00.000Z.zip`. */
  key: string;
  /** Size in bytes. */
  size: number;
  /** `main`, `hostname`, `proc_id` and `capture_time` read back from the key. */
  parts: KeyParts;
}

/** The four meta fields a key is made of (unescaped). */
export interface KeyParts {
  /** `meta.main`. */
  main: string;
  /** `meta.hostname` (`""` when the key says `_`). */
  hostname: string;
  /** `meta.proc_id`. */
  procId: string;
  /** `meta.capture_time`. */
  captureTime: string;
}

/** Narrows a listing; every field is optional. */
export interface BundleFilter {
  /** Only bundles of this program (`meta.main`). */
  main?: string;
  /** Only bundles from this host (`meta.hostname`). */
  host?: string;
  /** Only bundles of this process (`meta.proc_id`, or a prefix of it). */
  proc?: string;
  /** Only bundles captured at or after this time (RFC 3339). */
  since?: string;
  /** Only bundles captured before this time (RFC 3339). */
  until?: string;
}

/** Reports listing progress: keys seen so far. */
export type ListProgress = (seen: number) => void;

/** Reports download progress: bytes so far and the total, if known. */
export type ReadProgress = (bytes: number, total: number | undefined) => void;

/** What the CLI needs from a store of bundles. */
export interface BundleStore {
  /** Where the store is, for messages: a directory or `s3://bucket/prefix`. */
  readonly location: string;
  /**
   * Lists bundles, in key order. Stores use the filter's `main` and `host`
   * to list less where they can; callers still apply {@linkcode matchesFilter}.
   */
  list(filter: BundleFilter, onProgress?: ListProgress): Promise<StoredBundle[]>;
  /** Reads a whole bundle. */
  read(key: string, onProgress?: ReadProgress): Promise<Uint8Array>;
  /** Reads `length` bytes at `offset` (fewer at the end of the object). */
  readRange(key: string, offset: number, length: number): Promise<Uint8Array>;
  /** The full location of a key, for messages (`dir/key`, `s3://bucket/prefix/key`). */
  locate(key: string): string;
}

const KEY = /^pprof\/([^/]+)\/([^/]+)\/([^/]+)\/([^/]+)\.zip$/;

/**
 * Reads the meta fields back from a bundle key. The reverse of the sinks'
 * `bundleKey()`, except that `_` reads back as `""` (the sinks write an
 * empty part as `_`).
 *
 * @param key A key relative to the store root.
 * @returns The parts, or `undefined` if the key is not laid out like a bundle.
 * @example
 * ```ts
 * import { parseBundleKey } from "./store.ts";
 * console.log(parseBundleKey("pprof/api%2Fv2/web-1/1-a-42/2026-11-25T02:00:00.000Z.zip")?.main); // "api/v2"
 * ```
 */
export function parseBundleKey(key: string): KeyParts | undefined {
  const m = KEY.exec(key);
  if (m === null) return undefined;
  try {
    const [main, hostname, procId, captureTime] = [m[1]!, m[2]!, m[3]!, m[4]!].map((p) => p === "_" ? "" : unescapeEntryName(p));
    return { main: main!, hostname: hostname!, procId: procId!, captureTime: captureTime! };
  } catch {
    return undefined;
  }
}

/**
 * The longest key prefix a filter allows: `pprof/`, `pprof/<main>/` or
 * `pprof/<main>/<host>/`, so S3 lists only what can match.
 *
 * @param filter The filter.
 * @returns A prefix ending in `/`.
 * @example
 * ```ts
 * import { listPrefix } from "./store.ts";
 * console.log(listPrefix({ main: "api", host: "web 1" })); // "pprof/api/web%201/"
 * ```
 */
export function listPrefix(filter: BundleFilter): string {
  if (filter.main === undefined) return "pprof/";
  if (filter.host === undefined) return `pprof/${escapeKeySegment(filter.main)}/`;
  return `pprof/${escapeKeySegment(filter.main)}/${escapeKeySegment(filter.host)}/`;
}

/**
 * Whether a listed bundle passes a filter. Times compare as instants, so
 * `--since 2026-11-25T02:00:00Z` matches `2026-11-25T02:00:00.000Z`.
 *
 * @param parts The bundle's key parts.
 * @param filter The filter.
 * @returns `true` if every given field matches.
 * @example
 * ```ts
 * import { matchesFilter } from "./store.ts";
 * const parts = { main: "api", hostname: "web-1", procId: "1-a-42", captureTime: "2026-11-25T02:00:00.000Z" };
 * console.log(matchesFilter(parts, { since: "2026-11-25T01:00:00Z" })); // true
 * ```
 */
export function matchesFilter(parts: KeyParts, filter: BundleFilter): boolean {
  if (filter.main !== undefined && parts.main !== filter.main) return false;
  if (filter.host !== undefined && parts.hostname !== filter.host) return false;
  if (filter.proc !== undefined && !parts.procId.startsWith(filter.proc)) return false;
  if (filter.since !== undefined || filter.until !== undefined) {
    const t = Date.parse(parts.captureTime);
    if (Number.isNaN(t)) return false;
    if (filter.since !== undefined && t < Date.parse(filter.since)) return false;
    if (filter.until !== undefined && t >= Date.parse(filter.until)) return false;
  }
  return true;
}

/**
 * Turns listed `{ key, size }` pairs into bundles: keeps keys laid out like
 * bundles that pass the filter, drops everything else (temporary files,
 * other objects under the prefix).
 *
 * @param objects Keys relative to the store root, with sizes.
 * @param filter The filter.
 * @returns The matching bundles, in key order.
 * @example
 * ```ts
 * import { toBundles } from "./store.ts";
 * const out = toBundles([{ key: "pprof/a/h/p/2026-11-25T02:00:00.000Z.zip", size: 9 }, { key: "notes.txt", size: 1 }], {});
 * console.log(out.length); // 1
 * ```
 */
export function toBundles(objects: Iterable<{ key: string; size: number }>, filter: BundleFilter): StoredBundle[] {
  const out: StoredBundle[] = [];
  for (const { key, size } of objects) {
    const parts = parseBundleKey(key);
    if (parts !== undefined && matchesFilter(parts, filter)) out.push({ key, size, parts });
  }
  out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return out;
}
