/**
 * Keeps a copy of every bundle served over HTTP: a hono middleware for
 * `/debug/profiles` that, once the bundle has been answered, stores the
 * same bytes with a sink (in `ctx.waitUntil` where the platform has it).
 * A capture someone asked for on demand then lands next to the cron and
 * sampled bundles, for example in R2.
 *
 * @module
 */
import type { MiddlewareHandler } from "hono";
import type { Meta } from "../types.ts";
import type { PeriodicErrorContext } from "../periodic.ts";
import type { Sink, StoreResult } from "../sinks/sink.ts";
import { addCounter } from "../expvar.ts";
import { readBundle } from "../read_bundle.ts";
import { keepAlive } from "./wait_until.ts";

/** Options for {@linkcode storeServedBundles}. */
export interface StoreServedBundlesOptions<Env = unknown> {
  /** Where bundles go. Give this or `sinkFromEnv`. */
  sink?: Sink;
  /** Makes the sink from the request's `env` (hono's `c.env`: Worker bindings). */
  sinkFromEnv?: (env: Env) => Sink;
  /**
   * Called when a served bundle cannot be stored; an exception here is swallowed.
   * @default {console.error}
   */
  onError?: (error: unknown, context: PeriodicErrorContext) => void;
  /** Called after each bundle is stored. */
  onStored?: (result: StoreResult | undefined, meta: Meta) => void;
}

/**
 * A hono middleware that stores each bundle a later handler answers with
 * (status 200, `application/zip`), after the answer is produced: the client
 * never waits for the store. Mount it before the debug routes, on the
 * bundle path. Counts `autoprof.served.stored` and
 * `autoprof.served.store_errors`.
 *
 * @param options The sink and hooks.
 * @returns The middleware.
 * @throws {TypeError} If neither `sink` nor `sinkFromEnv` is a function.
 * @example
 * ```ts ignore
 * import { Hono } from "hono";
 * import { debugRoutes, s3Sink, storeServedBundles } from "autoprof";
 * const app = new Hono();
 * app.use("/debug/profiles", storeServedBundles({ sink: s3Sink(options) }));
 * app.route("/", debugRoutes({ authorize }));
 * ```
 */
export function storeServedBundles<Env = unknown>(options: StoreServedBundlesOptions<Env>): MiddlewareHandler {
  const { sink, sinkFromEnv } = (options ?? {}) as Partial<StoreServedBundlesOptions<Env>>;
  if (typeof sink !== "function" && typeof sinkFromEnv !== "function") {
    throw new TypeError('Cannot store served bundles: give "sink" or "sinkFromEnv" (a function making a sink from env)');
  }
  const report = (error: unknown, context: PeriodicErrorContext): void => {
    addCounter("autoprof.served.store_errors", 1);
    try {
      (options.onError ?? ((e) => console.error("autoprof: cannot store served bundle:", e)))(error, context);
    } catch {
      // A faulty hook must not break the app.
    }
  };
  return async (c, next) => {
    await next();
    const res = c.res;
    if (res.status !== 200 || !(res.headers.get("content-type") ?? "").startsWith("application/zip")) return;
    const copy = res.clone();
    let ctx: unknown;
    try {
      ctx = c.executionCtx;
    } catch {
      // hono throws when the platform gave no execution context (Node, Deno, Bun).
    }
    const env = c.env as Env;
    const work = (async () => {
      let meta: Meta | undefined;
      try {
        const bytes = new Uint8Array(await copy.arrayBuffer());
        meta = readBundle(bytes).meta;
        const target = typeof sink === "function" ? sink : sinkFromEnv!(env);
        const stored = (await target(meta, bytes)) ?? undefined;
        addCounter("autoprof.served.stored", 1);
        try {
          options.onStored?.(stored, meta);
        } catch {
          // As above.
        }
      } catch (error) {
        report(error, { phase: "store", meta });
      }
    })();
    keepAlive(ctx, work);
  };
}
