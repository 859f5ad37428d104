/**
 * The HTTP debug endpoints as a hono app, over an injected runtime
 * adapter (this file knows no runtime):
 *
 * - `GET /debug/profiles?profile=5s&trace=1s`: a bundle (Go autoprof's
 *   handler), `application/zip`, named `profile_<main>_<proc_id>_<capture_time>.zip`.
 * - `GET /debug/pprof/profile?seconds=30`: a CPU profile (gzipped pprof).
 * - `GET /debug/pprof/trace?seconds=1`: a trace, where the runtime has one.
 * - `GET /debug/pprof/heap` and `/debug/pprof/<name>` for the runtime's
 *   other point-in-time profiles (`allocs`, `resources`).
 * - `GET /debug/pprof/`: an index page; `GET /debug/vars`: expvar JSON.
 *
 * These answer like Go's net/http/pprof and expvar, so `go tool pprof
 * http://host/debug/pprof/heap` and scrapers such as Parca work.
 *
 * Every capture takes the process-wide capture lock (the one the periodic
 * collector and `collect()` take), so a request never starts a second
 * profiler or disturbs a bundle in progress: it is refused with `429` or
 * waits, per `whenBusy`. The request's `signal` (aborted when the client
 * disconnects, on Node's @hono/node-server, Deno and Bun) ends a capture
 * early and frees the lock.
 *
 * @module
 */
import { Hono } from "hono";
import type { Context } from "hono";
import type { Capability, PointInTimeProfile, RuntimeAdapter } from "../types.ts";
import { acquireCapture, type ReleaseCapture, tryAcquireCapture } from "../capture_lock.ts";
import { collectBundle } from "../collect.ts";
import { CaptureBusyError, describeError } from "../errors.ts";
import { renderExpvar } from "../expvar.ts";
import { escapeEntryName } from "../names.ts";
import {
  type DebugRoutesOptions,
  exposureWarning,
  type ResolvedDebugOptions,
  resolveDebugOptions,
} from "./debug_options.ts";
import { bundleFileName } from "./file_name.ts";
import { type IndexEntry, renderIndexPage } from "./index_page.ts";
import { cpuProfileSeconds, parseWaitDuration, traceSeconds } from "./query_duration.ts";
import { parseGoInt } from "./go_number.ts";
import { downloadResponse, htmlResponse, jsonResponse, textResponse } from "./responses.ts";

/**
 * Creates the debug endpoints for a runtime adapter, as a hono app to
 * mount with `app.route("/", routes)` (paths start with `/debug/`).
 *
 * @param adapter The runtime's profilers.
 * @param options See {@linkcode DebugRoutesOptions}.
 * @returns A hono app.
 * @throws {TypeError} / {RangeError} For invalid options.
 * @example
 * ```ts ignore
 * import { Hono } from "hono";
 * import { createDebugRoutes } from "./debug_routes.ts";
 * import { loadAdapter } from "../../runtimes/detect.ts";
 * const app = new Hono();
 * app.route("/", createDebugRoutes(await loadAdapter(), { authorize: (req) => req.headers.get("x-token") === "s3cret" }));
 * ```
 */
export function createDebugRoutes(adapter: RuntimeAdapter, options?: DebugRoutesOptions): Hono {
  const opts = resolveDebugOptions(options);
  const endpoints = new DebugEndpoints(adapter, opts);
  const app = new Hono();
  // Guards are per route, not `app.use("*")`: mounted at "/", a wildcard
  // middleware would run for every route of the host app too.
  const get = (path: string, handle: (c: Context) => Promise<Response>) =>
    app.get(path, (c) => endpoints.guard(c.req.raw, () => handle(c)));
  get("/debug/profiles", (c) => endpoints.bundle(c.req.raw));
  get("/debug/vars", (c) => endpoints.vars(c.req.raw));
  get("/debug/pprof", (c) => Promise.resolve(redirectToSlash(c.req.raw)));
  get("/debug/pprof/", () => Promise.resolve(endpoints.index()));
  get("/debug/pprof/profile", (c) => endpoints.cpu(c.req.raw));
  get("/debug/pprof/trace", (c) => endpoints.trace(c.req.raw));
  get("/debug/pprof/:name", (c) => endpoints.pointInTime(c.req.raw, c.req.param("name") ?? ""));
  return app;
}

/**
 * Creates the debug endpoints as a web-standard fetch handler, for
 * `Deno.serve`, `Bun.serve`, @hono/node-server's `serve` or a worker's
 * `fetch`. Paths other than the endpoints answer `404`.
 *
 * @param adapter The runtime's profilers.
 * @param options See {@linkcode DebugRoutesOptions}.
 * @returns `(request) => Promise<Response>`.
 * @throws {TypeError} / {RangeError} For invalid options.
 * @example
 * ```ts ignore
 * import { createDebugHandler } from "./debug_routes.ts";
 * import { loadAdapter } from "../../runtimes/detect.ts";
 * Deno.serve({ hostname: "127.0.0.1", port: 6060 }, createDebugHandler(await loadAdapter()));
 * ```
 */
export function createDebugHandler(
  adapter: RuntimeAdapter,
  options?: DebugRoutesOptions,
): (request: Request) => Promise<Response> {
  const app = createDebugRoutes(adapter, options);
  app.notFound((c) => textResponse(404, `Not found: ${new URL(c.req.url).pathname}: the debug endpoints are under /debug/`));
  return async (request) => await app.fetch(request);
}

/** The endpoints' behaviour; one instance per created app. */
class DebugEndpoints {
  #adapter: RuntimeAdapter;
  #opts: ResolvedDebugOptions;
  /** Whether requests' hosts are still checked for the exposure warning. */
  #checkHosts: boolean;

  constructor(adapter: RuntimeAdapter, opts: ResolvedDebugOptions) {
    this.#adapter = adapter;
    this.#opts = opts;
    this.#checkHosts = opts.authorize === undefined && opts.hostname === undefined;
    if (opts.hostname !== undefined) this.#warnIfExposed(opts.hostname);
  }

  /** Authorization, and the one-time exposure warning, before any endpoint. */
  async guard(request: Request, handle: () => Promise<Response>): Promise<Response> {
    // Without a bind address, every request's host is checked until one
    // is not loopback: a server on 0.0.0.0 first reached as localhost
    // still warns once someone reaches it from elsewhere.
    if (this.#checkHosts) this.#warnIfExposed(new URL(request.url).host);
    const authorize = this.#opts.authorize;
    if (authorize !== undefined) {
      let verdict: boolean | Response;
      try {
        verdict = await authorize(request);
      } catch (error) {
        this.#opts.onError(error, request);
        return textResponse(500, "Cannot check authorization: the authorize hook threw");
      }
      if (verdict instanceof Response) return verdict;
      if (verdict !== true) return textResponse(403, "Forbidden: the authorize hook refused this request");
    }
    try {
      return await handle();
    } catch (error) {
      if (request.signal.aborted) return clientGone();
      this.#opts.onError(error, request);
      return textResponse(500, `Cannot serve ${new URL(request.url).pathname}: ${describeError(error)}`);
    }
  }

  #warnIfExposed(host: string): void {
    const warning = exposureWarning(host, this.#opts.authorize !== undefined);
    if (warning === undefined) return;
    this.#checkHosts = false;
    this.#opts.onWarning(warning);
  }

  /** `/debug/profiles`: one bundle, with Go autoprof's parameters. */
  async bundle(request: Request): Promise<Response> {
    const query = new URL(request.url).searchParams;
    const cpuProfileDuration = parseWaitDuration(query.get("profile"));
    const traceDuration = parseWaitDuration(query.get("trace"));
    const tooLong = this.#tooLong("profile", cpuProfileDuration) ?? this.#tooLong("trace", traceDuration);
    if (tooLong !== undefined) return tooLong;
    try {
      const { meta, bytes } = await collectBundle(this.#adapter, {
        ...this.#opts.bundle,
        cpuProfileDuration,
        traceDuration,
        signal: request.signal,
        ifBusy: this.#opts.whenBusy === "wait" ? "wait" : "reject",
        // Someone asked and is waiting: the GC budget rations periodic bundles only.
        forceHeap: true,
      });
      return downloadResponse(bytes, { fileName: bundleFileName(meta), contentType: "application/zip" });
    } catch (error) {
      if (error instanceof CaptureBusyError) return this.#busy();
      throw error;
    }
  }

  /** `/debug/pprof/profile?seconds=N`: the CPU profile alone. */
  async cpu(request: Request): Promise<Response> {
    const adapter = this.#adapter;
    const missing = unavailable(adapter.capabilities().cpu, adapter.cpu, "the runtime adapter has no CPU profiler");
    if (missing !== undefined) return textResponse(501, `Cannot profile the CPU on this runtime: ${missing}`);
    const durationMs = cpuProfileSeconds(new URL(request.url).searchParams.get("seconds"));
    const tooLong = this.#tooLong("seconds", durationMs);
    if (tooLong !== undefined) return tooLong;
    return await this.#locked(request, async () => {
      const result = await adapter.cpu!({
        durationMs,
        byteTarget: this.#opts.bundle.cpuProfileByteTarget ?? 0,
        signal: request.signal,
      });
      if (!result.ok) return textResponse(503, `Cannot profile the CPU now: ${result.skipped}`);
      return downloadResponse(result.data, { fileName: "profile" });
    });
  }

  /** `/debug/pprof/trace?seconds=N`: the trace alone. */
  async trace(request: Request): Promise<Response> {
    const adapter = this.#adapter;
    const missing = unavailable(adapter.capabilities().trace, adapter.trace, "the runtime adapter has no tracer");
    if (missing !== undefined) return textResponse(501, `Cannot trace on this runtime: ${missing}`);
    const durationMs = traceSeconds(new URL(request.url).searchParams.get("seconds"));
    const tooLong = this.#tooLong("seconds", durationMs);
    if (tooLong !== undefined) return tooLong;
    return await this.#locked(request, async () => {
      const result = await adapter.trace!({
        durationMs,
        byteTarget: this.#opts.bundle.traceByteTarget ?? 0,
        withCpuProfile: false,
        signal: request.signal,
      });
      if (!result.ok) return textResponse(503, `Cannot trace now: ${result.skipped}`);
      return downloadResponse(result.data, { fileName: "trace" });
    });
  }

  /** `/debug/pprof/heap` and the adapter's other point-in-time profiles. */
  async pointInTime(request: Request, name: string): Promise<Response> {
    const query = new URL(request.url).searchParams;
    // net/http/pprof's text form (debug=1) and delta profiles (seconds=N)
    // have no equivalent here; say so rather than serve something else.
    const debug = query.get("debug");
    if (debug !== null && (parseGoInt(debug) ?? 0n) !== 0n) {
      return textResponse(400, `Cannot serve ${name} as text (debug=${debug}): only the binary pprof form exists; read it with go tool pprof`);
    }
    if (query.has("seconds")) {
      return textResponse(400, `Cannot serve a delta ${name} profile (seconds=${query.get("seconds")}): only point-in-time profiles exist; drop seconds`);
    }
    const adapter = this.#adapter;
    let capture: (signal: AbortSignal) => Promise<Uint8Array>;
    if (name === "heap") {
      const missing = unavailable(adapter.capabilities().heap, adapter.heap, "the runtime adapter has no heap profiler");
      if (missing !== undefined) return textResponse(501, `Cannot profile the heap on this runtime: ${missing}`);
      // Asked for by name: taken now, even if a bundle would defer it.
      capture = (signal) => adapter.heap!(signal, { force: true });
    } else {
      const profile = this.#otherProfiles().find((p) => p.name === name);
      if (profile === undefined) {
        const known = ["heap", ...this.#otherProfiles().map((p) => p.name)].join(", ");
        return textResponse(404, `Unknown profile: ${name}: this runtime serves ${known}, profile and trace`);
      }
      capture = (signal) => profile.capture(signal);
    }
    // The `gc` parameter needs nothing: V8's heap snapshot collects garbage first.
    return await this.#locked(request, async () => {
      const bytes = await capture(request.signal);
      return downloadResponse(bytes, { fileName: escapeEntryName(name) });
    });
  }

  /** `/debug/vars`: expvar JSON (never blocked by a running capture). */
  async vars(request: Request): Promise<Response> {
    return jsonResponse(await renderExpvar(this.#adapter, { signal: request.signal }));
  }

  /** `/debug/pprof/`: what can be served here. */
  index(): Response {
    const adapter = this.#adapter;
    const caps = adapter.capabilities();
    const entries: IndexEntry[] = [
      {
        name: "profile",
        href: "profile?seconds=30",
        description: "CPU profile; ?seconds=N (default 30)",
        unavailable: unavailable(caps.cpu, adapter.cpu, "no CPU profiler"),
      },
      {
        name: "trace",
        href: "trace?seconds=1",
        description: "trace; ?seconds=N (default 1)",
        unavailable: unavailable(caps.trace, adapter.trace, "no tracer"),
      },
      {
        name: "heap",
        href: "heap",
        description: "live heap objects, sampled",
        unavailable: unavailable(caps.heap, adapter.heap, "no heap profiler"),
      },
      ...this.#otherProfiles().map((p) => ({
        name: p.name,
        href: encodeURIComponent(p.name),
        description: "point-in-time profile",
      })),
    ];
    return htmlResponse(renderIndexPage(entries));
  }

  #otherProfiles(): PointInTimeProfile[] {
    try {
      const list = this.#adapter.pointInTime?.() ?? [];
      return Array.isArray(list) ? list.filter((p) => typeof p?.name === "string" && p.name !== "heap") : [];
    } catch {
      return [];
    }
  }

  /** A 400 answer if `ms` exceeds the maximum, else `undefined`. */
  #tooLong(param: string, ms: number): Response | undefined {
    const max = this.#opts.maxDuration;
    if (!(ms > max)) return undefined;
    return textResponse(
      400,
      `Invalid ${param}: ${formatSeconds(ms)} is longer than the maximum of ${formatSeconds(max)} (the maxDuration option)`,
    );
  }

  #busy(): Response {
    return textResponse(
      429,
      "Cannot capture now: another capture is running in this process (an HTTP request, a periodic bundle or collect())",
      { "retry-after": String(this.#opts.retryAfter) },
    );
  }

  /** Runs `run` holding the capture lock, or answers 429 / gives up with the client. */
  async #locked(request: Request, run: () => Promise<Response>): Promise<Response> {
    let release: ReleaseCapture | undefined;
    if (this.#opts.whenBusy === "reject") {
      release = tryAcquireCapture();
      if (release === undefined) return this.#busy();
    } else {
      try {
        release = await acquireCapture(request.signal);
      } catch {
        return clientGone();
      }
    }
    try {
      return await run();
    } finally {
      release();
    }
  }
}

/** Why a part cannot be served, or `undefined` when it can. */
function unavailable(cap: Capability | undefined, method: unknown, fallback: string): string | undefined {
  if (cap !== undefined && cap.ok === false) return cap.reason;
  if (typeof method !== "function") return fallback;
  return undefined;
}

/** `/debug/pprof` → `/debug/pprof/`, wherever the routes are mounted (as Go's mux does). */
function redirectToSlash(request: Request): Response {
  const url = new URL(request.url);
  return new Response(null, { status: 301, headers: { location: `${url.pathname}/${url.search}` } });
}

/** The client disconnected; nobody reads this, but the server logs it. */
function clientGone(): Response {
  return textResponse(499, "Client closed the request");
}

function formatSeconds(ms: number): string {
  return Number.isFinite(ms) ? `${ms / 1000}s` : "infinity";
}
