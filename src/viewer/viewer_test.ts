import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { fsStore } from "../cli/fs_store.ts";
import { runCli } from "../cli/main.ts";
import type { Serve } from "../cli/host.ts";
import { cpuSpec, makeBundle, makeProfile } from "../cli/testdata/bundles.ts";
import { memoryHost } from "../cli/testdata/memory_host.ts";
import { viewerApp } from "./app.ts";
import { clientScript } from "./client.ts";
import { flameTree } from "./flame_tree.ts";
import { viewerPage } from "./page.ts";
import { traceLanes } from "./trace_lanes.ts";

describe("flameTree()", () => {
  it("flameTree() merges stacks from the root down with totals, largest callee first", () => {
    const g = flameTree(makeProfile(cpuSpec([[["main", "a"], 1], [["main", "b"], 3], [["main", "a", "x"], 2]])));
    assert.deepEqual(g.sampleTypes, ["samples/count", "cpu/nanoseconds"]);
    assert.equal(g.sampleType, 1);
    const names = (n: { n: string; v: number; c: unknown[] }): unknown => [n.n.split(" ")[0], n.v, (n.c as typeof n[]).map(names)];
    assert.deepEqual(names(g.root), ["root", 60_000_000, [["main", 60_000_000, [["a", 30_000_000, [["x", 20_000_000, []]]], ["b", 30_000_000, []]]]]]);
    assert.equal(flameTree(makeProfile(cpuSpec([[["f"], 2]])), { sampleType: 0 }).root.v, 2);
    assert.throws(() => flameTree(makeProfile(cpuSpec([[["f"], 2]])), { sampleType: 2 }), /Invalid sample type index: 2/);
  });

  it("flameTree() keeps every frame's value equal to its own samples plus its callees' (property)", () => {
    const stack = fc.array(fc.constantFrom("m", "a", "b", "c"), { minLength: 1, maxLength: 5 });
    fc.assert(fc.property(fc.array(fc.tuple(stack, fc.integer({ min: 1, max: 100 })), { minLength: 1, maxLength: 10 }), (samples) => {
      const g = flameTree(makeProfile(cpuSpec(samples)), { sampleType: 0, minFraction: 0 });
      assert.equal(g.root.v, samples.reduce((s, [, n]) => s + n, 0));
      const work = [g.root];
      while (work.length > 0) {
        const n = work.pop()!;
        assert.ok(n.c.reduce((s, c) => s + c.v, 0) <= n.v);
        work.push(...n.c);
      }
    }));
  });
});

describe("traceLanes()", () => {
  it("traceLanes() lays out X and B/E events per thread with nesting depth and thread names", () => {
    const t = traceLanes({
      traceEvents: [
        { ph: "M", name: "thread_name", pid: 1, tid: 2, args: { name: "main" } },
        { ph: "X", name: "outer", ts: 100, dur: 50, pid: 1, tid: 2 },
        { ph: "X", name: "inner", ts: 110, dur: 10, pid: 1, tid: 2 },
        { ph: "B", name: "io", ts: 120, pid: 1, tid: 3 },
        { ph: "E", ts: 160, pid: 1, tid: 3 },
        { ph: "C", name: "counter", ts: 0, pid: 1, tid: 2 },
        "junk",
      ],
    });
    assert.equal(t.duration, 60);
    assert.deepEqual(t.lanes.map((l) => [l.name, l.events.map((e) => [e.n, e.ts, e.d, e.depth])]), [
      ["main", [["outer", 0, 50, 0], ["inner", 10, 10, 1]]],
      ["1/3", [["io", 20, 40, 0]]],
    ]);
    assert.throws(() => traceLanes({ nope: 1 }), /Not a Chrome trace/);
  });

  it("traceLanes() keeps the longest events beyond maxEvents and counts the rest", () => {
    const events = Array.from({ length: 10 }, (_, i) => ({ ph: "X", name: `e${i}`, ts: i * 10, dur: i + 1, pid: 1, tid: 1 }));
    const t = traceLanes(events, { maxEvents: 3 });
    assert.equal(t.dropped, 7);
    assert.deepEqual(t.lanes[0]!.events.map((e) => e.n), ["e7", "e8", "e9"]);
  });
});

describe("viewer app", () => {
  const b = makeBundle({ cpu: cpuSpec([[["main", "work"], 3]]), trace: { traceEvents: [{ ph: "X", name: "tick", ts: 5, dur: 2, pid: 1, tid: 1 }] } });
  const host = memoryHost({ [`d/${b.key}`]: b.bytes, "d/secret.txt": new Uint8Array([1]) });
  const store = fsStore("d", host.fs);
  const app = viewerApp({ store, bundles: () => store.list({}) });
  const get = (path: string, headers: Record<string, string> = {}) => app.fetch(new Request(`http://127.0.0.1:9/${path}`, { headers }));

  it("the viewer page and script load nothing from other origins", async () => {
    const res = await get("");
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-security-policy")!, /default-src 'self'/);
    const html = await res.text();
    assert.doesNotMatch(html + clientScript(), /https?:\/\//);
    assert.match(html, /<script src="app\.js"><\/script>/);
    assert.match(viewerPage("<x>"), /<title>autoprof: &#60;x&#62;<\/title>/);
    assert.equal((await get("app.js")).headers.get("content-type"), "text/javascript; charset=utf-8");
  });

  it("the viewer API lists bundles and serves flame graphs, trace lanes and raw bundles", async () => {
    const list = await (await get("api/bundles")).json();
    assert.deepEqual(list.bundles.map((x: { key: string; parts: string }) => [x.key, x.parts]), [[b.key, "heap cpu trace"]]);
    const key = encodeURIComponent(b.key);
    const info = await (await get(`api/bundle?key=${key}`)).json();
    assert.deepEqual(info.entries.map((e: { kind: string }) => e.kind), ["json", "json", "pprof", "pprof", "trace"]);
    const flame = await (await get(`api/flame?key=${key}&entry=pprof/profile&type=0`)).json();
    assert.equal(flame.root.v, 3);
    const lanes = await (await get(`api/trace?key=${key}`)).json();
    assert.equal(lanes.lanes[0].events[0].n, "tick");
    assert.deepEqual(new Uint8Array(await (await get(`api/raw?key=${key}`)).arrayBuffer()), b.bytes);
  });

  it("the viewer refuses unlisted keys, path tricks, bad sample types and foreign Host headers", async () => {
    for (const k of ["secret.txt", "pprof/../secret.txt", "../d/secret.txt", ""]) {
      const res = await get(`api/raw?key=${encodeURIComponent(k)}`);
      assert.equal(res.status, 404, k);
    }
    assert.equal((await get(`api/flame?key=${encodeURIComponent(b.key)}&entry=pprof/trace`)).status, 404);
    assert.equal((await get(`api/flame?key=${encodeURIComponent(b.key)}&entry=pprof/profile&type=9`)).status, 400);
    const rebinding = await app.fetch(new Request("http://attacker.example:9/api/bundles"));
    assert.equal(rebinding.status, 403);
  });

  it("autoprof view serves a store until interrupted and prints its URL", async () => {
    const h = memoryHost({ [`d/${b.key}`]: b.bytes });
    let served: { hostname: string; port: number } | undefined;
    let handler: ((r: Request) => Response | Promise<Response>) | undefined;
    let closed = false;
    const serve: Serve = (fn, options) => {
      handler = fn;
      served = options;
      return Promise.resolve({ url: "http://127.0.0.1:4321/", close: () => Promise.resolve(void (closed = true)) });
    };
    let interrupt!: () => void;
    const running = runCli(["view", "d", "--port", "4321"], { ...h, serve, interrupted: new Promise<void>((r) => interrupt = r) });
    while (handler === undefined) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(served, { hostname: "127.0.0.1", port: 4321 });
    const res = await handler(new Request("http://127.0.0.1:4321/api/bundles"));
    assert.equal((await res.json()).bundles.length, 1);
    interrupt();
    assert.equal(await running, 0);
    assert.ok(closed);
    assert.match(h.stdout.text, /^Viewing d at http:\/\/127\.0\.0\.1:4321\/ \(Ctrl-C to stop\)\n$/);
    assert.equal(await runCli(["view", "--port", "http"], memoryHost()), 2);
  });
});
