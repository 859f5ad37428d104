/**
 * The local bundle viewer (`autoprof view`): a hono app that serves one
 * page and a small JSON API over a bundle store. Profiles are turned into
 * flame graph trees and traces into timeline lanes on the server, so the
 * browser needs no protobuf or gzip code and nothing from a CDN.
 *
 * Only bundles from the listing can be opened (a `key` parameter is never
 * used as a path), and requests must name a loopback host, so a web page
 * elsewhere cannot read profiles through DNS rebinding.
 *
 * @module
 */
import { Hono } from "hono";
import type { Context } from "hono";
import { type Bundle, readBundle } from "../read_bundle.ts";
import { describeError } from "../errors.ts";
import { TRACE } from "../names.ts";
import { summarizeBundles } from "../cli/bundle_summary.ts";
import { decodeEntryProfile, isGzip, isPprofEntry, partsLabel } from "../cli/entry_info.ts";
import { gunzipLimited } from "../cli/gunzip_limited.ts";
import type { BundleStore, StoredBundle } from "../cli/store.ts";
import { flameTree } from "./flame_tree.ts";
import { viewerPage } from "./page.ts";
import { clientScript } from "./client.ts";
import { traceLanes } from "./trace_lanes.ts";

/** Options for {@linkcode viewerApp}. */
export interface ViewerOptions {
  /** Where bundles are read from. */
  store: BundleStore;
  /** The bundles to offer (a listing, or one bundle). Called once, then cached. */
  bundles: () => Promise<StoredBundle[]>;
  /**
   * Host names requests may carry in `Host`, besides loopback names.
   * @default {[]}
   */
  allowedHosts?: string[];
  /**
   * Largest decompressed trace accepted, in bytes.
   * @default {268435456 (256 MiB)}
   */
  maxTraceBytes?: number;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);
const CSP = "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; frame-ancestors 'none'";

/**
 * Makes the viewer app.
 *
 * @param options The store and its bundles.
 * @returns A hono app; serve its `fetch` on a loopback address.
 * @example
 * ```ts ignore
 * import { viewerApp } from "./app.ts";
 * const app = viewerApp({ store, bundles: () => store.list({}) });
 * Deno.serve({ hostname: "127.0.0.1", port: 7777 }, app.fetch);
 * ```
 */
export function viewerApp(options: ViewerOptions): Hono {
  const { store } = options;
  const allowedHosts = new Set([...LOOPBACK, ...(options.allowedHosts ?? [])]);
  const maxTrace = options.maxTraceBytes ?? 256 * 1024 * 1024;
  let listing: Promise<Map<string, StoredBundle>> | undefined;
  const listed = () =>
    listing ??= options.bundles().then((list) => new Map(list.map((b) => [b.key, b]))).catch((e) => {
      listing = undefined;
      throw e;
    });
  let summaries: Promise<unknown[]> | undefined;
  // A few recently opened bundles: the page asks for several entries of one.
  const cache = new Map<string, Promise<Bundle>>();
  const open = async (key: string | undefined): Promise<Bundle> => {
    if (key === undefined || !(await listed()).has(key)) throw new NotFound(`No such bundle: ${JSON.stringify(key ?? "")}`);
    let b = cache.get(key);
    if (b === undefined) {
      b = store.read(key).then((bytes) => readBundle(bytes));
      b.catch(() => cache.delete(key));
      cache.set(key, b);
      if (cache.size > 8) cache.delete(cache.keys().next().value!);
    }
    return await b;
  };
  const entryOf = (bundle: Bundle, name: string | undefined): Uint8Array => {
    const bytes = name === undefined ? undefined : bundle.entries.get(name);
    if (bytes === undefined) throw new NotFound(`No such entry: ${JSON.stringify(name ?? "")}`);
    return bytes;
  };

  const app = new Hono();
  app.use("*", async (c, next) => {
    const host = new URL(c.req.url).hostname;
    if (!allowedHosts.has(host) && !allowedHosts.has(`[${host}]`)) {
      return c.text(`Forbidden host: ${host} (the viewer answers loopback names only)`, 403);
    }
    await next();
    c.header("Content-Security-Policy", CSP);
    c.header("X-Content-Type-Options", "nosniff");
    c.header("Referrer-Policy", "no-referrer");
  });
  app.onError((e, c) => {
    if (e instanceof NotFound) return c.text(e.message, 404);
    if (e instanceof RangeError && /Invalid sample type/.test(e.message)) return c.text(e.message, 400);
    return c.text(describeError(e), 500);
  });

  app.get("/", (c) => c.html(viewerPage(store.location)));
  app.get("/app.js", (c) => {
    c.header("Content-Type", "text/javascript; charset=utf-8");
    return c.body(clientScript());
  });
  app.get("/api/bundles", async (c) => {
    summaries ??= listed().then(async (map) => {
      const rows = await summarizeBundles(store, [...map.values()]);
      return rows.map((r) => ({
        key: r.bundle.key,
        size: r.bundle.size,
        capture_time: r.meta?.capture_time ?? r.bundle.parts.captureTime,
        main: r.meta?.main ?? r.bundle.parts.main,
        hostname: r.meta?.hostname ?? r.bundle.parts.hostname,
        runtime: r.meta?.runtime,
        runtime_version: r.meta?.runtime_version,
        parts: r.names === undefined ? undefined : partsLabel(r.names),
        error: r.error,
      })).sort((a, b) => (a.capture_time < b.capture_time ? -1 : a.capture_time > b.capture_time ? 1 : 0));
    }).catch((e) => {
      summaries = undefined;
      throw e;
    });
    return c.json({ location: store.location, bundles: await summaries });
  });
  app.get("/api/bundle", async (c) => {
    const bundle = await open(c.req.query("key"));
    return c.json({
      meta: bundle.meta,
      entries: bundle.names.map((name) => ({
        name,
        size: bundle.entries.get(name)!.length,
        kind: name === TRACE ? "trace" : isPprofEntry(name) ? "pprof" : name === "meta" || name === "expvar" ? "json" : "data",
      })),
    });
  });
  app.get("/api/flame", async (c) => {
    const bundle = await open(c.req.query("key"));
    const name = c.req.query("entry");
    if (name === undefined || !isPprofEntry(name)) throw new NotFound(`Not a pprof entry: ${JSON.stringify(name ?? "")}`);
    const profile = await decodeEntryProfile(entryOf(bundle, name));
    const type = c.req.query("type");
    return c.json(flameTree(profile, { sampleType: type === undefined ? undefined : Number(type) }));
  });
  app.get("/api/trace", async (c) => {
    const bundle = await open(c.req.query("key"));
    const bytes = entryOf(bundle, c.req.query("entry") ?? TRACE);
    const text = new TextDecoder().decode(isGzip(bytes) ? gunzipLimited(bytes, maxTrace) : bytes);
    return c.json(traceLanes(JSON.parse(text)));
  });
  app.get("/api/raw", async (c) => {
    const key = c.req.query("key");
    await open(key);
    const name = key!.slice(key!.lastIndexOf("/") + 1).replace(/[^\w.-]/g, "_");
    return download(c, await store.read(key!), name);
  });
  return app;
}

function download(c: Context, bytes: Uint8Array, name: string): Response {
  c.header("Content-Type", "application/zip");
  c.header("Content-Disposition", `attachment; filename="${name}"`);
  return c.body(bytes as Uint8Array<ArrayBuffer>);
}

class NotFound extends Error {}
