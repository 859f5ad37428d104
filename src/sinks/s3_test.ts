// The S3 sink against a real S3 server: the Ceph RADOS Gateway that
// scripts/s3/start.sh runs on 127.0.0.1 (`npm test` starts it and exports
// S3_ENDPOINT, S3_REGION, S3_BUCKET, S3_ACCESS_KEY, S3_SECRET_KEY).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { createServer, type Server, type Socket, connect } from "node:net";
import { strToU8, zipSync } from "fflate";
import type { Meta } from "../types.ts";
import { collectBundle } from "../collect.ts";
import { readBundle } from "../read_bundle.ts";
import { loadAdapter } from "../../runtimes/detect.ts";
import { S3Client } from "./_s3_client.ts";
import { S3Error, s3Sink, type S3SinkOptions } from "./s3.ts";

const env = {
  endpoint: process.env.S3_ENDPOINT ?? "",
  region: process.env.S3_REGION ?? "us-east-1",
  bucket: process.env.S3_BUCKET ?? "",
  accessKeyId: process.env.S3_ACCESS_KEY ?? "",
  secretAccessKey: process.env.S3_SECRET_KEY ?? "",
};
const runtime = process.env.AUTOPROF_TEST_RUNTIME ?? "local";
// One prefix per run and runtime, so parallel runs never see each other.
const runPrefix = `test-${runtime}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}/`;

function requireS3(): void {
  assert.ok(
    env.endpoint !== "" && env.bucket !== "",
    "S3_ENDPOINT and S3_BUCKET are not set: run these tests via `npm test`, which starts a local S3 " +
      "(scripts/s3/start.sh) and exports them",
  );
}

function meta(main: string, second: number): Meta {
  return {
    format_version: 1,
    main,
    revision: "1.0.0",
    runtime: "node",
    runtime_version: "v24.0.0",
    hostname: "web-1",
    proc_id: "1-6744d2c0-0123456789abcdef01234567-42",
    init_time: "2026-11-25T01:00:00.000Z",
    capture_time: `2026-11-25T02:00:${String(second).padStart(2, "0")}.000Z`,
    capabilities: {},
  };
}

/** A small but real bundle: a STORE zip with meta and expvar entries. */
function bundle(m: Meta, size = 1000): Uint8Array {
  const filler = new Uint8Array(size);
  for (let i = 0; i < size; i++) filler[i] = (i * 31 + m.capture_time.length) & 0xff;
  return zipSync(
    { meta: strToU8(JSON.stringify(m)), expvar: strToU8("{}"), "pprof/heap": filler },
    { level: 0, mtime: new Date("2026-11-25T00:00:00Z") },
  );
}

/** Counts requests through the real fetch. */
function countingFetch() {
  const seen: string[] = [];
  const fetchFn = (req: Request): Promise<Response> => {
    seen.push(`${req.method} ${new URL(req.url).pathname}`);
    return fetch(req);
  };
  return { fetch: fetchFn, seen };
}

function options(prefix: string, extra: Partial<S3SinkOptions> = {}): S3SinkOptions {
  return {
    ...env,
    prefix: runPrefix + prefix,
    backoffBaseMs: 5,
    backoffMaxMs: 40,
    // The default backoff timer is unref'd (it never keeps an app alive); the
    // test runner has nothing else pending, so wait on a referenced one.
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    ...extra,
  };
}

/**
 * A TCP forwarder to the S3 server that can be taken down and brought back
 * on the same port: while down, connections are refused (a real network
 * error); in "hang" mode it accepts connections and never answers.
 */
class Forwarder {
  #server: Server | undefined;
  #sockets = new Set<Socket>();
  port = 0;
  mode: "forward" | "hang" = "forward";

  async up(): Promise<void> {
    const target = new URL(env.endpoint);
    const server = createServer((client) => {
      this.#sockets.add(client);
      client.on("close", () => this.#sockets.delete(client));
      client.on("error", () => {});
      if (this.mode === "hang") return;
      const upstream = connect(Number(target.port || 80), target.hostname);
      this.#sockets.add(upstream);
      upstream.on("close", () => this.#sockets.delete(upstream));
      upstream.on("error", () => client.destroy());
      client.on("error", () => upstream.destroy());
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, "127.0.0.1", () => resolve());
    });
    this.port = (server.address() as { port: number }).port;
    this.#server = server;
  }

  async down(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    for (const s of this.#sockets) s.destroy();
    this.#sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }
}

describe("s3Sink against a real S3 server", () => {
  let client: S3Client;
  before(() => {
    if (env.endpoint !== "") client = new S3Client(env);
  });
  after(async () => {
    if (!client) return;
    for (const o of await client.list(runPrefix)) await client.delete(o.key);
  });

  it("s3Sink() uploads bundles that ListObjectsV2 lists and GET returns byte for byte", async () => {
    requireS3();
    const sink = s3Sink(options("upload"));
    const stored = [];
    for (const m of [meta("api", 1), meta("api", 2), meta("worker/x", 3)]) {
      const bytes = bundle(m);
      stored.push({ res: await sink(m, bytes), bytes });
    }
    const prefix = `${runPrefix}upload/`;
    assert.deepEqual(stored.map((s) => s.res.key), [
      `${prefix}pprof/api/web-1/1-6744d2c0-0123456789abcdef01234567-42/2026-11-25T02:00:01.000Z.zip`,
      `${prefix}pprof/api/web-1/1-6744d2c0-0123456789abcdef01234567-42/2026-11-25T02:00:02.000Z.zip`,
      `${prefix}pprof/worker%2Fx/web-1/1-6744d2c0-0123456789abcdef01234567-42/2026-11-25T02:00:03.000Z.zip`,
    ]);
    assert.equal(stored[0]!.res.location, `s3://${env.bucket}/${stored[0]!.res.key}`);

    const listed = await client.list(`${prefix}pprof/api/`);
    assert.deepEqual(listed.map((o) => o.key), stored.slice(0, 2).map((s) => s.res.key));
    for (const { res, bytes } of stored) {
      const back = await client.get(res.key);
      assert.deepEqual(back, bytes);
      const head = await client.head(res.key);
      assert.equal(head?.get("content-type"), "application/zip");
    }
  });

  it("s3Sink() stores a real bundle that readBundle() reads back from S3", async () => {
    requireS3();
    const sink = s3Sink(options("real"));
    const { meta, bytes } = await collectBundle(await loadAdapter(), { meta: { main: "s3-real" } });
    const res = await sink(meta, bytes);
    const back = readBundle(await client.get(res.key));
    assert.deepEqual(back.meta, meta);
    assert.deepEqual(back.names.slice(0, 2), ["meta", "expvar"]);
    assert.equal(res.key.split("/").slice(-4, -2).join("/"), `s3-real/${meta.hostname || "_"}`);
  });

  it("s3Sink() treats storing the same bundle twice as done, but never overwrites different bytes", async () => {
    requireS3();
    const { fetch, seen } = countingFetch();
    const sink = s3Sink(options("twice", { fetch }));
    const m = meta("api", 4);
    const first = await sink(m, bundle(m));
    const again = await sink(m, bundle(m));
    assert.equal(again.key, first.key);
    assert.deepEqual(seen.map((s) => s.split(" ")[0]), ["PUT", "PUT", "HEAD"]);
    const err = await sink(m, bundle(m, 2000)).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof S3Error && err.code === "PreconditionFailed", String(err));
    assert.deepEqual(await client.get(first.key), bundle(m));
  });

  it("s3Sink() fails at once with SignatureDoesNotMatch on a wrong secret key", async () => {
    requireS3();
    const { fetch, seen } = countingFetch();
    const sink = s3Sink(options("badsecret", { fetch, secretAccessKey: "wrong-secret" }));
    const err = await sink(meta("api", 5), bundle(meta("api", 5))).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof S3Error, String(err));
    assert.equal(err.status, 403);
    assert.equal(err.code, "SignatureDoesNotMatch");
    assert.match(err.message, /^Cannot upload bundle to s3:\/\/.*: 403 SignatureDoesNotMatch/);
    assert.equal(seen.length, 1);
  });

  it("s3Sink() fails at once with InvalidAccessKeyId on an unknown access key", async () => {
    requireS3();
    const { fetch, seen } = countingFetch();
    const sink = s3Sink(options("badkey", { fetch, accessKeyId: "nobody" }));
    const err = await sink(meta("api", 6), bundle(meta("api", 6))).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof S3Error, String(err));
    assert.equal(err.status, 403);
    assert.equal(err.code, "InvalidAccessKeyId");
    assert.equal(seen.length, 1);
  });

  it("s3Sink() fails at once with NoSuchBucket for a missing bucket", async () => {
    requireS3();
    const { fetch, seen } = countingFetch();
    const sink = s3Sink(options("nobucket", { fetch, bucket: "no-such-bucket-autoprof" }));
    const err = await sink(meta("api", 7), bundle(meta("api", 7))).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof S3Error, String(err));
    assert.equal(err.status, 404);
    assert.equal(err.code, "NoSuchBucket");
    assert.equal(seen.length, 1);
  });

  it("s3Sink() never stores a body corrupted on the way (SHA-256 checked by the server)", async () => {
    requireS3();
    const corrupting = async (req: Request): Promise<Response> => {
      if (req.method !== "PUT") return fetch(req);
      const body = new Uint8Array(await req.arrayBuffer());
      body[body.length >> 1]! ^= 0xff;
      return fetch(new Request(req.url, { method: req.method, headers: req.headers, body }));
    };
    const sink = s3Sink(options("corrupt", { fetch: corrupting }));
    const err = await sink(meta("api", 8), bundle(meta("api", 8))).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof S3Error, String(err));
    assert.equal(err.code, "XAmzContentSHA256Mismatch");
    assert.deepEqual(await client.list(`${runPrefix}corrupt/`), []);
  });

  it("s3Sink() gives up after maxAttempts when the server's port is closed", async () => {
    requireS3();
    const fwd = new Forwarder();
    await fwd.up();
    await fwd.down(); // a port that was just ours and is now closed
    const { fetch, seen } = countingFetch();
    const sink = s3Sink(options("closed", { endpoint: fwd.endpoint, fetch, maxAttempts: 3 }));
    await assert.rejects(sink(meta("api", 9), bundle(meta("api", 9))), /gave up after 3 attempts/);
    assert.equal(seen.length, 3);
  });

  it("s3Sink() times out a request the server never answers, and retries it", async () => {
    requireS3();
    const fwd = new Forwarder();
    fwd.mode = "hang";
    await fwd.up();
    try {
      const { fetch, seen } = countingFetch();
      const sink = s3Sink(options("hang", { endpoint: fwd.endpoint, fetch, maxAttempts: 2, timeoutMs: 300 }));
      await assert.rejects(sink(meta("api", 10), bundle(meta("api", 10))), /timed out.*\(gave up after 2 attempts\)/);
      assert.equal(seen.length, 2);
    } finally {
      await fwd.down();
    }
  });

  it("s3Sink() keeps a bounded queue while the server is down and drains it when it is back", async () => {
    requireS3();
    const fwd = new Forwarder();
    await fwd.up();
    const counts: Record<string, number> = {};
    let failures = 0;
    let sawFailure!: () => void;
    const failing = new Promise<void>((r) => (sawFailure = r));
    const fetchFn = async (req: Request): Promise<Response> => {
      try {
        return await fetch(req);
      } catch (e) {
        if (++failures === 3) sawFailure();
        throw e;
      }
    };
    const sink = s3Sink(options("outage", {
      endpoint: fwd.endpoint,
      fetch: fetchFn,
      maxAttempts: 10_000,
      backoffBaseMs: 5,
      backoffMaxMs: 20,
      queueLimit: 2,
      count: (name, n) => (counts[name] = (counts[name] ?? 0) + n),
    }));

    // Up: one bundle goes straight through.
    const m0 = meta("api", 20);
    await sink(m0, bundle(m0));

    // Down: the next upload retries; two more wait; two are dropped.
    await fwd.down();
    const ms = [21, 22, 23, 24, 25].map((s) => meta("api", s));
    const results = ms.map((m) => sink(m, bundle(m)).then((r) => r.key, (e: Error) => e));
    await failing;
    assert.equal(sink.pending, 3);
    assert.equal(counts["autoprof.s3.dropped"], 2);

    // Back up on the same port: the queue drains.
    await fwd.up();
    const settled = await Promise.all(results);
    await fwd.down();
    assert.equal(typeof settled[0], "string");
    assert.match(String(settled[1]), /dropped because 2 newer bundles are waiting/);
    assert.match(String(settled[2]), /dropped because 2 newer bundles are waiting/);
    assert.equal(typeof settled[3], "string");
    assert.equal(typeof settled[4], "string");
    assert.ok((counts["autoprof.s3.retries"] ?? 0) >= 3);
    assert.equal(sink.pending, 0);

    // Exactly the stored bundles are there, each intact.
    const listed = await client.list(`${runPrefix}outage/`);
    const want = [m0, ms[0]!, ms[3]!, ms[4]!];
    assert.deepEqual(listed.map((o) => o.key.split("/").pop()), want.map((m) => `${m.capture_time}.zip`));
    for (const [i, o] of listed.entries()) assert.deepEqual(await client.get(o.key), bundle(want[i]!));
  });
});
