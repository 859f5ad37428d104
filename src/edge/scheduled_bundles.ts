/**
 * Bundles from a cron trigger: a Worker's `scheduled(controller, env, ctx)`
 * handler that collects one bundle and stores it inside `ctx.waitUntil`.
 * On platforms without a long-running process (workerd), a cron trigger is
 * the periodic collector.
 *
 * @module
 */
import type { RuntimeAdapter } from "../types.ts";
import type { FlushResult } from "../periodic.ts";
import type { Sink } from "../sinks/sink.ts";
import { type EdgeBundleOptions, flushBundle } from "./flush_bundle.ts";
import { keepAlive } from "./wait_until.ts";

/** The parts of a Workers `ScheduledController` autoprof reads. */
export interface ScheduledEventLike {
  /** The cron expression that fired, e.g. `"*\/5 * * * *"`. */
  cron?: string;
  /** When the event was scheduled, epoch ms. */
  scheduledTime?: number;
}

/** Options for {@linkcode scheduledBundlesWith} (and the public `scheduledBundles`). */
export interface ScheduledBundlesOptions<Env = unknown> extends EdgeBundleOptions {
  /** Where bundles go. Give this or `sinkFromEnv`. */
  sink?: Sink;
  /** Makes the sink from the event's `env` (Worker bindings hold the credentials). */
  sinkFromEnv?: (env: Env) => Sink;
  /**
   * Add `custom/scheduled.json` with the cron expression and scheduled time.
   * @default {true}
   */
  describeEvent?: boolean;
}

/**
 * Makes a `scheduled` handler that stores one bundle per cron event. It
 * returns at once; the work runs in `ctx.waitUntil` and resolves to what
 * happened (the same promise is returned, for callers that want to await
 * it). It waits for a capture already in progress rather than skip the
 * event.
 *
 * @param adapter The runtime's adapter.
 * @param options The sink and hooks.
 * @returns `scheduled(controller, env, ctx)`.
 * @throws {TypeError} If neither `sink` nor `sinkFromEnv` is a function.
 * @example
 * ```ts ignore
 * import { scheduledBundlesWith } from "./scheduled_bundles.ts";
 * export default {
 *   fetch: app.fetch,
 *   scheduled: scheduledBundlesWith(adapter, { sinkFromEnv: (env) => s3Sink(r2Options(env)) }),
 * };
 * ```
 */
export function scheduledBundlesWith<Env>(
  adapter: RuntimeAdapter,
  options: ScheduledBundlesOptions<Env>,
): (event: ScheduledEventLike, env: Env, ctx: unknown) => Promise<FlushResult> {
  const { sink, sinkFromEnv } = (options ?? {}) as Partial<ScheduledBundlesOptions<Env>>;
  if (typeof sink !== "function" && typeof sinkFromEnv !== "function") {
    throw new TypeError('Cannot make a scheduled handler: give "sink" or "sinkFromEnv" (a function making a sink from env)');
  }
  const describe = options.describeEvent ?? true;
  return (event, env, ctx) => {
    const facts = {
      cron: typeof event?.cron === "string" ? event.cron : "",
      scheduled_time: typeof event?.scheduledTime === "number" && Number.isFinite(event.scheduledTime)
        ? new Date(event.scheduledTime).toISOString()
        : "",
    };
    const work = (async (): Promise<FlushResult> => {
      let target: Sink;
      try {
        target = typeof sink === "function" ? sink : sinkFromEnv!(env);
      } catch (error) {
        try {
          (options.onError ?? ((e) => console.error("autoprof: cannot make the sink:", e)))(error, { phase: "store" });
        } catch {
          // A faulty hook must not break the app.
        }
        return { ok: false, error };
      }
      const custom = describe ? { "scheduled.json": () => JSON.stringify(facts, null, 2), ...options.custom } : options.custom;
      return await flushBundle(adapter, target, { ...options, custom, counterPrefix: "autoprof.scheduled", ifBusy: "wait" });
    })();
    keepAlive(ctx, work);
    return work;
  };
}
