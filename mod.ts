/**
 * autoprof: JS programs profile themselves. A bundle is one uncompressed
 * zip holding `meta` (who and when), `expvar` (published values and
 * runtime stats), a heap profile, other point-in-time profiles, your own
 * `custom/` entries, and optionally a CPU profile and a trace, in the
 * standard pprof formats (see docs/FORMAT.md). A port of Go's
 * rhysh/autoprof to Node, Deno, Bun and workerd.
 *
 * This module picks the runtime adapter at import time with a top-level
 * `await`, so that {@linkcode currentMeta} can be synchronous. The package
 * is ESM-only, which Node, Deno, Bun and workerd (through esbuild or
 * wrangler) all load; CommonJS `require()` of it is not supported.
 *
 * @example Quick start
 * ```ts
 * import { collect, publish, readBundle, unpublish } from "./mod.ts";
 *
 * let handled = 0;
 * publish("requests_handled", () => handled);
 *
 * // A bundle with a 200 ms CPU profile and one custom entry.
 * const bytes = await collect({
 *   cpuProfileDuration: 200,
 *   custom: { "build.json": () => JSON.stringify({ commit: "abc123" }) },
 * });
 *
 * const { meta, names } = readBundle(bytes);
 * console.log(meta.proc_id, meta.capture_time, names);
 * console.log(meta.skipped ?? "nothing skipped");
 * unpublish("requests_handled");
 * ```
 *
 * @module
 */
import type { CollectOptions, Meta, MetaOverrides, RuntimeAdapter } from "./src/types.ts";
import { collectBundle } from "./src/collect.ts";
import { currentMeta as metaFor } from "./src/meta.ts";
import { loadAdapter } from "./runtimes/detect.ts";
import type { Hono } from "hono";
import { createDebugHandler, createDebugRoutes } from "./src/http/debug_routes.ts";
import type { DebugRoutesOptions } from "./src/http/debug_options.ts";
import { type FetchHandler, type SampleRequestsOptions, sampleRequestsWith } from "./src/edge/sample_requests.ts";
import {
  type ScheduledBundlesOptions,
  scheduledBundlesWith,
  type ScheduledEventLike,
} from "./src/edge/scheduled_bundles.ts";
import type { FlushResult, PeriodicHandle } from "./src/periodic.ts";
import { type ExitFlushOptions, installExitFlush } from "./runtimes/_register/exit_flush.ts";

export * from "./src/types.ts";
export { BundleFormatError, type BundleFormatErrorCode, CaptureBusyError } from "./src/errors.ts";
export {
  compareNames,
  CPU,
  CUSTOM_DIR,
  customEntryName,
  escapeEntryName,
  EXPVAR,
  HEAP,
  META,
  parseEntryName,
  type ParsedEntryName,
  PPROF_DIR,
  pprofEntryName,
  PROFILE_DURING_TRACE,
  TRACE,
  unescapeEntryName,
} from "./src/names.ts";
export { FORMAT_VERSION } from "./src/meta.ts";
export { addCounter, publish, readCounters, unpublish } from "./src/expvar.ts";
export { type CollectBundleOptions, collectBundle, type CollectedBundle } from "./src/collect.ts";
export { type Bundle, readBundle, type ReadBundleOptions } from "./src/read_bundle.ts";
export { BundleWriter, type BundleWriterOptions } from "./src/zip/writer.ts";
export { DEFAULT_ZIP_LIMITS, readZip, type ZipEntry, type ZipLimits } from "./src/zip/reader.ts";
export { start, type StartOptions } from "./runtimes/start.ts";
export type { FlushOptions, FlushResult, PeriodicErrorContext, PeriodicHandle } from "./src/periodic.ts";
export type { ScheduleOptions } from "./src/schedule.ts";
export { bundleKey, type Sink, type StoreResult } from "./src/sinks/sink.ts";
export { S3Error, type S3Sink, s3Sink, type S3SinkOptions } from "./src/sinks/s3.ts";
export { fanOutSink } from "./src/sinks/fan_out.ts";
export type { DebugAuthorize, DebugBundleOptions, DebugRoutesOptions } from "./src/http/debug_options.ts";
export {
  DEFAULT_DURATION_BUCKETS_MS,
  type DurationBucket,
  type RequestOutcome,
  RequestStats,
  type RequestStatsOptions,
  type RequestStatsSnapshot,
} from "./src/edge/request_stats.ts";
export { type FetchHandler, SAMPLE_COUNTERS, type SampleRequestsOptions } from "./src/edge/sample_requests.ts";
export type { ScheduledBundlesOptions, ScheduledEventLike } from "./src/edge/scheduled_bundles.ts";
export type { EdgeBundleOptions } from "./src/edge/flush_bundle.ts";
export { storeServedBundles, type StoreServedBundlesOptions } from "./src/edge/store_served_bundles.ts";
export type { WaitUntilContext } from "./src/edge/wait_until.ts";
export {
  INVOCATION_COUNTERS,
  sampleInvocations,
  type SampleInvocationsOptions,
} from "./src/edge/sample_invocations.ts";
export type { ExitFlushOptions } from "./runtimes/_register/exit_flush.ts";

// Loaded once, at import: detection never throws, and an unknown runtime
// gets an adapter whose capabilities say what is missing.
const adapter: RuntimeAdapter = await loadAdapter();

/**
 * Collects one bundle from this process.
 *
 * @param options What to capture (all optional): `cpuProfileDuration` and
 *   `traceDuration` in ms (0: none), byte targets, `custom` entries,
 *   `signal` to end timed parts early, `meta` overrides, and `ifBusy`
 *   (`"wait"` for another capture, the default, or `"reject"`).
 * @returns The bundle: an uncompressed zip.
 * @throws {TypeError} / {RangeError} For invalid options.
 * @throws {CaptureBusyError} With `ifBusy: "reject"` while another capture runs.
 * @example
 * ```ts
 * import { collect } from "./mod.ts";
 * const bytes = await collect();
 * console.log(bytes.length > 0); // true
 * ```
 */
export async function collect(
  options?: CollectOptions & { ifBusy?: "wait" | "reject" },
): Promise<Uint8Array> {
  return (await collectBundle(adapter, options)).bytes;
}

/**
 * The `meta` a bundle collected now would carry (without `skipped` and
 * `errors`, which only a collection knows). Synchronous.
 *
 * @param overrides Replacements for `main`, `revision`, `hostname`.
 * @returns A fresh object.
 * @throws {TypeError} If an override is not a string.
 * @example
 * ```ts
 * import { currentMeta } from "./mod.ts";
 * const meta = currentMeta({ main: "checkout-api" });
 * console.log(meta.main, meta.proc_id);
 * ```
 */
export function currentMeta(overrides?: MetaOverrides): Meta {
  return metaFor(adapter, overrides);
}

/**
 * The HTTP debug endpoints as a hono app, to mount in your own hono app
 * with `app.route("/", debugRoutes())` (see docs/HTTP.md):
 *
 * - `GET /debug/profiles?profile=5s&trace=1s`: a bundle (zip), as Go
 *   autoprof's handler serves it;
 * - `GET /debug/pprof/profile?seconds=N`, `/debug/pprof/trace?seconds=N`,
 *   `/debug/pprof/heap`, `/debug/pprof/<name>` and `/debug/pprof/`, as Go's
 *   net/http/pprof serves them (`go tool pprof http://host/debug/pprof/heap`);
 * - `GET /debug/vars`: expvar JSON.
 *
 * One capture runs at a time per process (shared with `start()` and
 * `collect()`): another request gets `429` with `Retry-After`, or waits
 * with `whenBusy: "wait"`. A client that disconnects ends its capture.
 *
 * @param options `authorize`, `maxDuration` (ms), `whenBusy`, `hostname`
 *   (for the warning about serving without `authorize` on a non-loopback
 *   address) and more; see {@linkcode DebugRoutesOptions}.
 * @returns A hono app whose routes start with `/debug/`.
 * @throws {TypeError} / {RangeError} For invalid options.
 * @example Mounting in a hono app, behind a token
 * ```ts
 * import { Hono } from "hono";
 * import { debugRoutes } from "./mod.ts";
 *
 * const app = new Hono();
 * app.get("/", (c) => c.text("hello"));
 * app.route("/", debugRoutes({
 *   authorize: (req) => req.headers.get("authorization") === "Bearer s3cret",
 *   maxDuration: 30_000,
 * }));
 * const res = await app.request("/debug/vars", { headers: { authorization: "Bearer s3cret" } });
 * console.log(res.status); // 200
 * ```
 */
export function debugRoutes(options?: DebugRoutesOptions): Hono {
  return createDebugRoutes(adapter, options);
}

/**
 * The HTTP debug endpoints of {@linkcode debugRoutes} as a web-standard
 * fetch handler, for `Deno.serve`, `Bun.serve`, @hono/node-server's
 * `serve` or any server that takes `(request) => Response`. Other paths
 * answer `404`.
 *
 * @param options See {@linkcode DebugRoutesOptions}.
 * @returns `(request) => Promise<Response>`.
 * @throws {TypeError} / {RangeError} For invalid options.
 * @example On a side port, loopback only (Deno; Bun: `Bun.serve({ port, hostname, fetch })`)
 * ```ts ignore
 * import { debugHandler } from "./mod.ts";
 * Deno.serve({ hostname: "127.0.0.1", port: 6060 }, debugHandler({ hostname: "127.0.0.1" }));
 * // go tool pprof http://127.0.0.1:6060/debug/pprof/heap
 * ```
 * @example On Node with @hono/node-server
 * ```ts ignore
 * import { serve } from "@hono/node-server";
 * import { debugHandler } from "autoprof";
 * serve({ fetch: debugHandler({ hostname: "127.0.0.1" }), hostname: "127.0.0.1", port: 6060 });
 * ```
 */
export function debugHandler(options?: DebugRoutesOptions): (request: Request) => Promise<Response> {
  return createDebugHandler(adapter, options);
}

/**
 * Wraps a fetch-style handler (`(request, env, ctx)`, as Workers, hono's
 * `app.fetch` and other serverless platforms take) so that 1 in `oneIn`
 * invocations stores a bundle after the response is produced, inside
 * `ctx.waitUntil` (detached where the context has none): the response is
 * never delayed. The bundle gets `custom/request.json` (method, path,
 * status, duration in ms). See docs/EDGE.md.
 *
 * @param handler The app's handler.
 * @param options `oneIn`, and `sink` or `sinkFromEnv(env)`; hooks,
 *   `custom` entries, `meta` overrides.
 * @returns The wrapped handler.
 * @throws {RangeError} If `oneIn` is not a whole number >= 1.
 * @throws {TypeError} Without a sink.
 * @example
 * ```ts
 * import { sampleRequests } from "./mod.ts";
 * const stored: string[] = [];
 * const fetch = sampleRequests((_req: Request) => new Response("ok"), {
 *   oneIn: 1,
 *   sink: async (meta) => void stored.push(meta.capture_time),
 * });
 * const pending: Promise<unknown>[] = [];
 * await fetch(new Request("http://app/"), {}, { waitUntil: (p: Promise<unknown>) => void pending.push(p) });
 * await Promise.all(pending);
 * console.log(stored.length); // 1
 * ```
 */
export function sampleRequests<Env, Ctx>(
  handler: FetchHandler<Env, Ctx>,
  options: SampleRequestsOptions<Env>,
): (request: Request, env: Env, ctx: Ctx) => Promise<Response> {
  return sampleRequestsWith(adapter, handler, options);
}

/**
 * A Workers-style `scheduled(controller, env, ctx)` handler that stores
 * one bundle per cron event inside `ctx.waitUntil`, with
 * `custom/scheduled.json` naming the cron expression. See docs/EDGE.md.
 *
 * @param options `sink` or `sinkFromEnv(env)`; hooks, `custom` entries,
 *   `meta` overrides.
 * @returns The handler; it also returns the work's promise.
 * @throws {TypeError} Without a sink.
 * @example
 * ```ts
 * import { scheduledBundles } from "./mod.ts";
 * const scheduled = scheduledBundles({ sink: async () => {} });
 * const result = await scheduled({ cron: "*\/5 * * * *", scheduledTime: Date.now() }, {}, undefined);
 * console.log(result.ok); // true
 * ```
 */
export function scheduledBundles<Env>(
  options: ScheduledBundlesOptions<Env>,
): (event: ScheduledEventLike, env: Env, ctx: unknown) => Promise<FlushResult> {
  return scheduledBundlesWith(adapter, options);
}

/**
 * Stores one last bundle when the process is told to stop (SIGTERM,
 * SIGINT) or runs out of work, within a time budget: the process is never
 * held past it. Then the signal is raised again so the process ends as it
 * would have (unless the app has its own listener for it). For servers,
 * containers and lambda-style hosts that send SIGTERM before shutting down
 * (Node, Deno, Bun). `process.exit()` cannot be intercepted.
 *
 * @param handle The running collector from {@linkcode start}.
 * @param options `timeoutMs` (default 5000: set it below the platform's
 *   grace period), `signals`, `onDone`.
 * @returns A function that removes the hooks.
 * @example
 * ```ts ignore
 * import { flushOnExit, s3Sink, start } from "autoprof";
 * const profiler = start({ sink: s3Sink(options), schedule: false });
 * flushOnExit(profiler, { timeoutMs: 400 });
 * ```
 */
export function flushOnExit(handle: PeriodicHandle, options?: Partial<ExitFlushOptions>): () => void {
  return installExitFlush(handle, { ...options, timeoutMs: options?.timeoutMs ?? 5000 });
}
