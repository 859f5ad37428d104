/**
 * The download name of a bundle served over HTTP, as Go autoprof's
 * handler names it: `profile_<main>_<proc_id>_<capture_time>.zip`, where
 * `<main>` is the last element of `meta.main` and every part is escaped
 * with Go's `url.PathEscape` (so the name is plain ASCII and never holds
 * `/` or `"`).
 *
 * @module
 */
import type { Meta } from "../types.ts";
import { escapeEntryName } from "../names.ts";

/**
 * The last element of a slash-separated path, exactly like Go's
 * `path.Base`: trailing slashes are dropped, `""` becomes `"."` and a path
 * of only slashes becomes `"/"`. Backslashes are not separators (as in Go).
 *
 * @param p A path such as `/srv/app/server.js` or `@acme/api`.
 * @returns Its last element.
 * @example
 * ```ts
 * import { goPathBase } from "./file_name.ts";
 * console.log(goPathBase("/srv/app/server.js"), goPathBase("@acme/api/"), goPathBase("")); // server.js api .
 * ```
 */
export function goPathBase(p: string): string {
  if (p === "") return ".";
  const trimmed = p.replace(/\/+$/, "");
  if (trimmed === "") return "/";
  return trimmed.slice(trimmed.lastIndexOf("/") + 1);
}

/**
 * The file name for a bundle, from its `meta`.
 *
 * @param meta The bundle's meta (`main`, `proc_id`, `capture_time`).
 * @returns For example `profile_server.js_1-6744d2c0-…-4242_2026-11-25T02:00:00.000Z.zip`.
 * @example
 * ```ts
 * import { bundleFileName } from "./file_name.ts";
 * const name = bundleFileName({ main: "/srv/api server.js", proc_id: "1-a-b-7", capture_time: "2026-11-25T02:00:00.000Z" });
 * console.log(name); // "profile_api%20server.js_1-a-b-7_2026-11-25T02:00:00.000Z.zip"
 * ```
 */
export function bundleFileName(meta: Pick<Meta, "main" | "proc_id" | "capture_time">): string {
  const part = (s: string) => escapeEntryName(wellFormed(s));
  return `profile_${part(goPathBase(meta.main))}_${part(meta.proc_id)}_${part(meta.capture_time)}.zip`;
}

/** Lone surrogates become U+FFFD, as Go's string conversion would. */
function wellFormed(s: string): string {
  return s.replace(/\p{Cs}/gu, "\uFFFD");
}
