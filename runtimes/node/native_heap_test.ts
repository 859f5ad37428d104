import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { detectRuntime } from "../detect.ts";
import { loadNativeHeapStarter } from "./native_heap.ts";

// The sampler is one per isolate and starts once: each case runs in a
// fresh child Node.
const skip = detectRuntime() !== "node" && "Node adapter test (the addon is a Node addon)";

const ext = import.meta.url.endsWith(".ts") ? "ts" : "js";
const samplerUrl = new URL(`../_inspector/heap_sampler.${ext}`, import.meta.url).href;
const nativeUrl = new URL(`./native_heap.${ext}`, import.meta.url).href;

interface ChildReport {
  nativeOk: boolean;
  nativeReason?: string;
  started: boolean;
  forcesGc: boolean;
  detail: string;
  majorGcs: number;
  retainedSeen: boolean;
}

/** Starts a sampler in a child Node (`source`: how), reads it once, counts major GCs during the read. */
function runChild(source: "native" | "inspector" | "broken-native"): ChildReport {
  const dir = mkdtempSync(join(tmpdir(), "autoprof-native-heap-"));
  const script = join(dir, "child.mjs");
  writeFileSync(
    script,
    `import { constants, PerformanceObserver } from "node:perf_hooks";
import { HeapSampler } from ${JSON.stringify(samplerUrl)};
import { loadNativeHeapStarter } from ${JSON.stringify(nativeUrl)};
const native = loadNativeHeapStarter();
const source = ${JSON.stringify(source)};
const startNative = source === "native" && native.ok ? native.start
  : source === "broken-native" ? () => { throw new Error("no addon here"); } : undefined;
const started = await HeapSampler.start({ startNative });
if (!started.ok) throw new Error(started.reason);
let majors = 0;
const observer = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) if (e.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) majors++;
});
observer.observe({ entryTypes: ["gc"] });
const keep = [];
function retainInNativeHeapChild() {
  for (let i = 0; i < 300000; i++) keep.push({ i, text: "value " + i });
}
retainInNativeHeapChild();
await new Promise((r) => setTimeout(r, 100));
const before = majors;
const { profile } = await started.sampler.snapshot();
await new Promise((r) => setTimeout(r, 100));
const names = new Set();
const walk = (n) => { names.add(n.callFrame.functionName); for (const c of n.children) walk(c); };
walk(profile.head);
console.log(JSON.stringify({
  nativeOk: native.ok, nativeReason: native.ok ? undefined : native.reason, started: true,
  forcesGc: started.sampler.forcesGc, detail: started.sampler.detail, majorGcs: majors - before,
  retainedSeen: names.has("retainInNativeHeapChild") && keep.length > 0,
}));
`,
  );
  try {
    const out = execFileSync(process.execPath, [script], {
      cwd: dir,
      encoding: "utf8",
      env: { ...process.env, NODE_OPTIONS: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    return JSON.parse(out.trim().split("\n").pop()!);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("native heap sampler", { skip }, () => {
  it("a sampler the inspector started forces a full GC on every read", () => {
    const r = runChild("inspector");
    assert.equal(r.forcesGc, true);
    assert.ok(r.majorGcs >= 1, `${r.majorGcs} major GCs during the read`);
    assert.ok(r.retainedSeen, "the retaining function is in the profile");
    assert.match(r.detail, /forces a full GC, rationed to 0\.5 %/);
  });

  it("with @datadog/pprof installed, the sampler starts natively and is read without a full GC", () => {
    const r = runChild("native");
    if (!r.nativeOk) {
      // Not installed here: autoprof must say so, and the inspector's
      // sampler (checked above) is what runs.
      assert.match(r.nativeReason ?? "", /@datadog\/pprof is not installed/);
      assert.equal(r.forcesGc, true);
      return;
    }
    assert.equal(r.forcesGc, false);
    assert.equal(r.majorGcs, 0, "no major GC during the read");
    assert.ok(r.retainedSeen, "the retaining function is in the profile");
    assert.match(r.detail, /started by @datadog\/pprof's addon without a forced GC/);
  });

  it("a native starter that fails leaves the inspector's sampler, which works", () => {
    const r = runChild("broken-native");
    assert.equal(r.forcesGc, true);
    assert.ok(r.retainedSeen);
  });

  it("loadNativeHeapStarter() says why when the package cannot be found", () => {
    const r = loadNativeHeapStarter({ resolveFrom: [join(tmpdir(), "autoprof-nowhere", "x.js")] });
    assert.equal(r.ok, false);
    assert.match(!r.ok ? r.reason : "", /@datadog\/pprof is not installed/);
  });
});
