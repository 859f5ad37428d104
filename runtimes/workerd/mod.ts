/**
 * autoprof for Cloudflare Workers and workerd (`autoprof/workerd`).
 *
 * A Worker cannot profile itself: workerd gives it no heap profiler, CPU
 * profiler or tracer, and no isolate memory numbers. A bundle from a
 * Worker therefore holds what the platform allows, honestly labelled:
 * `meta` (its `capabilities` say what is absent and why), `expvar` (values
 * you publish, such as a {@linkcode RequestStats} request-duration
 * histogram, plus autoprof's counters) and your `custom/` entries. Never
 * an empty or made-up profile.
 *
 * Bundles come from a cron trigger ({@linkcode scheduledBundles}), from 1
 * in N requests ({@linkcode sampleRequests}) and on demand over HTTP
 * ({@linkcode debugRoutes} + {@linkcode storeServedBundles}), and go to R2
 * or any S3-compatible store with {@linkcode s3Sink}. See docs/EDGE.md.
 *
 * This entry imports no `node:*` module (no `nodejs_compat` needed). The
 * main entry works on workerd too, with `nodejs_compat`.
 *
 * @example A Worker with cron bundles, 1-in-1000 sampling and on-demand captures
 * ```ts ignore
 * import { Hono } from "hono";
 * import {
 *   debugRoutes, publish, RequestStats, s3Sink, sampleRequests, scheduledBundles, storeServedBundles,
 * } from "autoprof/workerd";
 *
 * const r2 = (env: Env) => s3Sink({
 *   endpoint: `https://${env.R2_ACCOUNT_ID}.r2.cloudflarestorage.com`, region: "auto",
 *   bucket: "profiles", accessKeyId: env.R2_ACCESS_KEY_ID, secretAccessKey: env.R2_SECRET_ACCESS_KEY,
 * });
 * const requests = new RequestStats();
 * publish("http_requests", requests);
 *
 * const app = new Hono<{ Bindings: Env }>();
 * app.use("/debug/profiles", storeServedBundles({ sinkFromEnv: r2 }));
 * app.route("/", debugRoutes({ authorize: (req) => req.headers.get("authorization") === "Bearer …" }));
 * app.get("/", (c) => c.text("hello"));
 *
 * export default {
 *   fetch: sampleRequests(requests.wrap(app.fetch), { oneIn: 1000, sinkFromEnv: r2 }),
 *   scheduled: scheduledBundles({ sinkFromEnv: r2 }),
 * };
 * ```
 *
 * @module
 */
export * from "../../src/types.ts";
export * from "./adapter.ts";
export {
  collect,
  currentMeta,
  debugHandler,
  debugRoutes,
  sampleRequests,
  scheduledBundles,
  workerdAdapter,
} from "./public_api.ts";
export {
  DEFAULT_DURATION_BUCKETS_MS,
  type DurationBucket,
  type RequestOutcome,
  RequestStats,
  type RequestStatsOptions,
  type RequestStatsSnapshot,
} from "../../src/edge/request_stats.ts";
export { type FetchHandler, SAMPLE_COUNTERS, type SampleRequestsOptions } from "../../src/edge/sample_requests.ts";
export type { ScheduledBundlesOptions, ScheduledEventLike } from "../../src/edge/scheduled_bundles.ts";
export type { EdgeBundleOptions } from "../../src/edge/flush_bundle.ts";
export { storeServedBundles, type StoreServedBundlesOptions } from "../../src/edge/store_served_bundles.ts";
export type { WaitUntilContext } from "../../src/edge/wait_until.ts";
export { addCounter, publish, readCounters, unpublish } from "../../src/expvar.ts";
export { type Bundle, readBundle, type ReadBundleOptions } from "../../src/read_bundle.ts";
export { bundleKey, type Sink, type StoreResult } from "../../src/sinks/sink.ts";
export { S3Error, type S3Sink, s3Sink, type S3SinkOptions } from "../../src/sinks/s3.ts";
export { fanOutSink } from "../../src/sinks/fan_out.ts";
export { BundleFormatError, CaptureBusyError } from "../../src/errors.ts";
export type { FlushResult, PeriodicErrorContext } from "../../src/periodic.ts";
export type { DebugAuthorize, DebugRoutesOptions } from "../../src/http/debug_options.ts";
