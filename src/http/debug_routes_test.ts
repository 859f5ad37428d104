import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Hono } from "hono";
import type { CpuCaptureOptions, HeapCaptureOptions, RuntimeAdapter, TraceCaptureOptions } from "../types.ts";
import { PartSkippedError } from "../errors.ts";
import { acquireCapture, isCaptureRunning, tryAcquireCapture } from "../capture_lock.ts";
import { readBundle } from "../read_bundle.ts";
import { publish, unpublish } from "../expvar.ts";
import type { DebugRoutesOptions } from "./debug_options.ts";
import { createDebugHandler, createDebugRoutes } from "./debug_routes.ts";

const HEAP_BYTES = new Uint8Array([0x1f, 0x8b, 1, 2, 3]);
const ALLOCS_BYTES = new Uint8Array([0x1f, 0x8b, 4, 5]);
const CPU_BYTES = new Uint8Array([0x1f, 0x8b, 6]);
const TRACE_BYTES = new TextEncoder().encode('{"traceEvents":[]}');
const BASE = "http://127.0.0.1:6060";

/** Lets queued promise callbacks and timers run. */
const settle = () => new Promise((r) => setTimeout(r, 5));

interface Calls {
  cpu: CpuCaptureOptions[];
  trace: TraceCaptureOptions[];
  heap: number;
}

function fakeAdapter(overrides: Partial<RuntimeAdapter> = {}): { adapter: RuntimeAdapter; calls: Calls } {
  const calls: Calls = { cpu: [], trace: [], heap: 0 };
  const adapter: RuntimeAdapter = {
    runtime: "other",
    runtimeVersion: "test",
    capabilities: () => ({
      heap: { ok: true },
      cpu: { ok: true },
      trace: { ok: false, reason: "the fake runtime has no tracer" },
      point_in_time: { ok: true },
    }),
    processInfo: () => ({ pid: 42, hostname: "test-host", main: "/srv/fake app/main.js", revision: "r1" }),
    stats: () => ({ rss: 1 }),
    heap: () => {
      calls.heap++;
      return Promise.resolve(HEAP_BYTES);
    },
    pointInTime: () => [{ name: "allocs", capture: () => Promise.resolve(ALLOCS_BYTES) }],
    cpu: (options) => {
      calls.cpu.push(options);
      return Promise.resolve({ ok: true, data: CPU_BYTES });
    },
    ...overrides,
  };
  return { adapter, calls };
}

function handlerFor(overrides: Partial<RuntimeAdapter> = {}, options: DebugRoutesOptions = {}) {
  const { adapter, calls } = fakeAdapter(overrides);
  const handler = createDebugHandler(adapter, { onWarning: () => {}, onError: () => {}, ...options });
  const get = (path: string, init?: RequestInit) => handler(new Request(`${BASE}${path}`, init));
  return { get, calls, handler };
}

async function bytesOf(response: Response): Promise<Uint8Array> {
  return new Uint8Array(await response.arrayBuffer());
}

/** Takes the capture lock for a test, as a periodic bundle would. */
function holdLock(): () => void {
  const release = tryAcquireCapture();
  assert.ok(release, "the capture lock should be free at the start of each test");
  return release;
}

describe("debug routes", () => {
  it("/debug/profiles serves a bundle named like Go autoprof's, with the requested CPU profile", async () => {
    const { get, calls } = handlerFor();
    const response = await get("/debug/profiles?profile=1.5s");
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-type"), "application/zip");
    const { meta, names } = readBundle(await bytesOf(response));
    assert.equal(
      response.headers.get("content-disposition"),
      `attachment; filename="profile_main.js_${meta.proc_id}_${meta.capture_time}.zip"`,
    );
    assert.deepEqual(names, ["meta", "expvar", "pprof/heap", "pprof/allocs", "pprof/profile"]);
    assert.equal(calls.cpu.length, 1);
    assert.equal(calls.cpu[0]!.durationMs, 1500);
    assert.equal(isCaptureRunning(), false);
  });

  it("/debug/profiles treats durations that are not <float>s as 0, like Go", async () => {
    const { get, calls } = handlerFor();
    for (const bad of ["5", "5ms", "-1s", "abc", "", "1e400s"]) {
      const response = await get(`/debug/profiles?profile=${encodeURIComponent(bad)}&trace=${encodeURIComponent(bad)}`);
      assert.equal(response.status, 200, bad);
      const { names, meta } = readBundle(await bytesOf(response));
      assert.ok(!names.includes("pprof/profile"), bad);
      assert.equal(meta.skipped, undefined, `${bad}: nothing was requested, so nothing is skipped`);
    }
    assert.equal(calls.cpu.length, 0);
  });

  it("/debug/profiles answers 400 for a duration above maxDuration, before capturing anything", async () => {
    const { get, calls } = handlerFor({}, { maxDuration: 10_000 });
    for (const query of ["profile=11s", "trace=10.5s", "profile=infs", "profile=1s&trace=60s"]) {
      const response = await get(`/debug/profiles?${query}`);
      assert.equal(response.status, 400, query);
      assert.match(await response.text(), /longer than the maximum of 10s \(the maxDuration option\)/);
    }
    assert.equal(calls.cpu.length + calls.heap, 0);
    assert.equal((await get("/debug/profiles?profile=10s")).status, 200, "the maximum itself is allowed");
  });

  it("a capture request gets 429 with Retry-After while another capture runs, and leaves it alone", async () => {
    const { get, calls } = handlerFor({}, { retryAfter: 7 });
    const release = holdLock();
    try {
      for (const path of ["/debug/profiles", "/debug/pprof/profile?seconds=1", "/debug/pprof/heap", "/debug/pprof/allocs"]) {
        const response = await get(path);
        assert.equal(response.status, 429, path);
        assert.equal(response.headers.get("retry-after"), "7", path);
        assert.match(await response.text(), /another capture is running/);
      }
      assert.equal(calls.cpu.length + calls.heap, 0, "no profiler was started");
      assert.equal(isCaptureRunning(), true, "the other capture still holds the lock");
      assert.equal((await get("/debug/vars")).status, 200, "expvar is not a capture");
      assert.equal((await get("/debug/pprof/")).status, 200, "the index is not a capture");
    } finally {
      release();
    }
    assert.equal((await get("/debug/pprof/heap")).status, 200);
  });

  it("with whenBusy: \"wait\" a request queues behind the running capture", async () => {
    const { get, calls } = handlerFor({}, { whenBusy: "wait" });
    const release = holdLock();
    const pending = [get("/debug/pprof/profile?seconds=1"), get("/debug/profiles?profile=2s")];
    await settle();
    assert.equal(calls.cpu.length, 0, "nothing starts while the lock is held");
    release();
    const [profile, bundle] = await Promise.all(pending);
    assert.equal(profile!.status, 200);
    assert.equal(bundle!.status, 200);
    assert.deepEqual(calls.cpu.map((c) => c.durationMs), [1000, 2000], "served in arrival order");
    assert.equal(isCaptureRunning(), false);
  });

  it("a waiting request whose client goes away gives up without taking the lock", async () => {
    const { get, calls } = handlerFor({}, { whenBusy: "wait" });
    const release = holdLock();
    try {
      const client = new AbortController();
      const pending = get("/debug/pprof/profile?seconds=1", { signal: client.signal });
      const pendingBundle = get("/debug/profiles", { signal: client.signal });
      await settle();
      client.abort();
      assert.equal((await pending).status, 499);
      assert.equal((await pendingBundle).status, 499);
      assert.equal(calls.cpu.length + calls.heap, 0);
      assert.equal(tryAcquireCapture(), undefined, "the test still holds the lock");
    } finally {
      release();
    }
    assert.equal(isCaptureRunning(), false);
  });

  it("a client disconnect ends a running CPU profile and frees the lock", async () => {
    let stopped: AbortSignal | undefined;
    const { get } = handlerFor({
      cpu: ({ signal }) =>
        new Promise((resolve) => {
          signal.addEventListener("abort", () => {
            stopped = signal;
            resolve({ ok: true, data: CPU_BYTES });
          });
        }),
    });
    const client = new AbortController();
    const pending = get("/debug/pprof/profile?seconds=60", { signal: client.signal });
    await settle();
    assert.equal(isCaptureRunning(), true);
    client.abort();
    await pending;
    assert.equal(stopped?.aborted, true, "the profiler saw the abort");
    assert.equal(isCaptureRunning(), false);
  });

  it("a client disconnect ends a bundle's CPU profile early; the bundle is still complete and the lock freed", async () => {
    const { get } = handlerFor({
      cpu: ({ signal }) =>
        new Promise((resolve) => signal.addEventListener("abort", () => resolve({ ok: true, data: CPU_BYTES }))),
    });
    const client = new AbortController();
    const pending = get("/debug/profiles?profile=60s", { signal: client.signal });
    await settle();
    assert.equal(isCaptureRunning(), true);
    client.abort();
    const response = await pending;
    assert.equal(response.status, 200);
    assert.ok(readBundle(await bytesOf(response)).names.includes("pprof/profile"));
    assert.equal(isCaptureRunning(), false);
  });

  it("/debug/pprof/profile reads seconds like net/http/pprof (default 30) and serves the CPU profile alone", async () => {
    const { get, calls } = handlerFor({}, { maxDuration: 40_000 });
    const response = await get("/debug/pprof/profile?seconds=5");
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-type"), "application/octet-stream");
    assert.equal(response.headers.get("content-disposition"), 'attachment; filename="profile"');
    assert.deepEqual(await bytesOf(response), CPU_BYTES);
    for (const seconds of ["", "abc", "-3", "1.5"]) {
      assert.equal((await get(`/debug/pprof/profile?seconds=${seconds}`)).status, 200);
    }
    assert.deepEqual(calls.cpu.map((c) => c.durationMs), [5000, 30_000, 30_000, 30_000, 30_000]);
    assert.ok(calls.cpu.every((c) => c.byteTarget === 0));
  });

  it("/debug/pprof/profile answers 400 when the (default) duration is above maxDuration", async () => {
    const { get, calls } = handlerFor({}, { maxDuration: 10_000 });
    const response = await get("/debug/pprof/profile");
    assert.equal(response.status, 400);
    assert.match(await response.text(), /Invalid seconds: 30s is longer than the maximum of 10s/);
    assert.equal(calls.cpu.length, 0);
  });

  it("/debug/pprof/profile answers 503 when the runtime's profiler is in use elsewhere", async () => {
    const { get } = handlerFor({ cpu: () => Promise.resolve({ ok: false, skipped: "another CPU profile is running" }) });
    const response = await get("/debug/pprof/profile?seconds=1");
    assert.equal(response.status, 503);
    assert.match(await response.text(), /Cannot profile the CPU now: another CPU profile is running/);
  });

  it("/debug/pprof/trace answers 501 with the runtime's reason when it cannot trace", async () => {
    const { get } = handlerFor();
    const response = await get("/debug/pprof/trace?seconds=1");
    assert.equal(response.status, 501);
    assert.match(await response.text(), /Cannot trace on this runtime: the fake runtime has no tracer/);
  });

  it("/debug/pprof/trace serves the trace alone, 1 s by default", async () => {
    const traces: TraceCaptureOptions[] = [];
    const { get } = handlerFor({
      capabilities: () => ({ trace: { ok: true } }),
      trace: (options) => {
        traces.push(options);
        return Promise.resolve({ ok: true, data: TRACE_BYTES });
      },
    });
    const response = await get("/debug/pprof/trace");
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-disposition"), 'attachment; filename="trace"');
    assert.deepEqual(await bytesOf(response), TRACE_BYTES);
    assert.equal((await get("/debug/pprof/trace?seconds=0.25")).status, 200);
    assert.deepEqual(traces.map((t) => [t.durationMs, t.withCpuProfile]), [[1000, false], [250, false]]);
  });

  it("/debug/pprof/heap and other point-in-time profiles are served by name", async () => {
    const { get } = handlerFor();
    const heap = await get("/debug/pprof/heap?gc=1");
    assert.equal(heap.status, 200);
    assert.equal(heap.headers.get("content-type"), "application/octet-stream");
    assert.equal(heap.headers.get("content-disposition"), 'attachment; filename="heap"');
    assert.deepEqual(await bytesOf(heap), HEAP_BYTES);
    const allocs = await get("/debug/pprof/allocs?debug=0");
    assert.equal(allocs.status, 200);
    assert.deepEqual(await bytesOf(allocs), ALLOCS_BYTES);
    const unknown = await get("/debug/pprof/goroutine");
    assert.equal(unknown.status, 404);
    assert.match(await unknown.text(), /Unknown profile: goroutine: this runtime serves heap, allocs, profile and trace/);
  });

  it("point-in-time profiles refuse the text form and delta profiles with 400", async () => {
    const { get, calls } = handlerFor();
    const text = await get("/debug/pprof/heap?debug=1");
    assert.equal(text.status, 400);
    assert.match(await text.text(), /debug=1/);
    const delta = await get("/debug/pprof/allocs?seconds=10");
    assert.equal(delta.status, 400);
    assert.match(await delta.text(), /delta allocs profile/);
    assert.equal(calls.heap, 0);
  });

  it("explicit requests take the heap profile even when the adapter's GC budget would defer it", async () => {
    const asked: Array<HeapCaptureOptions | undefined> = [];
    const { get } = handlerFor({
      heap: (_signal, options) => {
        asked.push(options);
        return options?.force ? Promise.resolve(HEAP_BYTES) : Promise.reject(new PartSkippedError("deferred by the GC budget"));
      },
    });
    const heap = await get("/debug/pprof/heap");
    assert.equal(heap.status, 200);
    assert.deepEqual(await bytesOf(heap), HEAP_BYTES);
    const bundle = readBundle(await bytesOf(await get("/debug/profiles")));
    assert.ok(bundle.names.includes("pprof/heap"));
    assert.equal(bundle.meta.skipped, undefined);
    assert.deepEqual(asked, [{ force: true }, { force: true }]);
  });

  it("/debug/pprof/heap answers 501 with the reason when the runtime has no heap profiler", async () => {
    const { get } = handlerFor({ capabilities: () => ({ heap: { ok: false, reason: "no inspector" } }) });
    const response = await get("/debug/pprof/heap");
    assert.equal(response.status, 501);
    assert.match(await response.text(), /no inspector/);
  });

  it("a profiler that throws is answered 500 and reported to onError; the lock is freed", async () => {
    const errors: unknown[] = [];
    const { get } = handlerFor({ heap: () => Promise.reject(new Error("inspector crashed")) }, {
      onError: (e) => errors.push(e),
    });
    const response = await get("/debug/pprof/heap");
    assert.equal(response.status, 500);
    assert.match(await response.text(), /Cannot serve \/debug\/pprof\/heap: Error: inspector crashed/);
    assert.equal(errors.length, 1);
    assert.equal(isCaptureRunning(), false);
  });

  it("/debug/vars serves expvar JSON with Go's content type", async () => {
    const { get } = handlerFor();
    publish("http_test_var", () => 7);
    try {
      const response = await get("/debug/vars");
      assert.equal(response.status, 200);
      assert.equal(response.headers.get("content-type"), "application/json; charset=utf-8");
      const doc = JSON.parse(await response.text()) as Record<string, unknown>;
      assert.equal(doc.http_test_var, 7);
      assert.deepEqual(doc.runtime, { rss: 1 });
    } finally {
      unpublish("http_test_var");
    }
  });

  it("/debug/pprof/ lists what this runtime can serve, and why not the rest", async () => {
    const { get } = handlerFor();
    const response = await get("/debug/pprof/");
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /^text\/html/);
    const html = await response.text();
    for (const href of ["profile?seconds=30", "heap", "allocs", "../profiles?profile=5s", "../vars"]) {
      assert.ok(html.includes(`href="${href}"`), href);
    }
    assert.ok(!html.includes('href="trace'), "trace is not linked");
    assert.match(html, /trace: .*unavailable: the fake runtime has no tracer/);
    const redirect = await get("/debug/pprof?x=1");
    assert.equal(redirect.status, 301);
    assert.equal(redirect.headers.get("location"), "/debug/pprof/?x=1");
  });

  it("authorize decides: true serves, false is 403, a Response is sent as is, a throw is 500", async () => {
    const seen: string[] = [];
    const { get } = handlerFor({}, {
      authorize: (request) => {
        const token = request.headers.get("authorization");
        seen.push(new URL(request.url).pathname);
        if (token === "Bearer good") return true;
        if (token === "Bearer async") return Promise.resolve(true);
        if (token === "Bearer throw") throw new Error("token store down");
        if (token === null) {
          return new Response("who are you?", { status: 401, headers: { "www-authenticate": "Bearer" } });
        }
        return false;
      },
    });
    const auth = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });
    assert.equal((await get("/debug/pprof/heap", auth("good"))).status, 200);
    assert.equal((await get("/debug/vars", auth("async"))).status, 200);
    const forbidden = await get("/debug/pprof/heap", auth("bad"));
    assert.equal(forbidden.status, 403);
    assert.match(await forbidden.text(), /Forbidden/);
    const challenge = await get("/debug/profiles");
    assert.equal(challenge.status, 401);
    assert.equal(challenge.headers.get("www-authenticate"), "Bearer");
    assert.equal((await get("/debug/pprof/", auth("throw"))).status, 500);
    assert.deepEqual(seen, ["/debug/pprof/heap", "/debug/vars", "/debug/pprof/heap", "/debug/profiles", "/debug/pprof/"]);
  });

  it("a refused request never reaches a profiler", async () => {
    const { get, calls } = handlerFor({}, { authorize: () => false });
    for (const path of ["/debug/profiles?profile=1s", "/debug/pprof/profile", "/debug/pprof/heap", "/debug/pprof/allocs"]) {
      assert.equal((await get(path)).status, 403, path);
    }
    assert.equal(calls.cpu.length + calls.heap, 0);
  });

  it("warns once when reached on a non-loopback host without authorize", async () => {
    const warnings: string[] = [];
    const { adapter } = fakeAdapter();
    const handler = createDebugHandler(adapter, { onWarning: (w) => warnings.push(w) });
    await handler(new Request("http://localhost:6060/debug/vars"));
    await handler(new Request("http://127.0.0.1:6060/debug/vars"));
    assert.deepEqual(warnings, []);
    await handler(new Request("http://10.1.2.3:6060/debug/vars"));
    await handler(new Request("http://app.example.com/debug/vars"));
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /"10\.1\.2\.3:6060".*authorize/);
  });

  it("warns at creation for a non-loopback hostname hint, and never with authorize", async () => {
    const { adapter } = fakeAdapter();
    const warnings: string[] = [];
    const handler = createDebugHandler(adapter, { hostname: "0.0.0.0", onWarning: (w) => warnings.push(w) });
    assert.equal(warnings.length, 1);
    await handler(new Request("http://10.1.2.3/debug/vars"));
    assert.equal(warnings.length, 1);
    const quiet: string[] = [];
    const guarded = createDebugHandler(adapter, { hostname: "0.0.0.0", authorize: () => true, onWarning: (w) => quiet.push(w) });
    await guarded(new Request("http://10.1.2.3/debug/vars"));
    const local = createDebugHandler(adapter, { hostname: "127.0.0.1", onWarning: (w) => quiet.push(w) });
    await local(new Request("http://10.1.2.3/debug/vars"));
    assert.deepEqual(quiet, [], "authorize set, or a loopback bind address: no warning");
  });

  it("debugRoutes mounts into a host app without guarding the host's own routes", async () => {
    const { adapter } = fakeAdapter();
    const app = new Hono();
    app.get("/api/hello", (c) => c.text("hello"));
    app.route("/admin", createDebugRoutes(adapter, { authorize: () => false }));
    app.route("/", createDebugRoutes(adapter, { authorize: (r) => r.headers.has("x-ok") }));
    assert.equal((await app.request("/api/hello")).status, 200);
    assert.equal((await app.request("/admin/debug/vars")).status, 403);
    assert.equal((await app.request("/debug/vars", { headers: { "x-ok": "1" } })).status, 200);
    assert.equal((await app.request("/debug/vars")).status, 403);
    const redirect = await app.request("/admin/debug/pprof", { headers: { "x-ok": "1" } });
    assert.equal(redirect.status, 403, "the /admin copy refuses everyone");
  });

  it("debugHandler answers 404 outside /debug/", async () => {
    const { get } = handlerFor();
    const response = await get("/metrics");
    assert.equal(response.status, 404);
    assert.match(await response.text(), /under \/debug\//);
  });

  it("a capture lock taken by the test is respected even with acquireCapture waiters queued", async () => {
    const { get } = handlerFor();
    const release = holdLock();
    const waiter = acquireCapture();
    release();
    // The waiter owns the lock now: an HTTP capture must not jump the queue.
    assert.equal((await get("/debug/pprof/heap")).status, 429);
    (await waiter)();
    assert.equal((await get("/debug/pprof/heap")).status, 200);
  });
});
