/**
 * Conformance: the `autoprof` CLI reads bundles made by the runtime running
 * this test (so the Node, Deno and Bun runs together cover every runtime's
 * bundles): `ls` finds them with their parts, `show --json` returns their
 * meta, `extract` writes files `go tool pprof` reads, and the real entry
 * point (`runtimes/cli.ts`, built or not) runs as a program.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { readBundle } from "../../mod.ts";
import { collectBundle } from "../../src/collect.ts";
import type { RuntimeAdapter } from "../../src/types.ts";
import { loadAdapter } from "../../runtimes/detect.ts";
import { fsSink } from "../../src/sinks/fs.ts";
import { nodeFsOps } from "../../runtimes/_fs/node_fs_ops.ts";
import { runCli } from "../../src/cli/main.ts";
import type { CliHost } from "../../src/cli/host.ts";
import { nodeCliFs } from "../../runtimes/_cli/host.ts";
import { capture } from "../../src/cli/testdata/memory_host.ts";
import { goPprofRaw, repoRoot, runningFamily } from "./_support.ts";

let dir = "";
const stored: { key: string; names: string[]; meta: Awaited<ReturnType<typeof readBundle>>["meta"] }[] = [];

function host(): CliHost & { stdout: ReturnType<typeof capture>; stderr: ReturnType<typeof capture> } {
  return { stdout: capture(), stderr: capture(), env: {}, fs: nodeCliFs };
}

describe(`autoprof CLI on ${runningFamily()} bundles`, () => {
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "autoprof-cli-"));
    const sink = fsSink({ dir }, nodeFsOps);
    // Heap profiles taken back to back: the adapter would ration them (each
    // forces a GC on V8's inspector); these bundles are CLI input, so force.
    const detected = await loadAdapter();
    const adapter: RuntimeAdapter = detected.heap === undefined
      ? detected
      : { ...detected, heap: (signal) => detected.heap!(signal, { force: true }) };
    for (let i = 0; i < 2; i++) {
      const { bytes } = await collectBundle(adapter, { cpuProfileDuration: 150, meta: { main: "cli-conformance", revision: `r${i}` } });
      const bundle = readBundle(bytes);
      const result = (await sink(bundle.meta, bytes))!;
      stored.push({ key: result.key, names: bundle.names, meta: bundle.meta });
    }
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("ls lists this runtime's bundles with the entries each holds", async () => {
    const h = host();
    assert.equal(await runCli(["ls", "--store", dir, "--json"], h), 0, h.stderr.text);
    const rows = JSON.parse(h.stdout.text) as { key: string; runtime: string; entries: string[] }[];
    assert.deepEqual(rows.map((r) => r.key).sort(), stored.map((s) => s.key).sort());
    for (const r of rows) {
      assert.equal(r.runtime, runningFamily());
      assert.deepEqual(r.entries, stored.find((s) => s.key === r.key)!.names);
    }
    const table = host();
    assert.equal(await runCli(["ls", "--store", dir, "--main", "cli-conformance"], table), 0);
    assert.equal(table.stdout.text.trimEnd().split("\n").length, 3);
    assert.match(table.stdout.text, new RegExp(`${runningFamily()} \\S+ +[\\d.]+ (B|KiB|MiB) +heap`));
  });

  it("show --json returns the bundle's meta and every entry", async () => {
    const h = host();
    const { key, meta, names } = stored[1]!;
    assert.equal(await runCli(["show", "--store", dir, "--json", key.slice(-28)], h), 0, h.stderr.text);
    const out = JSON.parse(h.stdout.text);
    assert.deepEqual(out.meta, meta);
    assert.deepEqual(out.entries.map((e: { name: string }) => e.name), names);
    for (const e of out.entries) if (e.name.startsWith("pprof/") && e.name !== "pprof/trace") assert.match(e.content, /^pprof: /);
  });

  it("extract writes pprof files that go tool pprof reads", async () => {
    const h = host();
    const out = path.join(dir, "extracted");
    assert.equal(await runCli(["extract", "--store", dir, stored[1]!.key, out], h), 0, h.stderr.text);
    const pprofEntries = stored[1]!.names.filter((n) => n.startsWith("pprof/") && n !== "pprof/trace");
    assert.ok(pprofEntries.includes("pprof/heap") || stored[1]!.meta.capabilities.heap?.ok === false);
    for (const entry of pprofEntries) {
      const file = path.join(out, `${entry.slice(6)}.pb.gz`);
      const raw = goPprofRaw(new Uint8Array(fs.readFileSync(file)), file);
      assert.ok(raw.sampleTypes.length > 0, `${entry}: ${raw.text.slice(0, 200)}`);
    }
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(out, "meta.json"), "utf8")), stored[1]!.meta);
  });

  it("merge sums both bundles' heap profiles into one that go tool pprof reads", async () => {
    const h = host();
    const out = path.join(dir, "heap.pb.gz");
    if (!stored.every((s) => s.names.includes("pprof/heap"))) {
      assert.equal(stored[0]!.meta.capabilities.heap?.ok, false, "heap is missing only where the runtime cannot capture it");
      return;
    }
    assert.equal(await runCli(["merge", "--store", dir, "--main", "cli-conformance", "--profile", "heap", "-o", out], h), 0, h.stderr.text);
    const merged = goPprofRaw(new Uint8Array(fs.readFileSync(out)), out);
    const parts = stored.map((s) => {
      const file = path.join(dir, s.key);
      return goPprofRaw(readBundle(new Uint8Array(fs.readFileSync(file))).entries.get("pprof/heap")!, s.key);
    });
    assert.deepEqual(merged.sampleTypes, parts[0]!.sampleTypes);
    assert.deepEqual(merged.totals, parts[0]!.totals.map((t, i) => t + parts[1]!.totals[i]!));
  });

  it("the autoprof entry point runs as a program on this runtime", () => {
    const here = fileURLToPath(import.meta.url);
    const fromSource = here.endsWith(".ts");
    const root = repoRoot();
    const entry = fromSource ? path.join(root, "runtimes", "cli.ts") : path.join(root, "dist", "runtimes", "cli.js");
    const args = runningFamily() === "deno" ? ["run", "-A", entry] : [entry];
    const out = execFileSync(process.execPath, [...args, "ls", "--store", dir, "--fast"], { cwd: root, encoding: "utf8" });
    for (const s of stored) assert.ok(out.includes(s.key), out);
    const help = execFileSync(process.execPath, [...args, "--help"], { cwd: root, encoding: "utf8" });
    assert.match(help, /^Usage: autoprof COMMAND/);
  });
});
