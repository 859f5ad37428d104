/**
 * Options of the HTTP debug endpoints, and their validation (done once,
 * when the routes are created, so a typo fails at startup rather than on
 * the first request).
 *
 * @module
 */
import type { CollectOptions } from "../types.ts";
import { isLoopbackHost } from "./loopback.ts";

/** Bundle options an HTTP-served bundle takes from the server, not the request. */
export type DebugBundleOptions = Pick<CollectOptions, "custom" | "meta" | "cpuProfileByteTarget" | "traceByteTarget">;

/**
 * Decides whether a request may use the debug endpoints: `true` lets it
 * through, `false` answers `403 Forbidden`, and a `Response` (for example
 * a `401` with `WWW-Authenticate`) is sent as it is.
 */
export type DebugAuthorize = (request: Request) => boolean | Response | Promise<boolean | Response>;

/** Options for the HTTP debug endpoints; every field is optional. */
export interface DebugRoutesOptions {
  /**
   * Longest CPU profile or trace one request may ask for, in
   * milliseconds. A longer one (including net/http/pprof's default of
   * 30 s when the maximum is lower) is answered `400 Bad Request`. In a
   * bundle the CPU profile and the trace are limited separately.
   * @default {60000}
   */
  maxDuration?: number;
  /**
   * Checked before every request; see {@linkcode DebugAuthorize}. Without
   * it anyone who can reach the server can read heap profiles and run
   * profilers, so a warning is logged (once) when the endpoints are
   * reachable on a non-loopback address: see `hostname`.
   */
  authorize?: DebugAuthorize;
  /**
   * What a request does while another capture runs in this process (an
   * HTTP request, a periodic bundle, `collect()`): `"reject"` answers
   * `429 Too Many Requests` with `Retry-After`; `"wait"` queues behind it
   * (in arrival order) until the client gives up. Either way a second
   * profiler is never started.
   * @default {"reject"}
   */
  whenBusy?: "reject" | "wait";
  /**
   * The `Retry-After` of a 429 answer, in whole seconds.
   * @default {5}
   */
  retryAfter?: number;
  /**
   * The host name or address the server listens on (`"0.0.0.0"`,
   * `"127.0.0.1"`, `"::"`), for the warning about serving without
   * `authorize` on a non-loopback address. A handler cannot see its bind
   * address on every runtime, so without this hint the host of each
   * request's URL (its `Host` header) is checked instead, until one is
   * not loopback: a server bound to every interface then warns as soon as
   * someone reaches it by a non-loopback name. Set it to check once, at
   * creation.
   */
  hostname?: string;
  /**
   * Receives the warning text (non-loopback address without `authorize`).
   * @default {console.warn}
   */
  onWarning?: (message: string) => void;
  /**
   * Receives failures answered with `500` (a profiler that threw), with
   * the request.
   * @default {console.error}
   */
  onError?: (error: unknown, request: Request) => void;
  /**
   * Options for every bundle served at `/debug/profiles`: custom entries,
   * meta overrides, byte targets. Give custom entries as functions: a
   * `ReadableStream` can be read only once, so only the first bundle
   * would get it. The byte targets also apply to `/debug/pprof/profile`
   * and `/debug/pprof/trace`.
   */
  bundle?: DebugBundleOptions;
}

/** {@linkcode DebugRoutesOptions} with defaults applied. */
export interface ResolvedDebugOptions {
  maxDuration: number;
  authorize: DebugAuthorize | undefined;
  whenBusy: "reject" | "wait";
  retryAfter: number;
  hostname: string | undefined;
  onWarning: (message: string) => void;
  onError: (error: unknown, request: Request) => void;
  bundle: DebugBundleOptions;
}

/** Default of {@linkcode DebugRoutesOptions.maxDuration}: one minute. */
export const DEFAULT_MAX_DURATION_MS = 60_000;

/** Default of {@linkcode DebugRoutesOptions.retryAfter}, in seconds. */
export const DEFAULT_RETRY_AFTER_SECONDS = 5;

// setTimeout's limit, as for collect().
const MAX_DURATION_LIMIT_MS = 2 ** 31 - 1;

/**
 * Applies defaults and checks types and ranges.
 *
 * @param options What the caller passed.
 * @returns The resolved options.
 * @throws {TypeError} For a field of the wrong type or an unknown `whenBusy`.
 * @throws {RangeError} For `maxDuration` or `retryAfter` out of range.
 * @example
 * ```ts
 * import { resolveDebugOptions } from "./debug_options.ts";
 * console.log(resolveDebugOptions({ whenBusy: "wait" }).maxDuration); // 60000
 * ```
 */
export function resolveDebugOptions(options: DebugRoutesOptions = {}): ResolvedDebugOptions {
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new TypeError(`Invalid debug routes options: expected an object: got ${typeName(options)}`);
  }
  const maxDuration = options.maxDuration ?? DEFAULT_MAX_DURATION_MS;
  if (typeof maxDuration !== "number" || !(maxDuration > 0 && maxDuration <= MAX_DURATION_LIMIT_MS)) {
    throw new RangeError(
      `Invalid option "maxDuration": must be milliseconds between 1 and ${MAX_DURATION_LIMIT_MS}: got ${String(maxDuration)}`,
    );
  }
  const retryAfter = options.retryAfter ?? DEFAULT_RETRY_AFTER_SECONDS;
  if (typeof retryAfter !== "number" || !Number.isInteger(retryAfter) || retryAfter < 0) {
    throw new RangeError(`Invalid option "retryAfter": must be whole seconds >= 0: got ${String(retryAfter)}`);
  }
  const whenBusy = options.whenBusy ?? "reject";
  if (whenBusy !== "reject" && whenBusy !== "wait") {
    throw new TypeError(`Invalid option "whenBusy": expected "reject" or "wait": got ${JSON.stringify(whenBusy) ?? typeName(whenBusy)}`);
  }
  for (const key of ["authorize", "onWarning", "onError"] as const) {
    if (options[key] !== undefined && typeof options[key] !== "function") {
      throw new TypeError(`Invalid option "${key}": expected a function: got ${typeName(options[key])}`);
    }
  }
  if (options.hostname !== undefined && typeof options.hostname !== "string") {
    throw new TypeError(`Invalid option "hostname": expected a string: got ${typeName(options.hostname)}`);
  }
  const bundle = options.bundle ?? {};
  if (typeof bundle !== "object" || bundle === null || Array.isArray(bundle)) {
    throw new TypeError(`Invalid option "bundle": expected an object: got ${typeName(bundle)}`);
  }
  return {
    maxDuration,
    authorize: options.authorize,
    whenBusy,
    retryAfter,
    hostname: options.hostname,
    onWarning: options.onWarning ?? ((message) => console.warn(message)),
    onError: options.onError ?? ((error) => console.error("autoprof: debug endpoint failed:", error)),
    bundle,
  };
}

/**
 * The warning for endpoints reachable on `host` without `authorize`, or
 * `undefined` when there is nothing to warn about.
 *
 * @param host The bind address or the request's host.
 * @param hasAuthorize Whether an `authorize` hook is set.
 * @returns The warning text, or `undefined`.
 * @example
 * ```ts
 * import { exposureWarning } from "./debug_options.ts";
 * console.log(exposureWarning("127.0.0.1:6060", false)); // undefined
 * ```
 */
export function exposureWarning(host: string, hasAuthorize: boolean): string | undefined {
  if (hasAuthorize || isLoopbackHost(host)) return undefined;
  return `autoprof: the debug endpoints are reachable on a non-loopback address (${JSON.stringify(host)}) ` +
    "without an authorize hook: anyone who can connect can read heap profiles and run profilers. " +
    "Pass authorize to debugRoutes()/debugHandler(), or listen on 127.0.0.1";
}

function typeName(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  return typeof v;
}
