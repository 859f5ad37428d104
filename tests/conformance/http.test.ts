/**
 * Conformance: the HTTP debug endpoints on a real server of each runtime
 * (Node: @hono/node-server, Deno: `Deno.serve`, Bun: `Bun.serve`, through
 * examples/serve.ts), fetched over 127.0.0.1: bundles and profiles with
 * their headers, Go's duration rules, the maximum, one capture at a time
 * (429), a client disconnect ending a capture, authorization, and
 * `go tool pprof` reading profiles straight from the server.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import process from "node:process";
import { currentMeta, debugHandler, readBundle } from "../../mod.ts";
import { isCaptureRunning, tryAcquireCapture } from "../../src/capture_lock.ts";
import { type RunningServer, serve } from "../../examples/serve.ts";
import { goPathEscape, parseRaw, type RawPprof, runningFamily } from "./_support.ts";

const caps = currentMeta().capabilities;
const MAX_DURATION_MS = 10_000;

/** Kept alive through a heap profile, which should show where it was allocated. */
class HttpRetained {
  payload: number[];
  constructor(i: number) {
    this.payload = [i, i + 1, i + 2, i + 3, i + 4, i + 5, i + 6, i + 7];
  }
}
function httpRetain(): HttpRetained[] {
  const out: HttpRetained[] = [];
  for (let i = 0; i < 200_000; i++) out.push(new HttpRetained(i));
  return out;
}

/** `go tool pprof -raw <url>`, asynchronously: the server runs in this process. */
function goPprofRawUrl(url: string): Promise<RawPprof> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "autoprof-http-pprof-"));
  return new Promise<RawPprof>((resolve, reject) => {
    execFile(
      "go",
      ["tool", "pprof", "-raw", url],
      { env: { ...process.env, PPROF_TMPDIR: dir }, maxBuffer: 256 * 1024 * 1024 },
      (error, stdout, stderr) => {
        fs.rmSync(dir, { recursive: true, force: true });
        if (error !== null) {
          const hint = (error as { code?: unknown }).code === "ENOENT"
            ? "`go` is not on PATH: install Go (scripts/test.sh apt-installs golang-go)"
            : `go tool pprof failed: ${stderr}`;
          reject(new Error(`Cannot read ${url}: ${hint}`));
          return;
        }
        resolve(parseRaw(stdout));
      },
    );
  });
}

async function bytesOf(response: Response): Promise<Uint8Array> {
  return new Uint8Array(await response.arrayBuffer());
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits for the capture lock to reach `held`, failing after `limitMs` (far beyond any expected wait). */
async function lockBecomes(held: boolean, limitMs: number): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (isCaptureRunning() !== held) {
    if (Date.now() > deadline) throw new Error(`The capture lock did not become ${held ? "held" : "free"} in ${limitMs} ms`);
    await sleep(10);
  }
}

describe("HTTP endpoints on a real server", () => {
  let server: RunningServer;
  const warnings: string[] = [];

  before(async () => {
    server = await serve(
      debugHandler({ maxDuration: MAX_DURATION_MS, retryAfter: 3, onWarning: (w) => warnings.push(w) }),
      { hostname: "127.0.0.1", port: 0 },
    );
  });
  after(async () => {
    await server.close();
  });

  it("GET /debug/profiles serves a bundle with Go autoprof's headers and the requested parts", async () => {
    const response = await fetch(`${server.url}/debug/profiles?profile=0.3s&trace=0.2s`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-type"), "application/zip");
    const { meta, names } = readBundle(await bytesOf(response));
    const main = meta.main === "" ? "." : meta.main.replace(/\/+$/, "").split("/").pop() || "/";
    assert.equal(
      response.headers.get("content-disposition"),
      `attachment; filename="profile_${goPathEscape(main)}_${goPathEscape(meta.proc_id)}_${goPathEscape(meta.capture_time)}.zip"`,
    );
    for (const [part, entry] of [["cpu", "pprof/profile"], ["trace", "pprof/trace"], ["heap", "pprof/heap"]] as const) {
      const cap = caps[part];
      if (cap?.ok) assert.ok(names.includes(entry), `${entry} missing: ${JSON.stringify(meta.skipped)} ${JSON.stringify(meta.errors)}`);
      else assert.equal(meta.skipped?.[part], cap?.reason, `${part} is declared unavailable, so it is skipped with that reason`);
    }
    assert.deepEqual(warnings, [], "a loopback server does not warn");
  });

  it("GET /debug/profiles ignores durations that are not <float>s and refuses ones above the maximum", async () => {
    for (const bad of ["5", "5ms", "-1s", "abc"]) {
      const response = await fetch(`${server.url}/debug/profiles?profile=${bad}&trace=${bad}`);
      assert.equal(response.status, 200, bad);
      const { names, meta } = readBundle(await bytesOf(response));
      assert.ok(!names.includes("pprof/profile") && !names.includes("pprof/trace"), bad);
      assert.equal(meta.skipped?.cpu, undefined, bad);
    }
    const tooLong = await fetch(`${server.url}/debug/profiles?profile=10.5s`);
    assert.equal(tooLong.status, 400);
    assert.match(await tooLong.text(), /longer than the maximum of 10s/);
    const defaultTooLong = await fetch(`${server.url}/debug/pprof/profile`);
    assert.equal(defaultTooLong.status, 400, "net/http/pprof's default of 30 s is above this server's maximum");
    assert.match(await defaultTooLong.text(), /30s is longer than the maximum/);
  });

  it("GET /debug/pprof/heap is a pprof download that go tool pprof reads from the server", async () => {
    const response = await fetch(`${server.url}/debug/pprof/heap`);
    if (!caps.heap?.ok) {
      assert.equal(response.status, 501);
      assert.match(await response.text(), new RegExp(escapeRegExp(caps.heap?.reason ?? "no heap profiler")));
      return;
    }
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-type"), "application/octet-stream");
    assert.equal(response.headers.get("content-disposition"), 'attachment; filename="heap"');
    const body = await bytesOf(response);
    assert.deepEqual([...body.subarray(0, 2)], [0x1f, 0x8b], "gzipped");
    // Allocated after the sampler runs (the request above started it if no
    // one had) and kept alive until go tool pprof has read the profile.
    const retained = httpRetain();
    const raw = await goPprofRawUrl(`${server.url}/debug/pprof/heap`);
    if (runningFamily() === "bun") {
      // Bun's heap is live-object statistics, not a sampling profile.
      assert.deepEqual(raw.sampleTypes, ["live_objects/count"]);
      assert.ok(raw.totals[0]! >= retained.length, `live objects ${raw.totals[0]} < ${retained.length} retained`);
    } else {
      assert.deepEqual(raw.sampleTypes, ["inuse_objects/count", "inuse_space/bytes"]);
      assert.match(raw.text, /httpRetain/, "the retained allocation site is missing from the served heap profile");
    }
    assert.equal(retained.length, 200_000);
  });

  it("GET /debug/pprof/profile?seconds=1 is a CPU profile that go tool pprof reads", async () => {
    if (!caps.cpu?.ok) {
      const response = await fetch(`${server.url}/debug/pprof/profile?seconds=1`);
      assert.equal(response.status, 501);
      assert.match(await response.text(), new RegExp(escapeRegExp(caps.cpu?.reason ?? "no CPU profiler")));
      return;
    }
    const raw = await goPprofRawUrl(`${server.url}/debug/pprof/profile?seconds=1`);
    assert.ok(raw.sampleTypes.some((t) => /^(samples\/count|cpu\/nanoseconds)$/.test(t)), raw.sampleTypes.join(" "));
    assert.equal(raw.periodType, "cpu nanoseconds");
  });

  it("GET /debug/pprof/trace serves a trace, or 501 with the runtime's reason", async () => {
    const response = await fetch(`${server.url}/debug/pprof/trace?seconds=0.2`);
    if (!caps.trace?.ok) {
      assert.equal(response.status, 501);
      assert.match(await response.text(), new RegExp(escapeRegExp(caps.trace?.reason ?? "no tracer")));
      return;
    }
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-disposition"), 'attachment; filename="trace"');
    assert.ok((await bytesOf(response)).length > 0);
  });

  it("GET /debug/vars is expvar JSON and /debug/pprof/ lists the profiles", async () => {
    const vars = await fetch(`${server.url}/debug/vars`);
    assert.equal(vars.headers.get("content-type"), "application/json; charset=utf-8");
    const doc = JSON.parse(await vars.text()) as Record<string, unknown>;
    assert.equal(typeof doc.runtime, "object");
    const index = await fetch(`${server.url}/debug/pprof/`);
    assert.equal(index.status, 200);
    const html = await index.text();
    assert.ok(html.includes('href="heap"') === (caps.heap?.ok === true), "heap is linked exactly when available");
  });

  it("a second capture gets 429 with Retry-After while a periodic-style capture holds the lock", async () => {
    const release = tryAcquireCapture();
    assert.ok(release, "no capture should be running between tests");
    try {
      for (const p of ["/debug/profiles", "/debug/pprof/heap", "/debug/pprof/profile?seconds=1", "/debug/pprof/trace"]) {
        const response = await fetch(`${server.url}${p}`);
        const expected = p.includes("trace") && !caps.trace?.ok ? 501 : 429;
        assert.equal(response.status, expected, p);
        if (expected === 429) assert.equal(response.headers.get("retry-after"), "3", p);
        await response.body?.cancel();
      }
      assert.equal(isCaptureRunning(), true, "the holder keeps the lock");
    } finally {
      release();
    }
  });
});

describe("HTTP captures one at a time", () => {
  it(
    caps.cpu?.ok
      ? "concurrent HTTP captures: the second gets 429, and a client disconnect ends the first and frees the lock"
      : "without a CPU profiler /debug/pprof/profile answers 501 and holds nothing",
    async () => {
      // A long maximum, so the first capture would hold the lock for 100 s
      // if the disconnect did not end it.
      const server = await serve(debugHandler({ maxDuration: 120_000, retryAfter: 3 }), { port: 0 });
      try {
        if (!caps.cpu?.ok) {
          const response = await fetch(`${server.url}/debug/pprof/profile?seconds=5`);
          assert.equal(response.status, 501);
          assert.equal(isCaptureRunning(), false);
          return;
        }
        const client = new AbortController();
        const first = fetch(`${server.url}/debug/pprof/profile?seconds=100`, { signal: client.signal });
        first.catch(() => {}); // rejected by the abort below
        await lockBecomes(true, 30_000);
        const second = await fetch(`${server.url}/debug/profiles?profile=1s`);
        assert.equal(second.status, 429);
        assert.equal(second.headers.get("retry-after"), "3");
        await second.body?.cancel();
        client.abort();
        await assert.rejects(first);
        // Without the disconnect the lock would be held for 100 s.
        await lockBecomes(false, 30_000);
        // The profiler itself stopped: a new CPU profile can start at once.
        const next = await fetch(`${server.url}/debug/pprof/profile?seconds=1`);
        assert.equal(next.status, 200, await next.clone().text());
        await next.body?.cancel();
      } finally {
        await server.close();
      }
    },
  );
});

describe("HTTP endpoints with authorize", () => {
  it("authorize refuses or admits each request on a real server", async () => {
    const server = await serve(
      debugHandler({ authorize: (req) => req.headers.get("authorization") === "Bearer s3cret" }),
      { port: 0 },
    );
    try {
      const refused = await fetch(`${server.url}/debug/pprof/heap`);
      assert.equal(refused.status, 403);
      await refused.body?.cancel();
      const admitted = await fetch(`${server.url}/debug/vars`, { headers: { authorization: "Bearer s3cret" } });
      assert.equal(admitted.status, 200);
      await admitted.body?.cancel();
    } finally {
      await server.close();
    }
  });

  it("a server reached on a non-loopback host without authorize warns once", async () => {
    const warnings: string[] = [];
    const server = await serve(debugHandler({ onWarning: (w) => warnings.push(w) }), { port: 0 });
    try {
      // The Host header names the host the client used: a request whose
      // Host is a public address stands in for a remote client.
      for (let i = 0; i < 2; i++) {
        assert.equal(await getWithHost(server.port, "/debug/vars", `192.0.2.10:${server.port}`), 200);
      }
      assert.equal(warnings.length, 1, warnings.join("\n"));
      assert.match(warnings[0]!, /192\.0\.2\.10/);
    } finally {
      await server.close();
    }
  });
});

/** A GET to 127.0.0.1 with a chosen Host header (fetch may not set Host). */
function getWithHost(port: number, pathname: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: "127.0.0.1", port, path: pathname, headers: { host } }, (response) => {
      response.resume();
      response.on("end", () => resolve(response.statusCode ?? 0));
    });
    request.on("error", reject);
  });
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
