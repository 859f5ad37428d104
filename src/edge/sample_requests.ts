/**
 * Per-request sampling for serverless handlers: 1 in N invocations stores
 * a bundle after the response is produced, in the background
 * (`ctx.waitUntil`), so the response is never delayed.
 *
 * The sampled bundle also gets `custom/request.json`: what the app's
 * handler did on that invocation (method, path without the query string,
 * status or error, and its wall-clock duration in ms), so a bundle can be
 * matched to the request that triggered it.
 *
 * @module
 */
import type { RuntimeAdapter } from "../types.ts";
import type { Sink } from "../sinks/sink.ts";
import { describeError } from "../errors.ts";
import { addCounter } from "../expvar.ts";
import { type EdgeBundleOptions, flushBundle } from "./flush_bundle.ts";
import { keepAlive } from "./wait_until.ts";

/** A fetch-style handler: `(request, env, ctx)`, as Workers and hono's `app.fetch` take. */
export type FetchHandler<Env = unknown, Ctx = unknown> = (
  request: Request,
  env: Env,
  ctx: Ctx,
) => Response | Promise<Response>;

/** Options for {@linkcode sampleRequestsWith} (and the public `sampleRequests`). */
export interface SampleRequestsOptions<Env = unknown> extends EdgeBundleOptions {
  /**
   * Store a bundle on 1 in `oneIn` invocations, chosen at random
   * (1: every invocation). A whole number >= 1.
   */
  oneIn: number;
  /** Where sampled bundles go. Give this or `sinkFromEnv`. */
  sink?: Sink;
  /**
   * Makes the sink from the invocation's `env` (Worker bindings hold the
   * credentials). Called only on sampled invocations.
   */
  sinkFromEnv?: (env: Env) => Sink;
  /**
   * Add `custom/request.json` describing the sampled invocation.
   * @default {true}
   */
  describeRequest?: boolean;
  /**
   * Random source in [0, 1).
   * @default {Math.random}
   */
  random?: () => number;
  /**
   * Clock in ms for `request.json`'s duration.
   * @default {Date.now}
   */
  now?: () => number;
}

/** Counter names (under `"autoprof"` in `expvar`). */
export const SAMPLE_COUNTERS = {
  /** Invocations chosen for a bundle. */
  chosen: "autoprof.sampled.chosen",
  /** Chosen invocations whose context had no `waitUntil` (the flush ran detached). */
  detached: "autoprof.sampled.detached",
} as const;

/**
 * Wraps a fetch-style handler so that 1 in `oneIn` invocations stores a
 * bundle once the handler has produced its response. The bundle is
 * collected and stored inside `ctx.waitUntil(...)` (where the context has
 * no `waitUntil` the work runs detached), so the response is returned
 * without waiting for it. The handler's response and errors pass through
 * unchanged; a sampled invocation whose handler threw is stored too.
 *
 * A sampled bundle never waits for another capture: if one is running,
 * that sample is skipped (counted as `autoprof.sampled.skipped_busy`).
 *
 * @param adapter The runtime's adapter.
 * @param handler The app's handler.
 * @param options Sampling rate, sink and hooks.
 * @returns The wrapped handler.
 * @throws {RangeError} If `oneIn` is not a whole number >= 1.
 * @throws {TypeError} If neither `sink` nor `sinkFromEnv` is a function.
 * @example
 * ```ts ignore
 * import { sampleRequestsWith } from "./sample_requests.ts";
 * const fetch = sampleRequestsWith(adapter, app.fetch, {
 *   oneIn: 100,
 *   sinkFromEnv: (env) => s3Sink({ ...fromBindings(env) }),
 * });
 * export default { fetch };
 * ```
 */
export function sampleRequestsWith<Env, Ctx>(
  adapter: RuntimeAdapter,
  handler: FetchHandler<Env, Ctx>,
  options: SampleRequestsOptions<Env>,
): (request: Request, env: Env, ctx: Ctx) => Promise<Response> {
  const o = options as Partial<SampleRequestsOptions<Env>> | undefined;
  if (typeof handler !== "function") {
    throw new TypeError(`Cannot sample requests: handler must be a function: got ${typeof handler}`);
  }
  const oneIn = o?.oneIn;
  if (typeof oneIn !== "number" || !Number.isSafeInteger(oneIn) || oneIn < 1) {
    throw new RangeError(`Invalid option "oneIn": must be a whole number >= 1: got ${String(oneIn)}`);
  }
  const { sink, sinkFromEnv } = o!;
  if (typeof sink !== "function" && typeof sinkFromEnv !== "function") {
    throw new TypeError('Cannot sample requests: give "sink" or "sinkFromEnv" (a function making a sink from env)');
  }
  const random = o!.random ?? Math.random;
  const now = o!.now ?? Date.now;
  const describe = o!.describeRequest ?? true;

  return async (request, env, ctx) => {
    // Decided before the handler runs, so the handler's time is measured
    // the same way on every invocation.
    const chosen = random() * oneIn < 1;
    if (!chosen) return await handler(request, env, ctx);
    const begin = now();
    let outcome: { status: number } | { error: string } = { error: "unknown" };
    try {
      const response = await handler(request, env, ctx);
      outcome = { status: response.status };
      return response;
    } catch (error) {
      outcome = { error: describeError(error) };
      throw error;
    } finally {
      addCounter(SAMPLE_COUNTERS.chosen, 1);
      const facts = { method: request.method, path: pathOf(request.url), ...outcome, duration_ms: now() - begin };
      const work = (async () => {
        // Start after the response is on its way: nothing below runs
        // before the wrapper has returned.
        await null;
        const target = typeof sink === "function" ? sink : sinkFromEnv!(env);
        const custom = describe ? { "request.json": () => requestJson(facts, oneIn), ...o!.custom } : o!.custom;
        await flushBundle(adapter, target, { ...o, custom, counterPrefix: "autoprof.sampled", ifBusy: "reject" });
      })().catch((error: unknown) => {
        // Only sinkFromEnv can throw here (flushBundle never rejects).
        try {
          (o!.onError ?? ((e) => console.error("autoprof: cannot store sampled bundle:", e)))(error, { phase: "store" });
        } catch {
          // A faulty hook must not break the app.
        }
      });
      if (!keepAlive(ctx, work)) addCounter(SAMPLE_COUNTERS.detached, 1);
    }
  };
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return "";
  }
}

function requestJson(facts: Record<string, unknown>, oneIn: number): string {
  return JSON.stringify({
    ...facts,
    unit: "ms",
    measured: "wall clock from the handler's call until it returned its Response (body streaming not included)",
    sampled: `1 in ${oneIn} invocations`,
  }, null, 2);
}
