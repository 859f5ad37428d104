/**
 * autoprof's API for Workers (`autoprof/workerd`), bound to one workerd
 * adapter per isolate. The functions have the same names and options as
 * the main entry's, so moving code between the two is a change of import
 * path; this entry imports no `node:*` module, so it needs no
 * `nodejs_compat` flag and bundles small.
 *
 * Nothing here runs at module load beyond creating the adapter (no I/O,
 * timers or random values, which a Worker's global scope forbids).
 *
 * @module
 */
import type { Hono } from "hono";
import type { CollectOptions, Meta, MetaOverrides, RuntimeAdapter } from "../../src/types.ts";
import type { FlushResult } from "../../src/periodic.ts";
import { collectBundle } from "../../src/collect.ts";
import { currentMeta as metaFor } from "../../src/meta.ts";
import { createDebugHandler, createDebugRoutes } from "../../src/http/debug_routes.ts";
import type { DebugRoutesOptions } from "../../src/http/debug_options.ts";
import { type FetchHandler, type SampleRequestsOptions, sampleRequestsWith } from "../../src/edge/sample_requests.ts";
import {
  type ScheduledBundlesOptions,
  scheduledBundlesWith,
  type ScheduledEventLike,
} from "../../src/edge/scheduled_bundles.ts";
import { createWorkerdAdapter } from "./adapter.ts";

let shared: RuntimeAdapter | undefined;

/**
 * The isolate's workerd adapter (created on first use).
 *
 * @returns The adapter every function of this entry uses.
 * @example
 * ```ts
 * import { workerdAdapter } from "./public_api.ts";
 * console.log(workerdAdapter().runtime); // "workerd"
 * ```
 */
export function workerdAdapter(): RuntimeAdapter {
  shared ??= createWorkerdAdapter();
  return shared;
}

/**
 * Collects one bundle: `meta`, `expvar` and your `custom/` entries (a
 * Worker has no heap or CPU profiler; `meta.capabilities` says why).
 *
 * @param options `custom` entries and `meta` overrides; CPU and trace
 *   durations are accepted and recorded as skipped.
 * @returns The bundle: an uncompressed zip.
 * @throws {TypeError} / {RangeError} For invalid options.
 * @example
 * ```ts
 * import { collect } from "./public_api.ts";
 * const bytes = await collect({ meta: { main: "my-worker" }, custom: { "build.json": () => '{"v":1}' } });
 * console.log(bytes.length > 0); // true
 * ```
 */
export async function collect(options?: CollectOptions & { ifBusy?: "wait" | "reject" }): Promise<Uint8Array> {
  return (await collectBundle(workerdAdapter(), options)).bytes;
}

/**
 * The `meta` a bundle collected now would carry.
 *
 * @param overrides Replacements for `main`, `revision`, `hostname`.
 * @returns A fresh object.
 * @example
 * ```ts
 * import { currentMeta } from "./public_api.ts";
 * console.log(currentMeta().runtime); // "workerd"
 * ```
 */
export function currentMeta(overrides?: MetaOverrides): Meta {
  return metaFor(workerdAdapter(), overrides);
}

/**
 * The HTTP debug endpoints as a hono app (see the main entry's
 * `debugRoutes` and docs/HTTP.md). On workerd `/debug/profiles` and
 * `/debug/vars` are useful; the pprof endpoints answer `501` with the
 * reason.
 *
 * @param options `authorize`, `whenBusy` and more.
 * @returns A hono app whose routes start with `/debug/`.
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { debugRoutes } from "./public_api.ts";
 * const app = new Hono();
 * app.route("/", debugRoutes({ authorize: (req) => req.headers.get("authorization") === "Bearer t" }));
 * console.log((await app.request("/debug/vars")).status); // 403
 * ```
 */
export function debugRoutes(options?: DebugRoutesOptions): Hono {
  return createDebugRoutes(workerdAdapter(), options);
}

/**
 * The debug endpoints as a fetch handler; other paths answer `404`.
 *
 * @param options See `debugRoutes`.
 * @returns `(request) => Promise<Response>`.
 * @example
 * ```ts
 * import { debugHandler } from "./public_api.ts";
 * const handle = debugHandler({ authorize: () => true });
 * console.log((await handle(new Request("http://w/debug/vars"))).status); // 200
 * ```
 */
export function debugHandler(options?: DebugRoutesOptions): (request: Request) => Promise<Response> {
  return createDebugHandler(workerdAdapter(), options);
}

/**
 * Wraps a fetch handler so 1 in `oneIn` invocations stores a bundle in
 * `ctx.waitUntil`, after the response is produced.
 *
 * @param handler The Worker's `fetch` (or hono's `app.fetch`).
 * @param options `oneIn`, and `sink` or `sinkFromEnv`.
 * @returns The wrapped handler.
 * @throws {RangeError} If `oneIn` is not a whole number >= 1.
 * @throws {TypeError} Without a sink.
 * @example
 * ```ts ignore
 * import { s3Sink, sampleRequests } from "autoprof/workerd";
 * export default {
 *   fetch: sampleRequests(app.fetch, { oneIn: 1000, sinkFromEnv: (env) => s3Sink(r2(env)) }),
 * };
 * ```
 */
export function sampleRequests<Env, Ctx>(
  handler: FetchHandler<Env, Ctx>,
  options: SampleRequestsOptions<Env>,
): (request: Request, env: Env, ctx: Ctx) => Promise<Response> {
  return sampleRequestsWith(workerdAdapter(), handler, options);
}

/**
 * A `scheduled` handler that stores one bundle per cron event.
 *
 * @param options `sink` or `sinkFromEnv`, hooks, `custom` entries.
 * @returns `scheduled(controller, env, ctx)`.
 * @throws {TypeError} Without a sink.
 * @example
 * ```ts ignore
 * import { s3Sink, scheduledBundles } from "autoprof/workerd";
 * export default { fetch, scheduled: scheduledBundles({ sinkFromEnv: (env) => s3Sink(r2(env)) }) };
 * ```
 */
export function scheduledBundles<Env>(
  options: ScheduledBundlesOptions<Env>,
): (event: ScheduledEventLike, env: Env, ctx: unknown) => Promise<FlushResult> {
  return scheduledBundlesWith(workerdAdapter(), options);
}
