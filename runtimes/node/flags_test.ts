import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { detectRuntime } from "../detect.ts";

// Flags that profile or trace the whole process are only set at startup,
// so these tests run a child Node with them.
const skip = detectRuntime() !== "node" && "Node adapter test";

const adapterUrl = new URL(import.meta.url.endsWith(".ts") ? "./adapter.ts" : "./adapter.js", import.meta.url).href;

interface ChildReport {
  cpu: { ok: boolean; skipped?: string };
  trace: { ok: boolean; skipped?: string };
  heap: { ok: boolean; detail?: string; reason?: string };
}

/** Runs a child Node with `flags`, which creates the adapter and tries each part. */
function runChild(flags: string[], env: Record<string, string> = {}): { report: ChildReport; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), "autoprof-flags-"));
  const script = join(dir, "child.mjs");
  writeFileSync(
    script,
    `import { createNodeAdapter } from ${JSON.stringify(adapterUrl)};
const adapter = await createNodeAdapter();
const signal = new AbortController().signal;
const cpu = await adapter.cpu({ durationMs: 50, byteTarget: 0, signal });
const trace = await adapter.trace({ durationMs: 50, byteTarget: 0, withCpuProfile: false, signal });
const strip = (r) => r.ok ? { ok: true } : r;
console.log(JSON.stringify({ cpu: strip(cpu), trace: strip(trace), heap: adapter.capabilities().heap }));
`,
  );
  const out = execFileSync(process.execPath, [...flags, script], {
    cwd: dir,
    encoding: "utf8",
    env: { ...process.env, NODE_OPTIONS: "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return { report: JSON.parse(out.trim().split("\n").pop()!), dir };
}

describe("busy flags", { skip }, () => {
  it("the Node adapter skips CPU under --cpu-prof and leaves Node's profile to be written", () => {
    const { report, dir } = runChild(["--cpu-prof", "--cpu-prof-dir=prof"]);
    try {
      assert.equal(report.cpu.ok, false);
      assert.match(report.cpu.skipped ?? "", /--cpu-prof/);
      assert.equal(report.trace.ok, true);
      assert.ok(readdirSync(join(dir, "prof")).some((f) => f.endsWith(".cpuprofile")), "Node wrote its profile");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const nodeMajor = Number((globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node?.split(".")[0]);
  it("the Node adapter skips CPU when NODE_OPTIONS has --cpu-prof", {
    skip: nodeMajor < 22 && "Node 20 refuses --cpu-prof in NODE_OPTIONS",
  }, () => {
    const { report, dir } = runChild([], { NODE_OPTIONS: "--cpu-prof --cpu-prof-dir=prof" });
    try {
      assert.match(report.cpu.skipped ?? "", /--cpu-prof/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the Node adapter skips the trace under --trace-events-enabled", () => {
    const { report, dir } = runChild(["--trace-events-enabled"]);
    try {
      assert.equal(report.trace.ok, false);
      assert.match(report.trace.skipped ?? "", /trace/);
      assert.equal(report.cpu.ok, true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the Node adapter reads the heap sampler --heap-prof started, with its interval", () => {
    const { report, dir } = runChild(["--heap-prof", "--heap-prof-dir=prof", "--heap-prof-interval=65536"]);
    try {
      assert.equal(report.heap.ok, true);
      assert.match(report.heap.detail ?? "", /65536 bytes.*--heap-prof/);
      assert.ok(readdirSync(join(dir, "prof")).some((f) => f.endsWith(".heapprofile")), "Node wrote its profile");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
