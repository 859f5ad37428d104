import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import process from "node:process";
import { fileURLToPath } from "node:url";

const isTs = import.meta.url.endsWith(".ts");
const app = fileURLToPath(new URL(`./testdata/exit_app.${isTs ? "ts" : "js"}`, import.meta.url));

/** Runs the fixture with this test's runtime; sends `signal` after "ready". */
function run(mode: string, signal?: NodeJS.Signals): Promise<{ out: string[]; code: number | null; signal: string | null }> {
  const g = globalThis as { Deno?: unknown };
  const args = g.Deno ? ["run", "-A", "--no-check", app, mode] : [app, mode];
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
  let text = "";
  child.stdout!.setEncoding("utf8");
  child.stdout!.on("data", (d: string) => {
    text += d;
    if (signal && text.includes("ready\n") && !text.includes("sent\n")) {
      text += "sent\n";
      // Not child.kill(): Deno then reports the signal as the cause of exit
      // even when the child exited by itself with a code.
      process.kill(child.pid!, signal);
    }
  });
  const killer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  return new Promise((resolve) => {
    child.on("close", (code, sig) => {
      clearTimeout(killer);
      resolve({ out: text.trim().split("\n"), code, signal: sig });
    });
  });
}

describe("installExitFlush", () => {
  it("installExitFlush() stores a last bundle when the event loop runs dry, then lets the process exit", async () => {
    const r = await run("exit");
    assert.deepEqual(r.out, ["stop", "flush start", "flush done", "done exit true"]);
    assert.equal(r.code, 0);
  });

  it("installExitFlush() on SIGTERM flushes, then terminates by the signal", async () => {
    const r = await run("signal", "SIGTERM");
    assert.deepEqual(r.out, ["ready", "sent", "stop", "flush start", "flush done", "done SIGTERM true"]);
    assert.equal(r.signal, "SIGTERM");
  });

  it("installExitFlush() on SIGINT flushes, then terminates by the signal", async () => {
    const r = await run("signal", "SIGINT");
    assert.deepEqual(r.out.slice(-2), ["flush done", "done SIGINT true"]);
    assert.equal(r.signal, "SIGINT");
  });

  it("installExitFlush() gives up on a flush that outlasts its time budget", async () => {
    const r = await run("signal hang", "SIGTERM");
    assert.deepEqual(r.out.slice(-3), ["stop", "flush start", "done SIGTERM timeout"]);
    assert.equal(r.signal, "SIGTERM");
  });

  it("installExitFlush() leaves exiting to the app's own SIGTERM handler", async () => {
    const r = await run("signal own-handler", "SIGTERM");
    assert.ok(r.out.includes("app handler"), r.out.join("|"));
    assert.ok(r.out.includes("flush start"), r.out.join("|"));
    assert.equal(r.code, 7, JSON.stringify(r));
  });
});
