import { test } from "node:test";
import assert from "node:assert/strict";
import { collectBundle } from "../../src/collect.ts";
import { readBundle } from "../../src/read_bundle.ts";
import { createDenoAdapter, DENO_TRACE_REASON } from "./adapter.ts";
import type { DenoApi } from "./deno_api.ts";

/** A Deno namespace that grants nothing (what `deno run` without flags sees). */
function deniedDeno(): DenoApi {
  const denied = (): never => {
    throw new Error("NotCapable: Requires permission");
  };
  return {
    pid: 7,
    version: { deno: "2.9.6" },
    mainModule: "file:///srv/app/main.ts",
    hostname: denied,
    memoryUsage: () => ({ rss: 100, heapTotal: 50, heapUsed: 40, external: 1 }),
    env: { get: denied },
    readTextFileSync: denied,
    permissions: { querySync: () => ({ state: "prompt" }) },
  };
}

test("createDenoAdapter() without --allow-sys reports CPU and heap missing, naming the flag", async () => {
  const adapter = await createDenoAdapter({ deno: deniedDeno() });
  const caps = adapter.capabilities();
  for (const part of ["cpu", "heap"] as const) {
    const cap = caps[part];
    assert.equal(cap?.ok, false);
    assert.match(cap.ok ? "" : cap.reason, /--allow-sys/);
  }
  assert.deepEqual(caps.trace, { ok: false, reason: DENO_TRACE_REASON });
  assert.equal(adapter.cpu, undefined);
  assert.equal(adapter.heap, undefined);
  assert.equal(adapter.runtime, "deno");
  assert.equal(adapter.runtimeVersion, "2.9.6");
  assert.deepEqual(adapter.processInfo(), { pid: 7, hostname: "", main: "main", revision: "" });
});

test("a bundle from the Deno adapter without permissions records why CPU and heap are missing", async () => {
  const adapter = await createDenoAdapter({ deno: deniedDeno() });
  const { bytes } = await collectBundle(adapter, { cpuProfileDuration: 50 });
  const { meta, names, entries } = readBundle(bytes);
  assert.deepEqual(names, ["meta", "expvar", "pprof/resources"]);
  assert.match(meta.skipped?.cpu ?? "", /--allow-sys/);
  assert.match(meta.skipped?.heap ?? "", /--allow-sys/);
  const expvar = JSON.parse(new TextDecoder().decode(entries.get("expvar")));
  assert.equal(expvar.runtime.memory.rss, 100);
  assert.equal(expvar.runtime.permissions.inspector, "prompt");
  assert.match(expvar.runtime.hostname_unavailable, /--allow-sys=hostname/);
  assert.equal(typeof expvar.runtime.event_loop.timer_drift_ms.count, "number");
});

test("createDenoAdapter() off Deno without a namespace rejects with a TypeError", async () => {
  if ((globalThis as { Deno?: unknown }).Deno !== undefined) {
    // On Deno the real namespace is found: the adapter must then load.
    const adapter = await createDenoAdapter();
    assert.equal(adapter.runtime, "deno");
    return;
  }
  await assert.rejects(createDenoAdapter(), TypeError);
});

test("the Deno adapter's CPU profile asks the heap size first, to start on a collected heap when it is small", {
  skip: (globalThis as { Deno?: unknown }).Deno === undefined && "Deno only (the real inspector)",
}, async () => {
  const real = (globalThis as unknown as { Deno: DenoApi }).Deno;
  let asked = 0;
  const deno: DenoApi = Object.create(real, {
    memoryUsage: {
      value: () => {
        asked++;
        return { ...real.memoryUsage(), heapUsed: 1 };
      },
    },
  });
  const adapter = await createDenoAdapter({ deno });
  assert.ok(adapter.cpu, "CPU profiles need deno test -A");
  const before = asked;
  // Nothing else holds the process open here: the GC's reply must not be
  // lost to Deno ending the event loop (it does not count V8's pending
  // task as work).
  const r = await adapter.cpu({ durationMs: 50, byteTarget: 0, signal: new AbortController().signal });
  assert.ok(r.ok, r.ok ? "" : r.skipped);
  assert.equal(asked - before, 1, "memoryUsage() read once per profile");
});
