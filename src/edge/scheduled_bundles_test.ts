// deno-lint-ignore-file require-await -- test doubles mirror async interfaces
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Meta, RuntimeAdapter } from "../types.ts";
import { readCounters } from "../expvar.ts";
import { readBundle } from "../read_bundle.ts";
import { scheduledBundlesWith } from "./scheduled_bundles.ts";

const adapter: RuntimeAdapter = {
  runtime: "other",
  runtimeVersion: "1",
  capabilities: () => ({}),
  processInfo: () => ({ pid: 1, hostname: "h", main: "cron-test", revision: "" }),
  stats: () => ({}),
};

const delta = (before: Record<string, number>, name: string) => (readCounters()[name] ?? 0) - (before[name] ?? 0);

describe("scheduledBundlesWith()", () => {
  it("scheduledBundlesWith() stores one bundle per event inside waitUntil, naming the cron", async () => {
    const stored: { meta: Meta; bytes: Uint8Array }[] = [];
    const pending: Promise<unknown>[] = [];
    const before = readCounters();
    const scheduled = scheduledBundlesWith(adapter, {
      sinkFromEnv: (env: { prefix: string }) => async (meta, bytes) => {
        stored.push({ meta, bytes });
        return { key: `${env.prefix}/k`, location: "mem" };
      },
      meta: { main: "cron-worker" },
    });
    const t = Date.UTC(2026, 10, 25, 3, 0, 0);
    const returned = scheduled({ cron: "*/5 * * * *", scheduledTime: t }, { prefix: "p" }, {
      waitUntil: (p: Promise<unknown>) => void pending.push(p),
    });
    assert.equal(pending.length, 1);
    const result = await returned;
    assert.ok(result.ok);
    assert.deepEqual(result.stored, { key: "p/k", location: "mem" });
    const bundle = readBundle(stored[0]!.bytes);
    assert.equal(bundle.meta.main, "cron-worker");
    assert.deepEqual(bundle.names, ["meta", "expvar", "custom/scheduled.json"]);
    assert.deepEqual(JSON.parse(new TextDecoder().decode(bundle.entries.get("custom/scheduled.json"))), {
      cron: "*/5 * * * *",
      scheduled_time: "2026-11-25T03:00:00.000Z",
    });
    assert.equal(delta(before, "autoprof.scheduled.stored"), 1);
  });

  it("scheduledBundlesWith() without describeEvent stores only meta, expvar and the given custom entries", async () => {
    const stored: Uint8Array[] = [];
    const scheduled = scheduledBundlesWith(adapter, {
      sink: async (_m, b) => void stored.push(b),
      describeEvent: false,
      custom: { "note.txt": () => "n" },
    });
    await scheduled({}, {}, undefined);
    assert.deepEqual(readBundle(stored[0]!).names, ["meta", "expvar", "custom/note.txt"]);
  });

  it("scheduledBundlesWith() reports a sink factory that throws and a sink that rejects", async () => {
    const errors: string[] = [];
    const before = readCounters();
    const throwing = scheduledBundlesWith(adapter, {
      sinkFromEnv: () => {
        throw new TypeError("missing binding R2_BUCKET");
      },
      onError: (e, c) => errors.push(`${c.phase}: ${String(e)}`),
    });
    const r1 = await throwing({ cron: "0 * * * *" }, {}, undefined);
    assert.equal(r1.ok, false);
    const rejecting = scheduledBundlesWith(adapter, {
      sink: () => Promise.reject(new Error("403 AccessDenied")),
      onError: (e, c) => errors.push(`${c.phase}: ${String(e)}`),
    });
    const r2 = await rejecting({ cron: "0 * * * *" }, {}, undefined);
    assert.equal(r2.ok, false);
    assert.deepEqual(errors, ["store: TypeError: missing binding R2_BUCKET", "store: Error: 403 AccessDenied"]);
    assert.equal(delta(before, "autoprof.scheduled.store_errors"), 1);
  });

  it("scheduledBundlesWith() needs a sink", () => {
    assert.throws(() => scheduledBundlesWith(adapter, {}), /give "sink" or "sinkFromEnv"/);
  });
});
