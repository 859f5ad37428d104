// End to end: `autoprof view` on a real bundle collected in this test,
// opened in Debian's headless Chromium through playwright-core. The page
// loads offline, lists the bundle, draws a flame graph of its CPU profile
// and a timeline of its trace, and clicking a frame zooms into it.
// `npm test` apt-installs chromium on a fresh machine.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { collect, readBundle } from "../../mod.ts";
import { fsSink } from "../sinks/fs.ts";
import { nodeFsOps } from "../../runtimes/_fs/node_fs_ops.ts";
import { nodeCliFs } from "../../runtimes/_cli/host.ts";
import { nodeServe } from "../../runtimes/_cli/serve.ts";
import { runCli } from "../cli/main.ts";
import { capture } from "../cli/testdata/memory_host.ts";

const CHROMIUM = "/usr/bin/chromium";
// playwright-core drives the browser over a pipe from Node; the Node run covers the viewer.
const g = globalThis as { Deno?: unknown; Bun?: unknown };
const skip = (g.Deno !== undefined || g.Bun !== undefined) && "playwright-core launches Chromium from Node only; the Node runs cover the viewer";

function spinForViewerTest(ms: number): number {
  const end = Date.now() + ms;
  let x = 0;
  while (Date.now() < end) x += Math.sqrt(x + 1);
  return x;
}

describe("autoprof view in Chromium", { skip }, () => {
  it("the viewer lists a real bundle, draws its flame graph and trace, and zooms into a clicked frame", async () => {
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: run \`npm test\` (scripts/test.sh apt-installs chromium)`);
    let stop = false;
    const burnForViewerTest = (): void => {
      if (stop) return;
      spinForViewerTest(5);
      setTimeout(burnForViewerTest, 0);
    };
    burnForViewerTest();
    let bytes: Uint8Array;
    try {
      bytes = await collect({ cpuProfileDuration: 400, traceDuration: 300, meta: { main: "viewer-e2e" } });
    } finally {
      stop = true;
    }
    const bundle = readBundle(bytes);
    assert.ok(bundle.names.includes("pprof/profile"), `a CPU profile: ${JSON.stringify(bundle.meta.skipped)}`);
    const dir = mkdtempSync(join(tmpdir(), "autoprof-view-"));
    await fsSink({ dir }, nodeFsOps)(bundle.meta, bytes);

    let interrupt!: () => void;
    const host = {
      stdout: capture(),
      stderr: capture(),
      env: {},
      fs: nodeCliFs,
      serve: nodeServe,
      interrupted: new Promise<void>((resolve) => interrupt = resolve),
    };
    const running = runCli(["view", dir, "--port", "0"], host);
    const { chromium } = await import("playwright-core");
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
    });
    try {
      for (let i = 0; i < 200 && !/http:\/\/\S+/.test(host.stdout.text); i++) await new Promise((r) => setTimeout(r, 50));
      const url = /http:\/\/\S+\//.exec(host.stdout.text)?.[0];
      assert.ok(url !== undefined, `the viewer printed its URL: ${host.stdout.text} ${host.stderr.text}`);

      const page = await browser.newPage();
      const errors: string[] = [];
      const foreign: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      page.on("request", (r) => {
        if (!r.url().startsWith(url)) foreign.push(r.url());
      });
      await page.goto(url);
      await page.locator(".bundle-link").first().click();

      const flame = page.locator('.flame[data-entry="pprof/profile"]');
      await flame.locator(".frame").first().waitFor({ timeout: 30_000 });
      assert.equal(await flame.getAttribute("data-zoom"), "");
      assert.equal(await flame.locator(".frame.ancestor").count(), 0);
      const burn = flame.locator(".frame", { hasText: /spinForViewerTest|burnForViewerTest/ }).first();
      await burn.waitFor({ timeout: 10_000 });
      const path = await burn.getAttribute("data-path");
      assert.ok(path !== null && path !== "", "a frame below the root");
      const before = await burn.evaluate((e) => (e as HTMLElement).style.width);
      await burn.click();
      // Zoomed: the container records the frame's path, the frame fills the
      // width, and its callers are drawn above it as ancestors.
      await page.waitForFunction((p) => document.querySelector('.flame[data-entry="pprof/profile"]')?.getAttribute("data-zoom") === p, path);
      const zoomed = flame.locator(`.frame[data-path="${path}"]:not(.ancestor)`);
      assert.equal(await zoomed.evaluate((e) => (e as HTMLElement).style.width), "100%");
      // Its callers (root included) turned into full-width ancestors; the
      // frame itself grew unless every sample was in it already.
      assert.equal(await flame.locator(".frame.ancestor").count(), path!.split(".").length);
      assert.equal(await flame.locator('.frame.ancestor[data-path=""]').count(), 1);
      if (before !== "100%") assert.ok(parseFloat(before) < 100, `width before zoom: ${before}`);
      await flame.locator('.frame.ancestor[data-path=""]').click();
      await page.waitForFunction(() => document.querySelector('.flame[data-entry="pprof/profile"]')?.getAttribute("data-zoom") === "");

      if (bundle.names.includes("pprof/trace")) {
        await page.locator(".timeline .lane .ev").first().waitFor({ timeout: 30_000 });
        assert.ok(await page.locator(".timeline .lane").count() >= 1);
      } else {
        assert.ok(bundle.meta.capabilities.trace?.ok === false || bundle.meta.skipped?.trace, "no trace only when the runtime could not take one");
      }
      // Every other pprof entry gets a flame graph too (or says it has no samples), without errors.
      await page.waitForFunction(() =>
        [...document.querySelectorAll(".flame")].every((f) => f.querySelector(".frame") !== null || /No samples/.test(f.textContent ?? ""))
      );
      assert.equal(await page.locator(".flame").count(), bundle.names.filter((n) => n.startsWith("pprof/") && n !== "pprof/trace").length);
      assert.equal(await page.locator(".error").count(), 0);
      if (process.env.AUTOPROF_VIEWER_SCREENSHOT) await page.screenshot({ path: process.env.AUTOPROF_VIEWER_SCREENSHOT, fullPage: true });
      assert.deepEqual(errors, []);
      assert.deepEqual(foreign, [], "nothing loaded from anywhere else");
    } finally {
      await browser.close();
      interrupt();
      assert.equal(await running, 0);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
