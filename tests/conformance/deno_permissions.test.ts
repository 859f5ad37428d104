/**
 * Conformance (Deno): autoprof in a Deno process without permissions never
 * crashes or prompts: the bundle still has meta, expvar and
 * pprof/resources, and says which flag CPU and heap profiles need.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { repoRoot, runningFamily } from "./_support.ts";

const onDeno = runningFamily() === "deno";
const skip = onDeno ? false : "spawns `deno run`: runs under deno test only";

interface AppResult {
  meta: { hostname: string; capabilities: Record<string, { ok: boolean; reason?: string }>; skipped?: Record<string, string> };
  names: string[];
  runtime: { permissions: Record<string, string>; hostname_unavailable?: string };
}

/** The part of `Deno.Command` used here (typed locally: tsc has no Deno types). */
interface DenoCommandApi {
  execPath(): string;
  Command: new (cmd: string, options: { args: string[]; env?: Record<string, string>; stdin?: "null" }) => {
    outputSync(): { code: number; stdout: Uint8Array; stderr: Uint8Array };
  };
}

/**
 * Runs the app under `deno run` with exactly `flags`. Through `Deno.Command`,
 * not node:child_process: Deno's child_process rewrites a spawn of its own
 * executable and grants the child every permission.
 */
function runApp(flags: string[]): AppResult {
  const deno = (globalThis as unknown as { Deno: DenoCommandApi }).Deno;
  const root = repoRoot();
  const args = [
    "run",
    "--no-prompt",
    `--config=${path.join(root, "deno.json")}`,
    ...flags,
    path.join(root, "tests/conformance/testdata/deno_permissions_app.ts"),
  ];
  const out = new deno.Command(deno.execPath(), { args, env: { NO_COLOR: "1" }, stdin: "null" }).outputSync();
  const stdout = new TextDecoder().decode(out.stdout);
  assert.equal(out.code, 0, `deno ${args.join(" ")} failed:\n${new TextDecoder().decode(out.stderr)}`);
  return JSON.parse(stdout.trim().split("\n").pop()!);
}

test("deno run without permissions: a bundle without CPU and heap, naming --allow-sys", { skip }, () => {
  const r = runApp([]);
  assert.deepEqual(r.names, ["meta", "expvar", "pprof/resources"]);
  for (const part of ["cpu", "heap"]) {
    assert.equal(r.meta.capabilities[part].ok, false);
    assert.match(r.meta.capabilities[part].reason!, /--allow-sys/);
    assert.equal(r.meta.skipped?.[part], r.meta.capabilities[part].reason);
  }
  assert.equal(r.meta.hostname, "");
  assert.match(r.runtime.hostname_unavailable ?? "", /--allow-sys=hostname/);
  assert.equal(r.runtime.permissions.inspector, "prompt");
});

test("deno run --allow-sys=hostname: hostname known, profiles still need --allow-sys", { skip }, () => {
  const r = runApp(["--allow-sys=hostname"]);
  assert.notEqual(r.meta.hostname, "");
  assert.equal(r.runtime.hostname_unavailable, undefined);
  assert.match(r.meta.capabilities.cpu.reason ?? "", /--allow-sys/);
  assert.ok(!r.names.includes("pprof/profile"));
});

test("deno run --allow-sys: CPU and heap profiles", { skip }, () => {
  const r = runApp(["--allow-sys"]);
  assert.equal(r.meta.capabilities.cpu.ok, true);
  assert.equal(r.meta.capabilities.heap.ok, true);
  assert.deepEqual(r.names, ["meta", "expvar", "pprof/heap", "pprof/allocs", "pprof/resources", "pprof/profile"]);
  assert.equal(r.meta.skipped?.cpu, undefined);
});
