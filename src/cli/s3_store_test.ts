// The S3 store against a real S3 server: the Ceph RADOS Gateway that
// scripts/s3/start.sh runs on 127.0.0.1 (`npm test` starts it and exports
// S3_ENDPOINT, S3_REGION, S3_BUCKET, S3_ACCESS_KEY, S3_SECRET_KEY).
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { readBundle } from "../read_bundle.ts";
import { S3Client } from "../sinks/_s3_client.ts";
import { s3Sink } from "../sinks/s3.ts";
import { summarizeBundles } from "./bundle_summary.ts";
import { runCli } from "./main.ts";
import { s3Store } from "./s3_store.ts";
import { cpuSpec, makeBundle } from "./testdata/bundles.ts";
import { memoryHost } from "./testdata/memory_host.ts";

const env = {
  endpoint: process.env.S3_ENDPOINT ?? "",
  region: process.env.S3_REGION ?? "us-east-1",
  bucket: process.env.S3_BUCKET ?? "",
  accessKeyId: process.env.S3_ACCESS_KEY ?? "",
  secretAccessKey: process.env.S3_SECRET_KEY ?? "",
};
const runtime = process.env.AUTOPROF_TEST_RUNTIME ?? "local";
const prefix = `cli-${runtime}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}/`;
const awsEnv = {
  AWS_ENDPOINT_URL_S3: env.endpoint,
  AWS_REGION: env.region,
  AWS_ACCESS_KEY_ID: env.accessKeyId,
  AWS_SECRET_ACCESS_KEY: env.secretAccessKey,
};

const bundles = [
  makeBundle({ meta: { capture_time: "2026-11-25T01:00:00.000Z" } }),
  makeBundle({ meta: { capture_time: "2026-11-25T02:00:00.000Z", hostname: "web 2" }, cpu: cpuSpec([[["main"], 2]]) }),
  makeBundle({ meta: { main: "worker/v2", capture_time: "2026-11-25T03:00:00.000Z" }, custom: { pad: new Uint8Array(200_000) } }),
];

describe("S3 bundle store", () => {
  before(async () => {
    assert.ok(
      env.endpoint !== "" && env.bucket !== "",
      "S3_ENDPOINT and S3_BUCKET are not set: run these tests via `npm test`, which starts a local S3 (scripts/s3/start.sh) and exports them",
    );
    const sink = s3Sink({ ...env, prefix, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) });
    for (const b of bundles) await sink(b.meta, b.bytes);
    // Something that is not a bundle, under the same prefix.
    await new S3Client(env).send("PUT", new S3Client(env).url(`${prefix}pprof/notes.txt`), { body: new Uint8Array([1]) });
  });

  it("s3Store lists bundles under a prefix, narrowed by main and host, and reads them back", async () => {
    const store = s3Store({ ...env, prefix, pathStyle: true });
    const all = await store.list({});
    assert.deepEqual(all.map((b) => b.key), bundles.map((b) => b.key).sort());
    assert.deepEqual((await store.list({ main: "worker/v2" })).map((b) => b.key), [bundles[2]!.key]);
    assert.deepEqual((await store.list({ main: "api", host: "web 2" })).map((b) => b.key), [bundles[1]!.key]);
    assert.deepEqual(await store.read(bundles[1]!.key), bundles[1]!.bytes);
    assert.equal(store.locate(bundles[0]!.key), `s3://${env.bucket}/${prefix}${bundles[0]!.key}`);
    const rows = await summarizeBundles(store, all);
    for (const r of rows) {
      const b = bundles.find((x) => x.key === r.bundle.key)!;
      assert.deepEqual(r.meta, b.meta);
      assert.deepEqual(r.names, readBundle(b.bytes).names);
    }
  });

  it("S3Client.listPage() follows continuation tokens page by page", async () => {
    const client = new S3Client(env);
    const first = await client.listPage(`${prefix}pprof/`, undefined, 2);
    assert.equal(first.objects.length, 2);
    assert.notEqual(first.next, undefined);
    const second = await client.listPage(`${prefix}pprof/`, first.next, 2);
    assert.equal(second.objects.length, 2);
    assert.equal(second.next, undefined);
    const pages: number[] = [];
    assert.equal((await client.list(`${prefix}pprof/`, (n) => pages.push(n))).length, 4);
    assert.deepEqual(pages, [4]);
  });

  it("S3Client.getRange() reads part of an object", async () => {
    const client = new S3Client(env);
    const key = `${prefix}${bundles[0]!.key}`;
    assert.deepEqual(await client.getRange(key, 10, 20), bundles[0]!.bytes.subarray(10, 30));
    assert.deepEqual(await client.getRange(key, bundles[0]!.bytes.length - 5, 100), bundles[0]!.bytes.subarray(-5));
  });

  it("the CLI lists and shows bundles in s3://bucket/prefix with AWS_* credentials", async () => {
    const host = memoryHost({}, awsEnv);
    assert.equal(await runCli(["ls", "--store", `s3://${env.bucket}/${prefix}`, "--since", "2026-11-25T01:30:00Z"], host), 0, host.stderr.text);
    const lines = host.stdout.text.trimEnd().split("\n");
    assert.equal(lines.length, 3);
    assert.match(lines[1]!, /heap cpu +pprof\/api\/web%202\//);
    assert.match(lines[2]!, /heap custom×1 +pprof\/worker%2Fv2\//);

    const show = memoryHost({}, awsEnv);
    const url = `s3://${env.bucket}/${prefix}${bundles[1]!.key}`;
    assert.equal(await runCli(["show", url, "--json"], show), 0, show.stderr.text);
    assert.deepEqual(JSON.parse(show.stdout.text).meta, bundles[1]!.meta);
  });
});
