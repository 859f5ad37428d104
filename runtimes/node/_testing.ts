/**
 * Test helpers for the Node adapter (not part of the package).
 *
 * @module
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as traceEvents from "node:trace_events";

/**
 * Turns on `node:trace_events` tracing for `categories` while `body` runs.
 *
 * Node's trace_events writer opens `node_trace.1.log` in the working
 * directory when tracing first starts and keeps it open for the process,
 * recording every later trace too (megabytes, from the inspector traces
 * of other tests). Starting it from a temporary directory, removed
 * afterwards, keeps test runs from leaving that file in the project.
 *
 * @example
 * ```ts
 * import { withTraceEvents } from "./_testing.ts";
 * await withTraceEvents(["node.perf"], async () => {});
 * ```
 */
export async function withTraceEvents<T>(
  categories: string[],
  body: (tracing: traceEvents.Tracing) => Promise<T>,
): Promise<T> {
  const home = process.cwd();
  const dir = mkdtempSync(join(tmpdir(), "autoprof-trace-events-"));
  const tracing = traceEvents.createTracing({ categories });
  try {
    process.chdir(dir);
    try {
      tracing.enable();
    } finally {
      process.chdir(home);
    }
    return await body(tracing);
  } finally {
    tracing.disable();
    rmSync(dir, { recursive: true, force: true });
  }
}
