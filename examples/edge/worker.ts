/**
 * An example Cloudflare Worker (also runs on plain `workerd`) that keeps
 * profile bundles in R2, or any S3-compatible store, through autoprof's S3
 * sink (fetch + SigV4):
 *
 * - a cron trigger (`scheduled`) stores one bundle per event;
 * - 1 in `AUTOPROF_SAMPLE_ONE_IN` requests stores a bundle after its
 *   response is sent (`ctx.waitUntil`), with `custom/request.json`;
 * - `GET /debug/profiles` (behind a bearer token) answers a bundle on
 *   demand, and a copy goes to the store too.
 *
 * A Worker cannot profile itself, so these bundles hold `meta` (whose
 * `capabilities` say why heap, CPU and trace are absent), `expvar` (the
 * request counts and duration histogram below, and autoprof's counters)
 * and `custom/` entries. docs/EDGE.md walks through deploying it.
 *
 * Bindings (wrangler.toml `[vars]` and secrets):
 * `S3_ENDPOINT` (`https://<ACCOUNT_ID>.r2.cloudflarestorage.com` for R2),
 * `S3_REGION` (`auto` for R2), `S3_BUCKET`, `S3_ACCESS_KEY`,
 * `S3_SECRET_KEY`, optional `AUTOPROF_PREFIX` (key prefix),
 * `AUTOPROF_SAMPLE_ONE_IN` (default 1000) and `AUTOPROF_TOKEN` (the
 * `/debug/` endpoints' bearer token; without it they answer 401).
 *
 * In an app outside this repository, import from `"autoprof/workerd"`.
 *
 * @module
 */
import { type ExecutionContext, Hono } from "hono";
import { bearerAuth } from "hono/bearer-auth";
import { timingSafeEqual } from "hono/utils/buffer";
import {
  debugRoutes,
  type FlushResult,
  publish,
  RequestStats,
  type Sink,
  s3Sink,
  sampleRequests,
  type ScheduledEventLike,
  scheduledBundles,
  storeServedBundles,
} from "../../runtimes/workerd/mod.ts";

/** The Worker's bindings. */
export interface Env {
  S3_ENDPOINT: string;
  S3_REGION?: string;
  S3_BUCKET: string;
  S3_ACCESS_KEY: string;
  S3_SECRET_KEY: string;
  AUTOPROF_PREFIX?: string;
  AUTOPROF_SAMPLE_ONE_IN?: string;
  AUTOPROF_TOKEN?: string;
}

/** The program name in every bundle's `meta.main` (and its storage key). */
const MAIN = "autoprof-edge-example";

/** Where bundles go: R2 (or any S3-compatible store) from the bindings. */
function sinkFromEnv(env: Env): Sink {
  return s3Sink({
    endpoint: env.S3_ENDPOINT,
    region: env.S3_REGION || "auto",
    bucket: env.S3_BUCKET,
    prefix: env.AUTOPROF_PREFIX,
    accessKeyId: env.S3_ACCESS_KEY,
    secretAccessKey: env.S3_SECRET_KEY,
    // A Worker has about 30 s of waitUntil after the response: fail fast.
    maxAttempts: 3,
    timeoutMs: 10_000,
  });
}

// Request counts and durations, in every bundle's expvar as "http_requests".
// Publishing at module load is allowed: it does no I/O.
const requests = new RequestStats();
publish("http_requests", requests);

const app = new Hono<{ Bindings: Env }>();

app.get("/", (c) => c.text("hello from the edge\n"));

// Some I/O, so that durations are not all 0 ms: on Cloudflare the clock
// only advances across I/O.
app.get("/work", async (c) => {
  const ms = Math.min(Number(c.req.query("ms") ?? 20) || 0, 1000);
  await new Promise((resolve) => setTimeout(resolve, ms));
  return c.json({ waited_ms: ms });
});

// The debug endpoints, behind a bearer token from the bindings. The
// token lives in env, which only a request sees, so the check is hono's
// bearerAuth middleware; debugRoutes' own authorize hook then has
// nothing left to decide.
app.use(
  "/debug/*",
  bearerAuth({
    verifyToken: (token, c) => {
      const expected = (c.env as Env).AUTOPROF_TOKEN;
      return expected !== undefined && expected !== "" && timingSafeEqual(token, expected);
    },
  }),
);
// Every bundle answered at /debug/profiles is also stored.
app.use("/debug/profiles", storeServedBundles({ sinkFromEnv }));
app.route("/", debugRoutes({ authorize: () => true, bundle: { meta: { main: MAIN } } }));

/** The Worker's handlers. */
export interface EdgeWorker {
  /** Every HTTP request. */
  fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response>;
  /** Every cron event. */
  scheduled(event: ScheduledEventLike, env: Env, ctx: ExecutionContext): Promise<FlushResult>;
}

let sampled: ((request: Request, env: Env, ctx: ExecutionContext) => Promise<Response>) | undefined;

const worker: EdgeWorker = {
  fetch(request, env, ctx) {
    // Debug requests are not sampled: they make their own bundle.
    if (new URL(request.url).pathname.startsWith("/debug/")) return Promise.resolve(app.fetch(request, env, ctx));
    // The rate comes from the bindings, which only a request sees.
    sampled ??= sampleRequests(requests.wrap(app.fetch), {
      oneIn: Number(env.AUTOPROF_SAMPLE_ONE_IN ?? 1000),
      sinkFromEnv,
      meta: { main: MAIN },
    });
    return sampled(request, env, ctx);
  },

  scheduled: scheduledBundles<Env>({ sinkFromEnv, meta: { main: MAIN } }),
};

export default worker;
