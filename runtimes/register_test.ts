// `autoprof/register` end to end: preloaded into a real child process on this
// test's runtime, configured only by environment variables.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { readBundle } from "../src/read_bundle.ts";
import { S3Client } from "../src/sinks/_s3_client.ts";

const ext = import.meta.url.endsWith(".ts") ? "ts" : "js";
const register = fileURLToPath(new URL(`./register.${ext}`, import.meta.url));
const app = fileURLToPath(new URL(`./_register/testdata/short_app.${ext}`, import.meta.url));

interface Run {
  stdout: string;
  stderr: string;
  code: number | null;
  signal: string | null;
}

/** Runs short_app with register preloaded; `signal` is sent after "ready". */
function run(env: Record<string, string>, mode = "", signal?: NodeJS.Signals): Promise<Run> {
  const g = globalThis as { Deno?: unknown; Bun?: unknown };
  const args = g.Deno
    ? ["run", "-A", "--no-check", `--preload=${register}`, app, mode]
    : g.Bun
    ? ["--preload", register, app, mode]
    : ["--import", register, app, mode];
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("AUTOPROF_")));
  const child = spawn(process.execPath, args, { env: { ...clean, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout!.setEncoding("utf8");
  child.stderr!.setEncoding("utf8");
  child.stdout!.on("data", (d: string) => {
    stdout += d;
    if (signal && stdout.includes("ready\n") && !stdout.includes("ready\n#")) {
      stdout += "#";
      process.kill(child.pid!, signal);
    }
  });
  child.stderr!.on("data", (d: string) => (stderr += d));
  // A hung child fails the test (it would mean autoprof kept it alive).
  const killer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  return new Promise((resolve) => {
    child.on("close", (code, sig) => {
      clearTimeout(killer);
      resolve({ stdout, stderr, code, signal: sig });
    });
  });
}

async function bundlesIn(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile() && e.name.endsWith(".zip"))
    .map((e) => join(e.parentPath ?? (e as unknown as { path: string }).path, e.name));
}

describe("autoprof/register", () => {
  const dirs: string[] = [];
  const tempDir = async () => {
    const d = await mkdtemp(join(tmpdir(), "autoprof-reg-"));
    dirs.push(d);
    return d;
  };
  after(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it("register never keeps a finished app alive and stores nothing before the first interval", async () => {
    const dir = await tempDir();
    const r = await run({ AUTOPROF_DIR: dir, AUTOPROF_INTERVAL: "1h" });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^app done/);
    assert.equal(r.stderr, "");
    assert.deepEqual(await bundlesIn(dir), []);
  });

  it("register with AUTOPROF_FLUSH_ON_EXIT=1 stores one bundle when the app ends", async () => {
    const dir = await tempDir();
    const r = await run({
      AUTOPROF_DIR: dir,
      AUTOPROF_INTERVAL: "0",
      AUTOPROF_FLUSH_ON_EXIT: "1",
      AUTOPROF_LOG: "1",
      AUTOPROF_MAIN: "short-app",
      AUTOPROF_REVISION: "r1",
    });
    assert.equal(r.code, 0, r.stderr);
    const files = await bundlesIn(dir);
    assert.equal(files.length, 1, r.stderr);
    assert.ok(files[0]!.startsWith(`${dir}/pprof/short-app/`), files[0]);
    assert.equal(r.stderr, `autoprof: stored bundle ${files[0]}\n`);
    const { meta, names } = readBundle(new Uint8Array(await readFile(files[0]!)));
    assert.equal(meta.main, "short-app");
    assert.equal(meta.revision, "r1");
    assert.equal(names.includes("pprof/profile"), false, "the exit bundle has no CPU profile");
  });

  it("register with AUTOPROF_FLUSH_ON_EXIT=1 stores a bundle on SIGTERM, then ends by the signal", async () => {
    const dir = await tempDir();
    const r = await run({ AUTOPROF_DIR: dir, AUTOPROF_INTERVAL: "1h", AUTOPROF_FLUSH_ON_EXIT: "1" }, "serve", "SIGTERM");
    assert.equal(r.signal, "SIGTERM", r.stderr);
    assert.equal((await bundlesIn(dir)).length, 1, r.stderr);
  });

  it("register warns once per bad variable and still runs the app", async () => {
    const dir = await tempDir();
    const r = await run({ AUTOPROF_DIR: dir, AUTOPROF_INTERVAL: "often", AUTOPROF_CPU: "5" });
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^app done/);
    assert.deepEqual(r.stderr.trim().split("\n"), [
      'autoprof: ignoring AUTOPROF_INTERVAL="often": unexpected "often" in "often" (use e.g. 500ms, 5s, 2m); using 2m',
      'autoprof: ignoring AUTOPROF_CPU="5": missing unit (ms, s, m, h): got "5" (use e.g. 500ms, 5s, 2m); using 5s',
    ]);
  });

  it("register uploads to S3 from AUTOPROF_S3_URL and AWS_* variables", async () => {
    const endpoint = process.env.S3_ENDPOINT ?? "";
    assert.ok(endpoint !== "", "S3_ENDPOINT is not set: run these tests via `npm test`, which starts a local S3");
    const prefix = `register-${process.env.AUTOPROF_TEST_RUNTIME ?? "local"}-${Date.now().toString(36)}`;
    const r = await run({
      AUTOPROF_S3_URL: `s3://${process.env.S3_BUCKET}/${prefix}`,
      AWS_ENDPOINT_URL: endpoint,
      AWS_REGION: process.env.S3_REGION ?? "us-east-1",
      AWS_ACCESS_KEY_ID: process.env.S3_ACCESS_KEY ?? "",
      AWS_SECRET_ACCESS_KEY: process.env.S3_SECRET_KEY ?? "",
      AUTOPROF_INTERVAL: "0",
      AUTOPROF_FLUSH_ON_EXIT: "1",
      AUTOPROF_LOG: "1",
    });
    assert.equal(r.code, 0, r.stderr);
    const client = new S3Client({
      endpoint,
      region: process.env.S3_REGION ?? "us-east-1",
      bucket: process.env.S3_BUCKET ?? "",
      accessKeyId: process.env.S3_ACCESS_KEY ?? "",
      secretAccessKey: process.env.S3_SECRET_KEY ?? "",
    });
    const listed = await client.list(`${prefix}/pprof/`);
    try {
      assert.equal(listed.length, 1, r.stderr);
      assert.equal(r.stderr, `autoprof: stored bundle s3://${process.env.S3_BUCKET}/${listed[0]!.key}\n`);
      const { meta } = readBundle(await client.get(listed[0]!.key));
      assert.ok(listed[0]!.key.includes(`/${meta.proc_id}/`), listed[0]!.key);
    } finally {
      for (const o of listed) await client.delete(o.key);
    }
  });
});
