// deno-lint-ignore-file require-await -- test doubles mirror async interfaces
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Hono } from "hono";
import type { Meta, RuntimeAdapter } from "../types.ts";
import { createDebugRoutes } from "../http/debug_routes.ts";
import { storeServedBundles } from "./store_served_bundles.ts";

const adapter: RuntimeAdapter = {
  runtime: "other",
  runtimeVersion: "1",
  capabilities: () => ({}),
  processInfo: () => ({ pid: 1, hostname: "h", main: "served-test", revision: "" }),
  stats: () => ({}),
};

/** An execution context as Workers pass it to hono's `app.fetch`. */
function executionContext() {
  const pending: Promise<unknown>[] = [];
  return { pending, ctx: { waitUntil: (p: Promise<unknown>) => void pending.push(p), passThroughOnException() {}, props: {} } };
}

describe("storeServedBundles()", () => {
  it("storeServedBundles() stores the very bytes /debug/profiles answered, after answering", async () => {
    const stored: { meta: Meta; bytes: Uint8Array; env: unknown }[] = [];
    const app = new Hono<{ Bindings: { bucket: string } }>();
    app.use("/debug/profiles", storeServedBundles({
      sinkFromEnv: (env: { bucket: string }) => async (meta, bytes) => void stored.push({ meta, bytes, env }),
    }));
    app.route("/", createDebugRoutes(adapter));
    const { pending, ctx } = executionContext();
    const res = await app.fetch(new Request("http://127.0.0.1/debug/profiles"), { bucket: "b1" }, ctx);
    assert.equal(res.status, 200);
    const served = new Uint8Array(await res.arrayBuffer());
    assert.equal(pending.length, 1);
    await Promise.all(pending);
    assert.equal(stored.length, 1);
    assert.deepEqual(stored[0]!.bytes, served);
    assert.equal(stored[0]!.meta.main, "served-test");
    assert.deepEqual(stored[0]!.env, { bucket: "b1" });
  });

  it("storeServedBundles() ignores answers that are not bundles", async () => {
    let calls = 0;
    const app = new Hono();
    app.use("*", storeServedBundles({ sink: async () => void calls++ }));
    app.get("/text", (c) => c.text("hi"));
    app.get("/zip404", () => new Response("no", { status: 404, headers: { "content-type": "application/zip" } }));
    const { pending, ctx } = executionContext();
    assert.equal((await app.fetch(new Request("http://h/text"), {}, ctx)).status, 200);
    assert.equal((await app.fetch(new Request("http://h/zip404"), {}, ctx)).status, 404);
    assert.equal(pending.length, 0);
    assert.equal(calls, 0);
  });

  it("storeServedBundles() reports a zip that is not a bundle, and a failing sink, to onError", async () => {
    const errors: string[] = [];
    const app = new Hono();
    app.use("*", storeServedBundles({ sink: () => Promise.reject(new Error("bucket gone")), onError: (e) => errors.push(String(e)) }));
    app.get("/junk", () => new Response("PK junk", { headers: { "content-type": "application/zip" } }));
    app.route("/", createDebugRoutes(adapter));
    // Without an execution context (Node, Deno, Bun) the store runs detached.
    await app.request("/junk");
    await app.request("/debug/profiles");
    while (errors.length < 2) await new Promise((r) => setTimeout(r, 1));
    assert.match(errors[0]!, /BundleFormatError|Not an autoprof bundle|zip/i);
    assert.match(errors[1]!, /bucket gone/);
  });

  it("storeServedBundles() needs a sink", () => {
    assert.throws(() => storeServedBundles({}), /give "sink" or "sinkFromEnv"/);
  });
});
