/**
 * The conformance suite's workerd target: runs the real `workerd` binary
 * (npm `workerd`, installed by scripts/install_runtimes.sh) with the
 * example Worker (examples/edge/worker.ts, bundled with esbuild) on
 * 127.0.0.1, sends it a real cron event and HTTP requests, and reads the
 * bundles back from the real S3 server (scripts/s3/start.sh).
 *
 * ```sh
 * eval "$(bash scripts/s3/start.sh | tail -1)"     # S3_ENDPOINT, S3_BUCKET, ...
 * npx tsc -p tsconfig.json && node dist/tests/conformance/workerd/driver.js
 * ```
 *
 * Prints one `ok - …` / `not ok - …` line per check (scripts/test.sh counts
 * them) and exits non-zero if any failed. On failure (or with
 * `AUTOPROF_WORKERD_KEEP=1`) the state directory (config, bundled Workers,
 * workerd.log) is kept and its path printed.
 *
 * Services in the generated config (one workerd process):
 * - `edge`: the example Worker (compatibility date 2026-11-01, where
 *   `nodejs_compat` is the default), on its own socket;
 * - `edge-plain`: the same bundle with compatibility date 2024-06-01 and no
 *   flags, i.e. without `nodejs_compat`;
 * - `main-entry`: tests/conformance/workerd/main_entry_worker.ts, which
 *   collects through mod.ts;
 * - `trigger`: tests/conformance/workerd/trigger_worker.js, which sends a
 *   real `scheduled` event to `edge` through a service binding (this needs
 *   `workerd serve --experimental`) and forwards to the other two.
 *
 * @module
 */
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import type { Bundle } from "../../../src/read_bundle.ts";
import { readBundle } from "../../../src/read_bundle.ts";
import { S3Client } from "../../../src/sinks/_s3_client.ts";
import type { Capabilities } from "../../../src/types.ts";
import { MATRIX_PARTS, parseMatrix, readMatrixBlock, renderMatrix } from "../../../scripts/capability_matrix.ts";
import { createWorkerdAdapter } from "../../../runtimes/workerd/adapter.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
// Compiled to dist/tests/conformance/workerd/, or run from the source tree.
const root = [path.resolve(here, "../../../.."), path.resolve(here, "../../..")].find((d) =>
  fs.existsSync(path.join(d, "examples/edge/worker.ts"))
)!;
const bin = path.join(root, ".tools/workerd/node_modules/.bin");
const OVERALL_TIMEOUT_MS = 180_000;
const REQUEST_TIMEOUT_MS = 30_000;
const S3_WAIT_MS = 30_000;
const CRON = "*/5 * * * *";
const decoder = new TextDecoder();

let passed = 0;
let failed = 0;
function check(name: string, ok: boolean, detail = ""): boolean {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? "ok" : "not ok"} - ${name}${!ok && detail ? `: ${detail.replace(/\s+/g, " ").slice(0, 600)}` : ""}`);
  return ok;
}
/**
 * Records what the real workerd declared for scripts/capability_matrix.ts
 * (as tests/conformance/capabilities.test.ts does on the other runtimes)
 * and checks that the README's matrix says the same.
 */
function checkMatrix(declared: Capabilities): void {
  const dir = process.env.AUTOPROF_CAPABILITIES_DIR || path.join(root, "dist");
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "capabilities-workerd.json"), JSON.stringify({ id: "workerd", capabilities: declared }, null, 2));
  const block = readMatrixBlock(fs.readFileSync(path.join(root, "README.md"), "utf8")) ?? "";
  const inReadme = parseMatrix(block);
  const expected = parseMatrix(renderMatrix([{ id: "workerd", capabilities: declared }]));
  const same = JSON.stringify(inReadme.rows.get("workerd")) === JSON.stringify(expected.rows.get("workerd")) &&
    MATRIX_PARTS.every(([, h]) => inReadme.details.get(h)?.get("workerd") === expected.details.get(h)?.get("workerd"));
  check("the README's capability matrix says what workerd declares", same, "README.md is out of date: run `npm run matrix`");
}

function fatal(name: string, detail: string): never {
  check(name, false, detail);
  throw new StopRun();
}
class StopRun extends Error {}

const state = fs.mkdtempSync(path.join(os.tmpdir(), "autoprof-workerd-"));
let workerd: ReturnType<typeof spawn> | undefined;

async function main(): Promise<void> {
  const env = process.env;
  const missing = ["S3_ENDPOINT", "S3_BUCKET", "S3_ACCESS_KEY", "S3_SECRET_KEY"].filter((k) => !env[k]);
  if (missing.length > 0) fatal("the S3 server's settings are in the environment", `missing ${missing.join(", ")} (run scripts/s3/start.sh)`);
  for (const tool of ["workerd", "esbuild"]) {
    if (!fs.existsSync(path.join(bin, tool))) fatal(`${tool} is installed`, `${path.join(bin, tool)} is missing (run scripts/install_runtimes.sh)`);
  }
  const s3 = new S3Client({
    endpoint: env.S3_ENDPOINT!,
    region: env.S3_REGION || "us-east-1",
    bucket: env.S3_BUCKET!,
    accessKeyId: env.S3_ACCESS_KEY!,
    secretAccessKey: env.S3_SECRET_KEY!,
  });
  const prefix = `conformance/workerd/${new Date().toISOString().replace(/[:.]/g, "-")}-${process.pid}/`;
  const token = `t-${crypto.randomUUID()}`;

  // --- build ---------------------------------------------------------------
  bundle(path.join(root, "examples/edge/worker.ts"), path.join(state, "edge.js"));
  bundle(path.join(root, "tests/conformance/workerd/main_entry_worker.ts"), path.join(state, "main_entry.js"));
  // Plain JS, not compiled by tsc: taken from the source tree as it is.
  fs.copyFileSync(path.join(root, "tests/conformance/workerd/trigger_worker.js"), path.join(state, "trigger.js"));
  const edgeJs = fs.readFileSync(path.join(state, "edge.js"), "utf8");
  const nodeImports = [...edgeJs.matchAll(/(?:from|import\()\s*["'](node:[^"']+)["']/g)].map((m) => m[1]);
  check("the example Worker (autoprof/workerd) bundles without any node:* import", nodeImports.length === 0, nodeImports.join(", "));

  // --- start ---------------------------------------------------------------
  const [edgePort, triggerPort] = [await freePort(), await freePort()];
  fs.writeFileSync(path.join(state, "config.capnp"), config({ prefix, token, env }));
  const log = fs.openSync(path.join(state, "workerd.log"), "w");
  workerd = spawn(path.join(bin, "workerd"), [
    "serve",
    "--experimental",
    path.join(state, "config.capnp"),
    "--socket-addr",
    `edge=127.0.0.1:${edgePort}`,
    "--socket-addr",
    `trigger=127.0.0.1:${triggerPort}`,
  ], { stdio: ["ignore", log, log] });
  const exited = new Promise<number | null>((resolve) => workerd!.once("exit", (code) => resolve(code)));
  const edge = `http://127.0.0.1:${edgePort}`;
  const trigger = `http://127.0.0.1:${triggerPort}`;
  const up = await waitFor(async () => (await get(`${trigger}/health`)).status === 200, 30_000, exited);
  if (!up) fatal("workerd starts and answers on 127.0.0.1", tailLog());
  check("workerd starts and answers on 127.0.0.1", true);
  const capabilities = createWorkerdAdapter({ globals: {} }).capabilities();

  // --- a sampled request (1 in 1) ---------------------------------------------
  const home = await get(`${edge}/`);
  check("GET / answers 200 while its sampled bundle is stored in the background", home.status === 200, `status ${home.status}`);
  const sampled = await waitForObject(s3, prefix, (b) => b.names.includes("custom/request.json"));
  if (check("the sampled request's bundle is in S3 with custom/request.json", sampled !== undefined)) {
    const request = JSON.parse(decoder.decode(sampled!.bundle.entries.get("custom/request.json")));
    check(
      "custom/request.json describes GET / (status 200, duration in ms)",
      request.method === "GET" && request.path === "/" && request.status === 200 && request.unit === "ms" &&
        typeof request.duration_ms === "number",
      JSON.stringify(request),
    );
  }

  // --- HTTP capture through the hono handler -----------------------------------
  const denied = await get(`${edge}/debug/profiles`);
  check("GET /debug/profiles without the bearer token answers 401", denied.status === 401, `status ${denied.status}`);
  const auth = { authorization: `Bearer ${token}` };
  const served = await get(`${edge}/debug/profiles`, auth);
  let servedBytes: Uint8Array | undefined;
  if (check("GET /debug/profiles with the token answers a zip", served.status === 200 && served.type === "application/zip", `${served.status} ${served.type} ${decoder.decode(served.body).slice(0, 300)}`)) {
    servedBytes = served.body;
    const b = parse(served.body);
    check("the served bundle is a valid workerd bundle", b !== undefined && isWorkerdBundle(b, capabilities) === "", b ? isWorkerdBundle(b, capabilities) : "readBundle failed");
    if (b !== undefined) checkMatrix(b.meta.capabilities);
    const vars = b && JSON.parse(decoder.decode(b.entries.get("expvar")));
    check(
      "its expvar holds the request histogram the Worker records (unit ms) and no isolate memory, saying why",
      vars?.http_requests?.unit === "ms" && vars.http_requests.count >= 1 && vars.http_requests.buckets?.at(-1)?.le_ms === "+Inf" &&
        vars.runtime?.memory?.available === false && typeof vars.runtime?.memory?.reason === "string",
      JSON.stringify(vars),
    );
  }
  const stored = servedBytes && await waitForObject(s3, prefix, (_b, bytes) => equalBytes(bytes, servedBytes!));
  check("the bundle served at /debug/profiles is in S3, byte for byte", stored !== undefined);
  const heap = await get(`${edge}/debug/pprof/heap`, auth);
  check(
    "GET /debug/pprof/heap answers 501 with workerd's reason (no fake profile)",
    heap.status === 501 && decoder.decode(heap.body).includes("no heap profiler"),
    `${heap.status} ${decoder.decode(heap.body)}`,
  );

  // --- a real scheduled event -----------------------------------------------------
  const fired = await get(`${trigger}/scheduled?cron=${encodeURIComponent(CRON)}`);
  const firedJson = fired.status === 200 ? JSON.parse(decoder.decode(fired.body)) : undefined;
  check("a scheduled event sent through a service binding runs the scheduled handler (outcome ok)", firedJson?.result?.outcome === "ok", `${fired.status} ${decoder.decode(fired.body)}`);
  const cron = await waitForObject(s3, prefix, (b) => b.names.includes("custom/scheduled.json"));
  if (check("the scheduled handler's bundle is in S3 with custom/scheduled.json", cron !== undefined)) {
    const facts = JSON.parse(decoder.decode(cron!.bundle.entries.get("custom/scheduled.json")));
    check("custom/scheduled.json names the cron expression", facts.cron === CRON, JSON.stringify(facts));
  }

  // --- without nodejs_compat, and through the main entry ---------------------------------
  const plain = await get(`${trigger}/plain/debug/profiles`, auth);
  const plainBundle = plain.status === 200 ? parse(plain.body) : undefined;
  check(
    "without nodejs_compat (compatibility date 2024-06-01) the example serves a valid workerd bundle",
    plainBundle !== undefined && isWorkerdBundle(plainBundle, capabilities) === "",
    plainBundle ? isWorkerdBundle(plainBundle, capabilities) : `${plain.status} ${decoder.decode(plain.body).slice(0, 300)}`,
  );
  const plainStored = plainBundle && await waitForObject(s3, `${prefix}plain/`, (_b, bytes) => equalBytes(bytes, plain.body));
  check("without nodejs_compat the served bundle is stored in S3 too", plainStored !== undefined);
  const viaMain = await get(`${trigger}/main/`);
  const mainBundle = viaMain.status === 200 ? parse(viaMain.body) : undefined;
  check(
    "the main entry (mod.ts) detects workerd and collects with the workerd adapter",
    mainBundle !== undefined && isWorkerdBundle(mainBundle, capabilities) === "" && mainBundle.meta.main === "main-entry-fixture",
    mainBundle ? isWorkerdBundle(mainBundle, capabilities) : `${viaMain.status} ${decoder.decode(viaMain.body).slice(0, 300)}`,
  );

  // --- every stored object ---------------------------------------------------------
  const objects = await s3.list(prefix);
  const problems: string[] = [];
  for (const o of objects) {
    const b = parse(await s3.get(o.key));
    const problem = b === undefined ? "not a bundle" : isWorkerdBundle(b, capabilities);
    if (problem !== "") problems.push(`${o.key}: ${problem}`);
    const rest = o.key.slice(prefix.length).replace(/^plain\//, "");
    if (b !== undefined && !rest.startsWith("pprof/autoprof-edge-example/_/")) problems.push(`${o.key}: unexpected key`);
  }
  check(`all ${objects.length} stored objects (sampled, served, scheduled, served without nodejs_compat) are valid workerd bundles under pprof/<main>/_/<proc_id>/`, objects.length >= 4 && problems.length === 0, problems.join("; ") || `${objects.length} objects`);

  // --- shutdown ----------------------------------------------------------------
  const logText = fs.readFileSync(path.join(state, "workerd.log"), "utf8");
  const uncaught = logText.split("\n").filter((l) => /uncaught|internal error|not allowed/i.test(l));
  check("workerd logged no uncaught errors", uncaught.length === 0, uncaught.join(" | "));
  workerd.kill("SIGTERM");
  const stopped = await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]);
  check("workerd stops on SIGTERM", stopped);
  for (const o of objects) await s3.delete(o.key).catch(() => {});
}

// --- helpers -------------------------------------------------------------------------

function bundle(source: string, out: string): void {
  const r = spawnSync(path.join(bin, "esbuild"), [
    source,
    "--bundle",
    "--format=esm",
    "--platform=neutral",
    "--target=es2022",
    "--main-fields=module,main",
    "--conditions=workerd,worker,browser",
    "--external:node:*",
    "--external:cloudflare:*",
    `--outfile=${out}`,
    "--log-level=warning",
  ], { cwd: root, encoding: "utf8", timeout: 60_000 });
  if (r.status !== 0) fatal(`esbuild bundles ${path.relative(root, source)}`, `${r.error ?? ""} ${r.stderr}`);
  check(`esbuild bundles ${path.relative(root, source)}`, true);
}

function capnpString(s: string): string {
  return JSON.stringify(s); // Cap'n Proto text strings use the same escapes as JSON's.
}

function config(o: { prefix: string; token: string; env: NodeJS.ProcessEnv }): string {
  const text = (name: string, value: string) => `( name = ${capnpString(name)}, text = ${capnpString(value)} )`;
  const s3 = (prefix: string) =>
    [
      text("S3_ENDPOINT", o.env.S3_ENDPOINT!),
      text("S3_REGION", o.env.S3_REGION || "us-east-1"),
      text("S3_BUCKET", o.env.S3_BUCKET!),
      text("S3_ACCESS_KEY", o.env.S3_ACCESS_KEY!),
      text("S3_SECRET_KEY", o.env.S3_SECRET_KEY!),
      text("AUTOPROF_PREFIX", prefix),
      text("AUTOPROF_SAMPLE_ONE_IN", "1"),
      text("AUTOPROF_TOKEN", o.token),
    ].join(",\n      ");
  return `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    ( name = "edge", worker = .edge ),
    ( name = "edge-plain", worker = .edgePlain ),
    ( name = "main-entry", worker = .mainEntry ),
    ( name = "trigger", worker = .trigger ),
    # The implicit internet service refuses loopback addresses: the S3 server is on 127.0.0.1.
    ( name = "loopback", network = ( allow = ["local"] ) ),
  ],
  sockets = [
    ( name = "edge", address = "127.0.0.1:0", http = (), service = "edge" ),
    ( name = "trigger", address = "127.0.0.1:0", http = (), service = "trigger" ),
  ],
);

const edge :Workerd.Worker = (
  modules = [ ( name = "edge.js", esModule = embed "edge.js" ) ],
  compatibilityDate = "2026-11-01",
  globalOutbound = "loopback",
  bindings = [
      ${s3(o.prefix)}
  ],
);

const edgePlain :Workerd.Worker = (
  modules = [ ( name = "edge.js", esModule = embed "edge.js" ) ],
  compatibilityDate = "2024-06-01",
  globalOutbound = "loopback",
  bindings = [
      ${s3(`${o.prefix}plain/`)}
  ],
);

const mainEntry :Workerd.Worker = (
  modules = [ ( name = "main_entry.js", esModule = embed "main_entry.js" ) ],
  compatibilityDate = "2026-11-01",
  compatibilityFlags = ["nodejs_compat"],
);

const trigger :Workerd.Worker = (
  modules = [ ( name = "trigger.js", esModule = embed "trigger.js" ) ],
  compatibilityDate = "2026-11-01",
  compatibilityFlags = ["service_binding_extra_handlers"],
  bindings = [
    ( name = "EDGE", service = "edge" ),
    ( name = "PLAIN", service = "edge-plain" ),
    ( name = "MAIN", service = "main-entry" ),
  ],
);
`;
}

/** `""` if `b` is what a workerd bundle must be, else what is wrong. */
function isWorkerdBundle(b: Bundle, capabilities: ReturnType<ReturnType<typeof createWorkerdAdapter>["capabilities"]>): string {
  if (b.meta.runtime !== "workerd") return `meta.runtime is ${JSON.stringify(b.meta.runtime)}`;
  if (b.names[0] !== "meta" || b.names[1] !== "expvar") return `entries start ${b.names.slice(0, 2).join(", ")}`;
  const pprof = b.names.filter((n) => n.startsWith("pprof/"));
  if (pprof.length > 0) return `pprof entries present: ${pprof.join(", ")}`;
  if (JSON.stringify(b.meta.capabilities) !== JSON.stringify(capabilities)) {
    return `capabilities differ from the adapter's declaration: ${JSON.stringify(b.meta.capabilities)}`;
  }
  for (const part of ["heap", "cpu", "trace"] as const) {
    const cap = b.meta.capabilities[part];
    if (cap?.ok !== false || cap.reason === "") return `capabilities.${part} does not say why it is absent`;
  }
  const heap = capabilities.heap;
  if (heap?.ok !== false || b.meta.skipped?.heap !== heap.reason) return "meta.skipped.heap lacks the reason";
  if (!/^1-[0-9a-f]{8}-[0-9a-f]{24}-0$/.test(b.meta.proc_id)) return `proc_id ${b.meta.proc_id}`;
  return "";
}

function parse(bytes: Uint8Array): Bundle | undefined {
  try {
    return readBundle(bytes);
  } catch {
    return undefined;
  }
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

async function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; type: string; body: Uint8Array }> {
  try {
    const res = await fetch(url, { headers, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    return { status: res.status, type: res.headers.get("content-type") ?? "", body: new Uint8Array(await res.arrayBuffer()) };
  } catch (e) {
    return { status: 0, type: "", body: new TextEncoder().encode(String(e)) };
  }
}

/** Polls S3 under `prefix` until an object's bundle matches, or gives up. */
async function waitForObject(
  s3: S3Client,
  prefix: string,
  match: (b: Bundle, bytes: Uint8Array) => boolean,
): Promise<{ key: string; bundle: Bundle } | undefined> {
  const seen = new Set<string>();
  let found: { key: string; bundle: Bundle } | undefined;
  await waitFor(async () => {
    for (const o of await s3.list(prefix)) {
      if (seen.has(o.key)) continue;
      seen.add(o.key);
      const bytes = await s3.get(o.key);
      const b = parse(bytes);
      if (b !== undefined && match(b, bytes)) {
        found = { key: o.key, bundle: b };
        return true;
      }
    }
    return false;
  }, S3_WAIT_MS);
  return found;
}

async function waitFor(probe: () => Promise<boolean>, ms: number, abandon?: Promise<unknown>): Promise<boolean> {
  const deadline = Date.now() + ms;
  let gone = false;
  void abandon?.then(() => (gone = true));
  while (Date.now() < deadline && !gone) {
    if (await probe().catch(() => false)) return true;
    await sleep(200);
  }
  return false;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function tailLog(): string {
  try {
    return fs.readFileSync(path.join(state, "workerd.log"), "utf8").split("\n").slice(-30).join("\n");
  } catch {
    return "(no workerd.log)";
  }
}

const watchdog = setTimeout(() => {
  check(`the workerd target finishes within ${OVERALL_TIMEOUT_MS / 1000} s`, false, tailLog());
  finish();
}, OVERALL_TIMEOUT_MS);

function finish(): void {
  clearTimeout(watchdog);
  if (workerd !== undefined && workerd.exitCode === null && workerd.signalCode === null) workerd.kill("SIGKILL");
  if (failed === 0 && process.env.AUTOPROF_WORKERD_KEEP !== "1") fs.rmSync(state, { recursive: true, force: true });
  else console.log(`# kept ${state} (config.capnp, bundled workers, workerd.log)`);
  console.log(`workerd: ${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

main().catch((e) => {
  if (!(e instanceof StopRun)) check("the workerd target runs without crashing", false, e instanceof Error ? e.stack ?? e.message : String(e));
}).finally(finish);
