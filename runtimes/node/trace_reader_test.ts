import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { gunzip } from "../../src/gzip.ts";
import { repoRoot } from "../../tests/fixtures/pprof/helpers.ts";
import { detectRuntime } from "../detect.ts";
import { captureNodeTrace } from "./trace.ts";

// Opens a real trace in a real trace reader: speedscope's static build
// (npm `speedscope`) in Debian's headless Chromium, driven by
// playwright-core. `npm test` apt-installs chromium on a fresh machine.
const skip = detectRuntime() !== "node" && "Node adapter test";
const CHROMIUM = "/usr/bin/chromium";

function spinForTraceReaderTest(ms: number): number {
  const end = Date.now() + ms;
  let x = 0;
  while (Date.now() < end) x += Math.sqrt(x + 1);
  return x;
}

describe("trace in a trace reader", { skip }, () => {
  it("speedscope in Chromium imports the Node trace and lists the function that burned CPU", async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`Cannot run the trace reader test: ${CHROMIUM} is missing: run \`npm test\` (scripts/test.sh apt-installs chromium)`);
    }
    const speedscope = join(repoRoot(), "node_modules", "speedscope", "dist", "release", "index.html");
    assert.ok(existsSync(speedscope), "npm install put speedscope's static build in node_modules");

    let stopped = false;
    const burnLoopForTraceReaderTest = (): void => {
      if (stopped) return;
      spinForTraceReaderTest(4);
      setTimeout(burnLoopForTraceReaderTest, 0);
    };
    burnLoopForTraceReaderTest();
    let result;
    try {
      result = await captureNodeTrace({ durationMs: 400, byteTarget: 0, withCpuProfile: true, signal: new AbortController().signal });
    } finally {
      stopped = true;
    }
    assert.ok(result.ok, !result.ok ? result.skipped : "");

    const dir = mkdtempSync(join(tmpdir(), "autoprof-trace-reader-"));
    const file = join(dir, "autoprof-trace.json");
    writeFileSync(file, await gunzip(result.data));
    const { chromium } = await import("playwright-core");
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
    });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(pathToFileURL(speedscope).href);
      await page.setInputFiles("input[type=file]", file);
      // speedscope names the tab after the file once a profile is shown.
      await page.waitForFunction(() => document.title.startsWith("autoprof-trace.json"), null, { timeout: 30_000 });
      // The flame graph is drawn on a canvas; the sandwich view lists functions as text.
      assert.ok(await page.locator("canvas").count() > 0, "a flame graph canvas");
      await page.getByText("Sandwich").click();
      await page.getByText(/spinForTraceReaderTest|burnLoopForTraceReaderTest/).first().waitFor({ timeout: 10_000 });
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
