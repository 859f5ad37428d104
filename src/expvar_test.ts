// deno-lint-ignore-file require-await -- test doubles mirror async interfaces
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  addCounter,
  publish,
  readCounters,
  renderExpvar,
  RESERVED_VAR_NAMES,
  snapshotVars,
  unpublish,
} from "./expvar.ts";

/** Publishes for the duration of `fn` only (the registry is process-wide). */
async function withVars(vars: Record<string, unknown>, fn: () => Promise<void> | void): Promise<void> {
  for (const [k, v] of Object.entries(vars)) publish(k, v);
  try {
    await fn();
  } finally {
    for (const k of Object.keys(vars)) unpublish(k);
  }
}

describe("expvar", () => {
  it("publish() refuses to reuse a name, like Go's expvar.Publish", async () => {
    await withVars({ "test.dup": 1 }, () => {
      assert.throws(() => publish("test.dup", 2), { name: "Error", message: /reuse of exported var name: "test\.dup"/ });
    });
    // After unpublish the name is free again.
    publish("test.dup", 3);
    assert.equal(unpublish("test.dup"), true);
    assert.equal(unpublish("test.dup"), false);
  });

  it("publish() refuses names autoprof fills in itself, and empty or non-string names", () => {
    for (const name of RESERVED_VAR_NAMES) assert.throws(() => publish(name, 1), /reserved/);
    assert.throws(() => publish("", 1), TypeError);
    assert.throws(() => publish(7 as unknown as string, 1), TypeError);
  });

  it("snapshotVars() evaluates functions at snapshot time and reads objects as they are then", async () => {
    let n = 1;
    const live = { size: 1 };
    await withVars({ "test.fn": () => n, "test.obj": live, "test.async": async () => ({ n }) }, async () => {
      n = 2;
      live.size = 5;
      const s = await snapshotVars();
      assert.equal(s["test.fn"], 2);
      assert.deepEqual(s["test.obj"], { size: 5 });
      assert.deepEqual(s["test.async"], { n: 2 });
    });
  });

  it("snapshotVars() turns a throwing, rejecting or hanging var into an error object", async () => {
    await withVars({
      "test.throws": () => {
        throw new RangeError("boom");
      },
      "test.rejects": () => Promise.reject(new Error("nope")),
      "test.hangs": () => new Promise(() => {}),
      "test.fine": 1,
    }, async () => {
      const s = await snapshotVars({ timeoutMs: 20 });
      assert.deepEqual(s["test.throws"], { error: "RangeError: boom" });
      assert.deepEqual(s["test.rejects"], { error: "Error: nope" });
      assert.match((s["test.hangs"] as { error: string }).error, /Timed out after 20 ms/);
      assert.equal(s["test.fine"], 1);
    });
  });

  it("snapshotVars() stops waiting when the signal aborts", async () => {
    await withVars({ "test.hangs": () => new Promise(() => {}) }, async () => {
      const controller = new AbortController();
      const pending = snapshotVars({ signal: controller.signal });
      controller.abort(new Error("shutting down"));
      const s = await pending;
      assert.match((s["test.hangs"] as { error: string }).error, /Aborted: Error: shutting down/);
    });
  });

  it("snapshotVars() makes values JSON-safe: bigint, cycles, Map, Set, NaN, errors, dates", async () => {
    const cyclic: Record<string, unknown> = { name: "loop" };
    cyclic.self = cyclic;
    const shared = { x: 1 };
    await withVars({
      "test.values": () => ({
        big: 2n ** 70n,
        cyclic,
        twice: [shared, shared],
        map: new Map<unknown, unknown>([["a", 1], [2, 3n]]),
        set: new Set([1, "two"]),
        nan: NaN,
        inf: -Infinity,
        err: new TypeError("bad"),
        date: new Date(Date.UTC(2026, 0, 1)),
        skip: undefined,
        fn: () => 1,
        arr: [undefined, () => 1],
        bytes: new Uint8Array([1, 2]),
      }),
    }, async () => {
      const s = (await snapshotVars())["test.values"];
      assert.deepEqual(s, {
        big: "1180591620717411303424",
        cyclic: { name: "loop", self: "[Circular]" },
        twice: [{ x: 1 }, { x: 1 }],
        map: { a: 1, 2: "3" },
        set: [1, "two"],
        nan: "NaN",
        inf: "-Infinity",
        err: "TypeError: bad",
        date: "2026-01-01T00:00:00.000Z",
        arr: [null, null],
        bytes: [1, 2],
      });
      assert.doesNotThrow(() => JSON.stringify(s));
    });
  });

  it("snapshotVars() cuts off absurdly deep values instead of overflowing the stack", async () => {
    let deep: unknown = "bottom";
    for (let i = 0; i < 10_000; i++) deep = [deep];
    await withVars({ "test.deep": deep }, async () => {
      const text = JSON.stringify((await snapshotVars())["test.deep"]);
      assert.match(text, /\[Too deep\]/);
    });
  });

  it("renderExpvar() lays out vars, runtime stats and counters like Go's /debug/vars, keys in byte order", async () => {
    addCounter("autoprof.test.rendered", 2);
    await withVars({ "9": "nine", "10": "ten", "zeta": { z: 1 }, "\u{1F600}": 1, "\ufffd": 2 }, async () => {
      const text = await renderExpvar({ stats: () => ({ rss: 123, cmdline: ["node", "app.js"] }) });
      const doc = JSON.parse(text);
      assert.deepEqual(doc.runtime, { rss: 123, cmdline: ["node", "app.js"] });
      assert.equal(doc.autoprof["autoprof.test.rendered"] >= 2, true);
      // Go's expvar.Do order is byte order; JSON object order would put "9"
      // and "10" first as integer keys, so check the text itself.
      const keys = text.split("\n").slice(1, -2).map((line) => JSON.parse(line.slice(0, line.indexOf('": ') + 1)));
      const mine = keys.filter((k: string) => ["9", "10", "zeta", "\u{1F600}", "\ufffd", "autoprof", "runtime"].includes(k));
      assert.deepEqual(mine, ["10", "9", "autoprof", "runtime", "zeta", "\ufffd", "\u{1F600}"]);
      assert.ok(text.startsWith('{\n"'));
      assert.ok(text.endsWith("\n}\n"));
      assert.equal(text.split("\n").length, keys.length + 3);
    });
  });

  it("renderExpvar() records a failing stats() as an error instead of failing", async () => {
    const text = await renderExpvar({
      stats: () => {
        throw new Error("no stats");
      },
    });
    assert.deepEqual(JSON.parse(text).runtime, { error: "Error: no stats" });
  });

  it("addCounter() accumulates and readCounters() returns a sorted copy", () => {
    addCounter("autoprof.test.b");
    addCounter("autoprof.test.b", 2);
    addCounter("autoprof.test.a", 0.5);
    const c = readCounters();
    assert.equal(c["autoprof.test.b"], 3);
    assert.equal(c["autoprof.test.a"], 0.5);
    const keys = Object.keys(c);
    assert.ok(keys.indexOf("autoprof.test.a") < keys.indexOf("autoprof.test.b"));
    c["autoprof.test.b"] = 100;
    assert.equal(readCounters()["autoprof.test.b"], 3);
  });

  it("addCounter() rejects bad names and amounts", () => {
    assert.throws(() => addCounter(""), TypeError);
    assert.throws(() => addCounter("x", NaN), RangeError);
    assert.throws(() => addCounter("x", "1" as unknown as number), RangeError);
  });

  it("the registry is shared through a global symbol", async () => {
    await withVars({ "test.global": 1 }, () => {
      const reg = (globalThis as Record<symbol, { vars: Map<string, unknown> }>)[Symbol.for("autoprof.expvar")];
      assert.ok(reg.vars.has("test.global"));
    });
  });
});
