import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  batch,
  DEFAULT_PORT,
  makeLogs,
  makeOrder,
  OrderCache,
  parseLogs,
  parsePort,
  roundTrip,
  startDebugServer,
  topCustomers,
} from "./app.ts";

describe("demo app", () => {
  it("parseLogs() sums time and errors per service", () => {
    const stats = parseLogs([
      '2026-11-25T02:00:00.000Z INFO [checkout] order=1 took=10ms',
      '2026-11-25T02:00:00.000Z ERROR [checkout] order=2 took=30ms err="timeout after 5ms"',
      "garbage",
      '2026-11-25T02:00:00.000Z WARN [billing] order=3 took=5ms',
    ]);
    assert.deepEqual(Object.fromEntries(stats), {
      checkout: { count: 2, ms: 40, errors: 1 },
      billing: { count: 1, ms: 5, errors: 0 },
    });
    const generated = parseLogs(makeLogs(100));
    assert.equal([...generated.values()].reduce((n, s) => n + s.count, 0), 100);
  });

  it("roundTrip() and topCustomers() keep orders intact and rank by spend", () => {
    const orders = Array.from({ length: 50 }, (_, i) => makeOrder(i));
    assert.deepEqual(roundTrip(orders), orders);
    const top = topCustomers(orders, 3);
    assert.equal(top.length, 3);
    assert.ok(top[0]![1] >= top[1]![1] && top[1]![1] >= top[2]![1]);
  });

  it("OrderCache keeps at most its limit, and batch() fills it", () => {
    const cache = new OrderCache(500);
    assert.equal(batch(0, cache), 400);
    assert.equal(batch(400, cache), 800);
    assert.equal(cache.size, 500);
  });

  it("parsePort() reads PORT, defaulting to 6060, and refuses junk", () => {
    assert.equal(parsePort(undefined), DEFAULT_PORT);
    assert.equal(parsePort(""), 6060);
    assert.equal(parsePort("8080"), 8080);
    assert.equal(parsePort("0"), 0);
    for (const bad of ["abc", "-1", "65536", "80.5", "0x50"]) {
      assert.throws(() => parsePort(bad), /Invalid PORT: expected a port from 0 to 65535/, bad);
    }
  });

  it("startDebugServer() serves the debug endpoints on 127.0.0.1", async () => {
    const server = await startDebugServer(0);
    try {
      assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      const index = await fetch(`${server.url}/debug/pprof/`);
      assert.equal(index.status, 200);
      assert.match(await index.text(), /\/debug\/pprof\//);
      const vars = await fetch(`${server.url}/debug/vars`);
      assert.equal(vars.headers.get("content-type"), "application/json; charset=utf-8");
      assert.equal(typeof (JSON.parse(await vars.text()) as { runtime?: unknown }).runtime, "object");
    } finally {
      await server.close();
    }
  });
});
