import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Meta, RuntimeAdapter } from "../types.ts";
import { acquireCapture } from "../capture_lock.ts";
import { readCounters } from "../expvar.ts";
import { readBundle } from "../read_bundle.ts";
import { sampleRequestsWith } from "./sample_requests.ts";

const adapter: RuntimeAdapter = {
  runtime: "other",
  runtimeVersion: "1",
  capabilities: () => ({}),
  processInfo: () => ({ pid: 1, hostname: "h", main: "edge-test", revision: "" }),
  stats: () => ({}),
};

/** A context whose waitUntil promises can be awaited by the test. */
function context() {
  const pending: Promise<unknown>[] = [];
  return { pending, ctx: { waitUntil: (p: Promise<unknown>) => void pending.push(p) } };
}

/** A sink recording bundles; each store waits until `release()` if `gated`. */
function recordingSink(gated = false) {
  const stored: { meta: Meta; bytes: Uint8Array }[] = [];
  let started = 0;
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const sink = async (meta: Meta, bytes: Uint8Array) => {
    started++;
    if (gated) await gate;
    stored.push({ meta, bytes });
  };
  return { sink, stored, release, started: () => started };
}

const delta = (before: Record<string, number>, name: string) => (readCounters()[name] ?? 0) - (before[name] ?? 0);

describe("sampleRequestsWith()", () => {
  it("sampleRequestsWith() returns the response before the sampled bundle's store finishes", async () => {
    const s = recordingSink(true);
    const { pending, ctx } = context();
    const fetch = sampleRequestsWith(adapter, () => new Response("hello", { status: 201 }), { oneIn: 1, sink: s.sink });
    const res = await fetch(new Request("http://app/x"), {}, ctx);
    assert.equal(res.status, 201);
    assert.equal(await res.text(), "hello");
    assert.equal(pending.length, 1, "the flush went to waitUntil");
    assert.equal(s.stored.length, 0, "nothing stored before the response was returned");
    // Let the collection reach the sink; it is still blocked there.
    while (s.started() === 0) await new Promise((r) => setTimeout(r, 1));
    assert.equal(s.stored.length, 0);
    s.release();
    await Promise.all(pending);
    assert.equal(s.stored.length, 1);
  });

  it("sampleRequestsWith() stores a bundle on 1 in oneIn invocations as chosen by the random source", async () => {
    const s = recordingSink();
    const { pending, ctx } = context();
    const draws = [0.0, 0.24, 0.25, 0.5, 0.99, 0.1];
    const fetch = sampleRequestsWith(adapter, () => new Response("ok"), {
      oneIn: 4,
      sink: s.sink,
      random: () => draws.shift()!,
    });
    for (let i = 0; i < 6; i++) {
      await fetch(new Request(`http://app/${i}`), {}, ctx);
      // One at a time: a sample that meets another capture is skipped.
      await Promise.all(pending);
    }
    assert.equal(pending.length, 3, "draws < 1/4 are chosen: 0.0, 0.24, 0.1");
    const paths = s.stored.map((b) => JSON.parse(new TextDecoder().decode(readBundle(b.bytes).entries.get("custom/request.json"))).path);
    assert.deepEqual(paths.sort(), ["/0", "/1", "/5"]);
  });

  it("sampleRequestsWith() describes the sampled request in custom/request.json without its query string", async () => {
    const s = recordingSink();
    const { pending, ctx } = context();
    let t = 100;
    const fetch = sampleRequestsWith(adapter, () => {
      t += 12;
      return new Response(null, { status: 404 });
    }, { oneIn: 7, sink: s.sink, random: () => 0, now: () => t, custom: { "extra.txt": () => "x" } });
    await fetch(new Request("http://app/items/9?token=secret", { method: "POST" }), {}, ctx);
    await Promise.all(pending);
    const bundle = readBundle(s.stored[0]!.bytes);
    assert.deepEqual(bundle.names, ["meta", "expvar", "custom/extra.txt", "custom/request.json"]);
    const request = JSON.parse(new TextDecoder().decode(bundle.entries.get("custom/request.json")));
    assert.deepEqual(
      { ...request, measured: undefined },
      { method: "POST", path: "/items/9", status: 404, duration_ms: 12, unit: "ms", measured: undefined, sampled: "1 in 7 invocations" },
    );
    assert.doesNotMatch(new TextDecoder().decode(s.stored[0]!.bytes), /secret/);
  });

  it("sampleRequestsWith() rethrows the handler's error and still stores the sampled bundle", async () => {
    const s = recordingSink();
    const { pending, ctx } = context();
    const boom = new TypeError("bad input");
    const fetch = sampleRequestsWith(adapter, () => Promise.reject(boom), { oneIn: 1, sink: s.sink });
    await assert.rejects(fetch(new Request("http://app/"), {}, ctx), (e) => e === boom);
    await Promise.all(pending);
    const request = JSON.parse(new TextDecoder().decode(readBundle(s.stored[0]!.bytes).entries.get("custom/request.json")));
    assert.equal(request.error, "TypeError: bad input");
    assert.equal(request.status, undefined);
  });

  it("sampleRequestsWith() leaves unsampled invocations alone: no waitUntil, no bundle", async () => {
    const s = recordingSink();
    const { pending, ctx } = context();
    const fetch = sampleRequestsWith(adapter, (_r, env: { n: number }) => new Response(String(env.n)), {
      oneIn: 2,
      sink: s.sink,
      random: () => 0.5,
    });
    assert.equal(await (await fetch(new Request("http://app/"), { n: 5 }, ctx)).text(), "5");
    assert.equal(pending.length, 0);
    assert.equal(s.stored.length, 0);
  });

  it("sampleRequestsWith() makes the sink from env on sampled invocations only", async () => {
    const s = recordingSink();
    const { pending, ctx } = context();
    const envs: unknown[] = [];
    const draws = [0.9, 0.1];
    const fetch = sampleRequestsWith(adapter, () => new Response("ok"), {
      oneIn: 2,
      random: () => draws.shift()!,
      sinkFromEnv: (env: { bucket: string }) => {
        envs.push(env);
        return s.sink;
      },
    });
    await fetch(new Request("http://app/"), { bucket: "a" }, ctx);
    await fetch(new Request("http://app/"), { bucket: "b" }, ctx);
    await Promise.all(pending);
    assert.deepEqual(envs, [{ bucket: "b" }]);
    assert.equal(s.stored.length, 1);
  });

  it("sampleRequestsWith() skips the sample, and counts it, while another capture holds the lock", async () => {
    const s = recordingSink();
    const { pending, ctx } = context();
    const before = readCounters();
    const release = await acquireCapture();
    try {
      const fetch = sampleRequestsWith(adapter, () => new Response("ok"), { oneIn: 1, sink: s.sink });
      await fetch(new Request("http://app/"), {}, ctx);
      await Promise.all(pending);
    } finally {
      release();
    }
    assert.equal(s.stored.length, 0);
    assert.equal(delta(before, "autoprof.sampled.skipped_busy"), 1);
    assert.equal(delta(before, "autoprof.sampled.chosen"), 1);
  });

  it("sampleRequestsWith() runs the flush detached, and counts it, when the context has no waitUntil", async () => {
    const s = recordingSink();
    const before = readCounters();
    const fetch = sampleRequestsWith(adapter, () => new Response("ok"), { oneIn: 1, sink: s.sink });
    await fetch(new Request("http://app/"), {}, undefined);
    while (s.stored.length === 0) await new Promise((r) => setTimeout(r, 1));
    assert.equal(delta(before, "autoprof.sampled.detached"), 1);
    assert.equal(delta(before, "autoprof.sampled.stored"), 1);
  });

  it("sampleRequestsWith() reports a failing sink to onError and never to the client", async () => {
    const { pending, ctx } = context();
    const errors: [unknown, string][] = [];
    const before = readCounters();
    const fetch = sampleRequestsWith(adapter, () => new Response("ok"), {
      oneIn: 1,
      sink: () => Promise.reject(new Error("store down")),
      onError: (e, c) => errors.push([e, c.phase]),
    });
    assert.equal((await fetch(new Request("http://app/"), {}, ctx)).status, 200);
    await Promise.all(pending);
    assert.equal(errors.length, 1);
    assert.match(String(errors[0]![0]), /store down/);
    assert.equal(errors[0]![1], "store");
    assert.equal(delta(before, "autoprof.sampled.store_errors"), 1);
  });

  it("sampleRequestsWith() rejects a bad oneIn and a missing sink, naming the fix", () => {
    const h = () => new Response("ok");
    for (const oneIn of [0, 1.5, -1, Number.NaN, undefined]) {
      assert.throws(() => sampleRequestsWith(adapter, h, { oneIn: oneIn as number, sink: async () => {} }), RangeError);
    }
    assert.throws(() => sampleRequestsWith(adapter, h, { oneIn: 1 }), /give "sink" or "sinkFromEnv"/);
    assert.throws(() => sampleRequestsWith(adapter, "x" as never, { oneIn: 1, sink: async () => {} }), TypeError);
  });
});
