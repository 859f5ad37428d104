/**
 * Conformance: lambda-style use. A child process of this runtime handles
 * invocations through sampleInvocations() and is then stopped with
 * SIGTERM; flushOnExit() stores a last bundle. The bundles must be stored,
 * and the process must end even when the store never finishes (every
 * flush has a time budget).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { readBundle } from "../../src/read_bundle.ts";

const isTs = import.meta.url.endsWith(".ts");
const app = fileURLToPath(new URL(`./testdata/lambda_app.${isTs ? "ts" : "js"}`, import.meta.url));

/** Runs the app with this test's runtime; sends SIGTERM after "ready". */
function run(dir: string, mode: string): Promise<{ out: string[]; code: number | null; signal: string | null }> {
  const g = globalThis as { Deno?: unknown };
  const args = g.Deno ? ["run", "-A", "--no-check", app, dir, mode] : [app, dir, mode];
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
  let text = "";
  let sent = false;
  child.stdout!.setEncoding("utf8");
  child.stdout!.on("data", (d: string) => {
    text += d;
    if (!sent && text.includes("ready\n")) {
      sent = true;
      // Not child.kill(): Deno then reports the signal as the cause of exit
      // even when the child exited by itself with a code.
      process.kill(child.pid!, "SIGTERM");
    }
  });
  // Only a hung child gets here: the test then fails on the missing lines.
  const killer = setTimeout(() => child.kill("SIGKILL"), 90_000);
  return new Promise((resolve) => {
    child.on("close", (code, signal) => {
      clearTimeout(killer);
      resolve({ out: text.trim().split("\n"), code, signal });
    });
  });
}

function zips(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".zip")).map((f) => path.join(dir, f));
}

describe("lambda-style use", () => {
  it("sampleInvocations() stores a bundle per invocation and flushOnExit() one more on SIGTERM", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "autoprof-lambda-"));
    try {
      const r = await run(dir, "store");
      assert.deepEqual(r.out, [
        "flushed ok",
        "invocation 1 2",
        "flushed ok",
        "invocation 2 4",
        "ready",
        "exit flush SIGTERM true",
      ]);
      assert.equal(r.signal, "SIGTERM", JSON.stringify(r));
      const files = zips(dir);
      assert.equal(files.length, 3, files.join(", "));
      for (const f of files) {
        const { meta, names } = readBundle(fs.readFileSync(f));
        assert.equal(meta.main, "lambda-app");
        assert.deepEqual(names.slice(0, 2), ["meta", "expvar"]);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("every flush gives up at its budget, so a store that never finishes holds neither invocations nor exit", async () => {
    const r = await run("-", "hang");
    assert.deepEqual(r.out, [
      "flushed TimeoutError",
      "invocation 1 2",
      "flushed TimeoutError",
      "invocation 2 4",
      "ready",
      "exit flush SIGTERM timeout",
    ]);
    assert.equal(r.signal, "SIGTERM", JSON.stringify(r));
  });
});
