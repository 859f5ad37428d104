/**
 * Conformance: Go's busy semantics. While another profiler runs in the
 * process, collect() leaves the CPU profile out and says why in
 * `meta.skipped`; it never stops or disturbs the other profile.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as inspector from "node:inspector";
import { collect, currentMeta, readBundle } from "../../mod.ts";

const cpu = currentMeta().capabilities.cpu!;

function post<T = unknown>(session: inspector.Session, method: string, params: object = {}): Promise<T> {
  return new Promise((resolve, reject) => {
    session.post(method, params, (error, result) => (error ? reject(error) : resolve(result as T)));
  });
}

test(
  cpu.ok
    ? "collect() skips CPU when another profiler runs, and leaves that profile intact"
    : "collect() without a CPU profiler leaves pprof/profile out with the declared reason",
  async () => {
    if (!cpu.ok) {
      const { meta, names } = readBundle(await collect({ cpuProfileDuration: 50 }));
      assert.ok(!names.includes("pprof/profile"));
      assert.equal(meta.skipped?.cpu, cpu.reason);
      return;
    }
    const session = new inspector.Session();
    session.connect();
    try {
      await post(session, "Profiler.enable");
      await post(session, "Profiler.start");
      const { meta, names } = readBundle(await collect({ cpuProfileDuration: 100 }));
      assert.ok(!names.includes("pprof/profile"), "pprof/profile was captured although another profile ran");
      assert.ok((meta.skipped?.cpu ?? "").length > 0, "meta.skipped.cpu has no reason");
      assert.equal(meta.errors, undefined);
      const { profile } = await post<{ profile: { nodes: unknown[] } }>(session, "Profiler.stop");
      assert.ok(profile.nodes.length > 0, "the other profile was disturbed");
    } finally {
      session.disconnect();
    }
    // With the other profiler gone, the next bundle has its CPU profile.
    const { meta, names } = readBundle(await collect({ cpuProfileDuration: 100 }));
    assert.ok(names.includes("pprof/profile"), `skipped: ${JSON.stringify(meta.skipped)}`);
  },
);
