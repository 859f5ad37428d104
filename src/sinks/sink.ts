/**
 * What a sink is, and where a bundle goes inside one.
 *
 * A sink stores finished bundles, like Go autoprof's `StoreBundle`. Any async
 * function with this shape is a sink, so custom storage needs no adapter:
 *
 * ```ts
 * import type { Sink } from "./sink.ts";
 * const toConsole: Sink = async (meta, bytes) => {
 *   console.log(meta.capture_time, bytes.length);
 * };
 * ```
 *
 * Storage layout (shared by the filesystem and S3 sinks, and documented in
 * docs/FORMAT.md): `pprof/<main>/<hostname>/<proc_id>/<capture_time>.zip`,
 * each part url-path-escaped like entry names, so one directory holds one
 * program, then one host, then one process, with bundles in time order.
 *
 * @module
 */
import type { Meta } from "../types.ts";
import { escapeEntryName } from "../names.ts";

/** Where a sink put a bundle. */
export interface StoreResult {
  /** Human-readable location: a file path or an `s3://bucket/key` URL. */
  location: string;
  /** The bundle's key inside the sink, from {@linkcode bundleKey} (plus any prefix). */
  key: string;
}

/**
 * Stores one finished bundle. Resolves once the bundle is stored (a result,
 * or nothing for custom sinks that have nothing to report); rejects if it
 * could not be stored.
 */
export type Sink = (meta: Meta, bytes: Uint8Array) => Promise<StoreResult | void>;

/**
 * Escapes one key segment with the bundle's entry-name escaping
 * ({@linkcode escapeEntryName}, i.e. Go's `url.PathEscape`): letters,
 * digits and `-._~$&+:=@` stay, everything else becomes `%XX`. Beyond that,
 * `.`, `..` and the empty string, which would change a path's meaning, are
 * escaped too (`%2E`, `%2E%2E`, `_`), and a lone surrogate (no UTF-8 form)
 * becomes U+FFFD instead of an error, so any meta can be stored.
 *
 * @param segment Any string.
 * @returns A string safe as one path segment.
 * @example
 * ```ts
 * import { escapeKeySegment } from "./sink.ts";
 * console.log(escapeKeySegment("my app/v2")); // my%20app%2Fv2
 * ```
 */
export function escapeKeySegment(segment: string): string {
  if (segment === "") return "_";
  if (segment === "." || segment === "..") return segment.replaceAll(".", "%2E");
  return escapeEntryName(segment.replace(/\p{Cs}/gu, "\uFFFD"));
}

/**
 * The key a bundle is stored under:
 * `pprof/<main>/<hostname>/<proc_id>/<capture_time>.zip`.
 *
 * @param meta The bundle's meta.
 * @returns A `/`-separated relative key.
 * @example
 * ```ts
 * import { bundleKey } from "./sink.ts";
 * const key = bundleKey({
 *   format_version: 1, main: "api", revision: "1", runtime: "node", runtime_version: "v24.0.0",
 *   hostname: "web-1", proc_id: "1-6744d2c0-0123456789abcdef01234567-42",
 *   init_time: "2026-11-25T01:00:00.000Z", capture_time: "2026-11-25T02:00:00.000Z",
 *   capabilities: {},
 * });
 * console.log(key);
 * // pprof/api/web-1/1-6744d2c0-0123456789abcdef01234567-42/2026-11-25T02:00:00.000Z.zip
 * ```
 */
export function bundleKey(meta: Meta): string {
  const parts = [meta.main, meta.hostname, meta.proc_id, meta.capture_time].map((p) => escapeKeySegment(String(p ?? "")));
  return `pprof/${parts.join("/")}.zip`;
}
