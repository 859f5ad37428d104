/**
 * Conformance: an adapter's CPU capture says when sampling has begun
 * (`onStarted`), once and before it resolves, and never for a capture it
 * skips. Benchmarks and load tests wait for it so that the profiler's
 * start-up (a worker, V8 logging the app's code) is not what they measure.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadAdapter } from "../../runtimes/detect.ts";

const adapter = await loadAdapter();
const never = new AbortController().signal;

test(
  adapter.cpu !== undefined
    ? "adapter.cpu() calls onStarted once, before it resolves, and not for a capture it skips"
    : "an adapter without a CPU profiler has no cpu() to call",
  async () => {
    if (adapter.cpu === undefined) {
      assert.equal(adapter.capabilities().cpu?.ok ?? false, false);
      return;
    }
    const events: string[] = [];
    const first = adapter.cpu({ durationMs: 300, byteTarget: 0, signal: never, onStarted: () => events.push("started") })
      .then((r) => {
        events.push("resolved");
        return r;
      });
    // While the first runs, a second is refused (one CPU profile at a time).
    const second = await adapter.cpu({
      durationMs: 50,
      byteTarget: 0,
      signal: never,
      onStarted: () => events.push("second started"),
    });
    const result = await first;
    if (!result.ok) {
      // Another profiler in the process (a flag, a debugger) refused it.
      assert.deepEqual(events, ["resolved"], `skipped (${result.skipped}) yet onStarted ran`);
      return;
    }
    assert.equal(second.ok, false, "a second CPU capture ran beside the first");
    assert.deepEqual(events, ["started", "resolved"]);
  },
);
