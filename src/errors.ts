/**
 * Error classes with stable `code`s, so callers can branch on the kind of
 * failure without parsing messages (like fflate's `FlateErrorCode` and
 * Node's `ERR_*` codes).
 *
 * @module
 */

/**
 * Why a zip archive or a bundle could not be read. Stable: new codes may
 * be added, existing ones keep their meaning.
 *
 * Zip level (from `readZip`):
 * - `ERR_AUTOPROF_ZIP_NO_EOCD`: no end-of-central-directory record (not a
 *   zip, or truncated).
 * - `ERR_AUTOPROF_ZIP_UNSUPPORTED`: zip64, multi-disk archives, encryption.
 * - `ERR_AUTOPROF_ZIP_METHOD`: a compression method other than STORE (0)
 *   or DEFLATE (8).
 * - `ERR_AUTOPROF_ZIP_CORRUPT`: inconsistent or out-of-bounds headers,
 *   overlapping entries, size mismatches, undecodable DEFLATE data.
 * - `ERR_AUTOPROF_ZIP_CRC`: an entry's data does not match its CRC-32.
 * - `ERR_AUTOPROF_ZIP_UNSAFE_NAME`: a name that could escape a directory
 *   when extracted (`..`, absolute, backslash, NUL) or is not UTF-8.
 * - `ERR_AUTOPROF_ZIP_DUPLICATE_NAME`: two entries with the same name.
 * - `ERR_AUTOPROF_ZIP_LIMIT`: more entries or bytes than the reader's limits.
 *
 * Bundle level (from `readBundle`):
 * - `ERR_AUTOPROF_BUNDLE_META`: `meta` missing, not first, or invalid.
 * - `ERR_AUTOPROF_BUNDLE_VERSION`: a `format_version` this reader does not know.
 * - `ERR_AUTOPROF_BUNDLE_EXPVAR`: `expvar` missing, not second, or not JSON.
 * - `ERR_AUTOPROF_BUNDLE_ENTRY_NAME`: an unknown or badly escaped entry name.
 * - `ERR_AUTOPROF_BUNDLE_ORDER`: entries out of the order docs/FORMAT.md fixes.
 */
export type BundleFormatErrorCode =
  | "ERR_AUTOPROF_ZIP_NO_EOCD"
  | "ERR_AUTOPROF_ZIP_UNSUPPORTED"
  | "ERR_AUTOPROF_ZIP_METHOD"
  | "ERR_AUTOPROF_ZIP_CORRUPT"
  | "ERR_AUTOPROF_ZIP_CRC"
  | "ERR_AUTOPROF_ZIP_UNSAFE_NAME"
  | "ERR_AUTOPROF_ZIP_DUPLICATE_NAME"
  | "ERR_AUTOPROF_ZIP_LIMIT"
  | "ERR_AUTOPROF_BUNDLE_META"
  | "ERR_AUTOPROF_BUNDLE_VERSION"
  | "ERR_AUTOPROF_BUNDLE_EXPVAR"
  | "ERR_AUTOPROF_BUNDLE_ENTRY_NAME"
  | "ERR_AUTOPROF_BUNDLE_ORDER";

/**
 * Thrown when bytes are not a readable zip archive or not a valid bundle.
 * The message names the problem; `code` classifies it.
 *
 * @example Branching on the code
 * ```ts
 * import { BundleFormatError } from "./errors.ts";
 * import { readBundle } from "./read_bundle.ts";
 * try {
 *   readBundle(new Uint8Array([1, 2, 3]));
 * } catch (e) {
 *   if (e instanceof BundleFormatError) console.log(e.code); // "ERR_AUTOPROF_ZIP_NO_EOCD"
 * }
 * ```
 */
export class BundleFormatError extends Error {
  /** What kind of problem this is; stable across versions. */
  readonly code: BundleFormatErrorCode;

  /**
   * @param code The kind of problem.
   * @param message Sentence-case description with details after a colon.
   * @param options Standard error options (`cause`).
   */
  constructor(code: BundleFormatErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "BundleFormatError";
    this.code = code;
  }
}

/**
 * Thrown (as a rejection) by `collect({ ifBusy: "reject" })` when another
 * capture holds the process-wide capture lock.
 *
 * @example
 * ```ts
 * import { CaptureBusyError } from "./errors.ts";
 * const e = new CaptureBusyError();
 * console.log(e.code); // "ERR_AUTOPROF_BUSY"
 * ```
 */
export class CaptureBusyError extends Error {
  /** Always `"ERR_AUTOPROF_BUSY"`. */
  readonly code: "ERR_AUTOPROF_BUSY" = "ERR_AUTOPROF_BUSY";

  /** @param message Overrides the default message. */
  constructor(message = "Cannot collect a bundle: another capture is running in this process") {
    super(message);
    this.name = "CaptureBusyError";
  }
}

/**
 * Thrown (as a rejection) by a runtime adapter's `heap()` when it leaves
 * `pprof/heap` out of this bundle on purpose (for example to ration heap
 * profiles that force a full GC). `collectBundle` records the message in
 * `meta.skipped.heap` instead of `meta.errors`. Recognised by its `code`,
 * so that it works across copies of autoprof.
 *
 * @example
 * ```ts
 * import { PartSkippedError } from "./errors.ts";
 * const e = new PartSkippedError("heap profile deferred: the next is due in 40 s");
 * console.log(e.code); // "ERR_AUTOPROF_SKIPPED"
 * ```
 */
export class PartSkippedError extends Error {
  /** Always `"ERR_AUTOPROF_SKIPPED"`. */
  readonly code: "ERR_AUTOPROF_SKIPPED" = "ERR_AUTOPROF_SKIPPED";

  /** @param message Why the part was left out (goes to `meta.skipped`). */
  constructor(message: string) {
    super(message);
    this.name = "PartSkippedError";
  }
}

/**
 * Whether `e` is a {@linkcode PartSkippedError} (of any autoprof copy).
 *
 * @param e anything thrown.
 * @returns true for a skip.
 *
 * @example
 * ```ts
 * import { isPartSkipped, PartSkippedError } from "./errors.ts";
 * console.assert(isPartSkipped(new PartSkippedError("not now")));
 * console.assert(!isPartSkipped(new Error("boom")));
 * ```
 */
export function isPartSkipped(e: unknown): e is PartSkippedError {
  return typeof e === "object" && e !== null && (e as { code?: unknown }).code === "ERR_AUTOPROF_SKIPPED" &&
    typeof (e as { message?: unknown }).message === "string";
}

/**
 * Turns any thrown value into one line of text for `meta.errors` and
 * expvar's `{ "error": ... }`. Never throws.
 *
 * @param e Anything that was thrown.
 * @returns `"<name>: <message>"` for errors, else the value as a string.
 * @example
 * ```ts
 * import { describeError } from "./errors.ts";
 * console.log(describeError(new TypeError("bad"))); // "TypeError: bad"
 * ```
 */
export function describeError(e: unknown): string {
  try {
    if (e instanceof Error) return `${e.name}: ${e.message}`;
    if (typeof e === "object" && e !== null && typeof (e as { message?: unknown }).message === "string") {
      const { name, message } = e as { name?: unknown; message: string };
      return typeof name === "string" && name !== "" ? `${name}: ${message}` : message;
    }
    return String(e);
  } catch {
    return "Unknown error (the thrown value could not be converted to text)";
  }
}
