// Retry, backoff and queue behaviour of the S3 sink against a scripted
// fetch. The same sink against a real S3 server: s3_test.ts.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Meta } from "../types.ts";
import { S3Error, s3Sink, type S3SinkOptions } from "./s3.ts";

function meta(n: number): Meta {
  return {
    format_version: 1,
    main: "api",
    revision: "1",
    runtime: "node",
    runtime_version: "v24.0.0",
    hostname: "h",
    proc_id: "p",
    init_time: "2026-11-25T01:00:00.000Z",
    capture_time: `2026-11-25T02:00:0${n}.000Z`,
    capabilities: {},
  };
}

type Reply = number | "network" | ((req: Request) => Response | Promise<Response>);

/** A fetch that answers from a script and records every request. */
function scripted(replies: Reply[]) {
  const requests: Request[] = [];
  const fetch = (req: Request): Promise<Response> => {
    // A throw (a "network" reply, or an assert in a reply function) rejects, as from an async fetch.
    try {
      requests.push(req);
      const r = replies.length > 1 ? replies.shift()! : replies[0]!;
      if (r === "network") throw new TypeError("fetch failed", { cause: Object.assign(new Error("x"), { code: "ECONNREFUSED" }) });
      if (typeof r === "function") return Promise.resolve(r(req));
      const body = r >= 300 ? `<?xml version="1.0"?><Error><Code>Code${r}</Code><Message>msg ${r}</Message></Error>` : null;
      return Promise.resolve(new Response(body, { status: r }));
    } catch (e) {
      return Promise.reject(e);
    }
  };
  return { fetch, requests };
}

function sinkWith(fetch: S3SinkOptions["fetch"], extra: Partial<S3SinkOptions> = {}) {
  const sleeps: number[] = [];
  const counts: Record<string, number> = {};
  const sink = s3Sink({
    endpoint: "http://s3.test:9000",
    region: "us-east-1",
    bucket: "b",
    prefix: "pre",
    accessKeyId: "k",
    secretAccessKey: "s",
    fetch,
    random: () => 0.5,
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
    count: (name, n) => {
      counts[name] = (counts[name] ?? 0) + n;
    },
    ...extra,
  });
  return { sink, sleeps, counts };
}

describe("s3Sink retries", () => {
  it("s3Sink() PUTs path-style with the body's SHA-256, If-None-Match and a prefix", async () => {
    const { fetch, requests } = scripted([200]);
    const { sink } = sinkWith(fetch);
    const res = await sink(meta(1), new Uint8Array([1, 2, 3]));
    assert.deepEqual(res, {
      location: "s3://b/pre/pprof/api/h/p/2026-11-25T02:00:01.000Z.zip",
      key: "pre/pprof/api/h/p/2026-11-25T02:00:01.000Z.zip",
    });
    const req = requests[0]!;
    assert.equal(req.method, "PUT");
    assert.equal(req.url, "http://s3.test:9000/b/pre/pprof/api/h/p/2026-11-25T02%3A00%3A01.000Z.zip");
    const sha = "039058c6f2c0cb492c533b0a4d14ef77cc0f78abccced5287d84a1a2011cfb81";
    assert.equal(req.headers.get("x-amz-content-sha256"), sha);
    assert.equal(req.headers.get("x-amz-meta-autoprof-sha256"), sha);
    assert.equal(req.headers.get("if-none-match"), "*");
    assert.match(req.headers.get("authorization") ?? "", /^AWS4-HMAC-SHA256 Credential=k\//);
    assert.deepEqual(new Uint8Array(await req.arrayBuffer()), new Uint8Array([1, 2, 3]));
  });

  it("s3Sink() retries 5xx, 429 and network errors with full-jitter exponential backoff", async () => {
    const { fetch, requests } = scripted([503, 500, "network", 429, 200]);
    const { sink, sleeps, counts } = sinkWith(fetch, { backoffBaseMs: 100, backoffMaxMs: 350 });
    await sink(meta(1), new Uint8Array(1));
    assert.equal(requests.length, 5);
    // Caps 100, 200, 350 (max), 350; random() = 0.5 takes half of each.
    assert.deepEqual(sleeps, [50, 100, 175, 175]);
    assert.equal(counts["autoprof.s3.retries"], 4);
    assert.equal(counts["autoprof.s3.stored"], 1);
  });

  it("s3Sink() does not retry a 4xx and names S3's error code", async () => {
    for (const status of [400, 403, 404]) {
      const { fetch, requests } = scripted([status]);
      const { sink, counts } = sinkWith(fetch);
      const err = await sink(meta(1), new Uint8Array(1)).then(() => undefined, (e: unknown) => e);
      assert.ok(err instanceof S3Error);
      assert.equal(err.status, status);
      assert.equal(err.code, `Code${status}`);
      assert.equal(
        err.message,
        `Cannot upload bundle to s3://b/pre/pprof/api/h/p/2026-11-25T02:00:01.000Z.zip: ${status} Code${status}: msg ${status}`,
      );
      assert.equal(requests.length, 1);
      assert.equal(counts["autoprof.s3.failed"], 1);
    }
  });

  it("s3Sink() gives up after maxAttempts with the last error", async () => {
    const { fetch, requests } = scripted(["network"]);
    const { sink } = sinkWith(fetch, { maxAttempts: 3 });
    await assert.rejects(sink(meta(1), new Uint8Array(1)), (e: Error) => {
      assert.match(e.message, /^Cannot upload bundle to s3:\/\/b\/.*: fetch failed: ECONNREFUSED \(gave up after 3 attempts\)$/);
      return true;
    });
    assert.equal(requests.length, 3);
  });

  it("s3Sink() treats a 412 as stored when the existing object has the same SHA-256", async () => {
    const sha = "039058c6f2c0cb492c533b0a4d14ef77cc0f78abccced5287d84a1a2011cfb81";
    const { fetch, requests } = scripted([
      "network", // the first PUT's response is lost (it did succeed)
      412,
      (req) => {
        assert.equal(req.method, "HEAD");
        return new Response(null, { status: 200, headers: { "x-amz-meta-autoprof-sha256": sha } });
      },
    ]);
    const { sink } = sinkWith(fetch);
    const res = await sink(meta(1), new Uint8Array([1, 2, 3]));
    assert.equal(res.key, "pre/pprof/api/h/p/2026-11-25T02:00:01.000Z.zip");
    assert.deepEqual(requests.map((r) => r.method), ["PUT", "PUT", "HEAD"]);
  });

  it("s3Sink() fails on a 412 when a different object holds the key", async () => {
    const { fetch, requests } = scripted([
      412,
      () => new Response(null, { status: 200, headers: { "x-amz-meta-autoprof-sha256": "0".repeat(64) } }),
    ]);
    const { sink } = sinkWith(fetch);
    await assert.rejects(sink(meta(1), new Uint8Array([1, 2, 3])), /412 PreconditionFailed: a different object/);
    assert.equal(requests.length, 2);
  });

  it("s3Sink() without conditionalPut sends no If-None-Match", async () => {
    const { fetch, requests } = scripted([200]);
    const { sink } = sinkWith(fetch, { conditionalPut: false });
    await sink(meta(1), new Uint8Array(1));
    assert.equal(requests[0]!.headers.get("if-none-match"), null);
  });

  it("s3Sink() uploads one bundle at a time and drops the oldest waiting one when the queue is full", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let inFlight = 0;
    let maxInFlight = 0;
    const fetch = async (req: Request): Promise<Response> => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await gate;
      await req.arrayBuffer();
      inFlight--;
      return new Response(null, { status: 200 });
    };
    const { sink, counts } = sinkWith(fetch, { queueLimit: 2 });
    const results = [1, 2, 3, 4, 5].map((n) => sink(meta(n), new Uint8Array(n)).then((r) => r.key, (e: Error) => e.message));
    // 1 is uploading; 2 and 3 were dropped for 4 and 5.
    assert.equal(sink.pending, 3);
    release();
    const settled = await Promise.all(results);
    assert.match(settled[0]!, /02:00:01/);
    assert.match(settled[1]!, /^Cannot upload bundle to .*02:00:02.*: dropped because 2 newer bundles are waiting/);
    assert.match(settled[2]!, /dropped/);
    assert.match(settled[3]!, /02:00:04\.000Z\.zip$/);
    assert.match(settled[4]!, /02:00:05\.000Z\.zip$/);
    assert.equal(maxInFlight, 1);
    assert.equal(counts["autoprof.s3.dropped"], 2);
    assert.equal(counts["autoprof.s3.stored"], 3);
    await sink.idle();
    assert.equal(sink.pending, 0);
  });

  it("s3Sink() encodes reserved characters in keys so the signature matches", async () => {
    const { fetch, requests } = scripted([200]);
    const { sink } = sinkWith(fetch, { prefix: "" });
    const m = { ...meta(1), main: "a b+c(d)!*'", hostname: "" };
    const res = await sink(m, new Uint8Array(1));
    assert.equal(res.key, "pprof/a%20b+c%28d%29%21%2A%27/_/p/2026-11-25T02:00:01.000Z.zip");
    assert.equal(
      requests[0]!.url,
      "http://s3.test:9000/b/pprof/a%2520b%2Bc%2528d%2529%2521%252A%2527/_/p/2026-11-25T02%3A00%3A01.000Z.zip",
    );
  });

  it("s3Sink() rejects bad options", () => {
    const base = { endpoint: "http://x", region: "r", bucket: "b", accessKeyId: "k", secretAccessKey: "s" };
    assert.throws(() => s3Sink({ ...base, maxAttempts: 0 }), RangeError);
    assert.throws(() => s3Sink({ ...base, queueLimit: 0 }), RangeError);
    assert.throws(() => s3Sink({ ...base, backoffBaseMs: -1 }), RangeError);
    assert.throws(() => s3Sink({ ...base, endpoint: "nope" }), TypeError);
    assert.throws(() => s3Sink({ ...base, secretAccessKey: "" }), TypeError);
  });
});
