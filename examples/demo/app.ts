/**
 * A small app with realistic mixed work for trying autoprof: it parses and
 * serialises JSON, matches regular expressions over log lines, sorts
 * records, keeps a bounded in-memory cache (so the heap profile has
 * something to show), and does its work in timer-driven batches like a
 * service would. It uses only web-standard APIs, so it runs unchanged on
 * Node, Deno and Bun.
 *
 * It also serves autoprof's HTTP debug endpoints (docs/HTTP.md) on
 * 127.0.0.1, port `PORT` (default 6060; 0 picks a free port), and prints
 * the URL: `go tool pprof http://127.0.0.1:6060/debug/pprof/heap`.
 *
 * Run it with autoprof started from the environment:
 *
 * ```sh
 * npm run demo                      # Node, bundles in ./profiles
 * deno run -A --preload=./runtimes/register.ts examples/demo/app.ts
 * bun --preload ./runtimes/register.ts examples/demo/app.ts
 * ```
 *
 * It runs until interrupted (Ctrl-C).
 *
 * @module
 */
import { type RunningServer, serve } from "../serve.ts";

/** One fake order, the unit of work. */
export interface Order {
  id: number;
  customer: string;
  items: { sku: string; qty: number; price: number }[];
  note: string;
  createdAt: string;
}

const SKUS = Array.from({ length: 200 }, (_, i) => `SKU-${(i * 7919) % 10007}`);
const CUSTOMERS = Array.from({ length: 500 }, (_, i) => `customer-${i.toString(36)}@example.com`);
const LOG_LINE = /^(?<ts>\S+) (?<level>INFO|WARN|ERROR) \[(?<svc>[a-z-]+)\] order=(?<id>\d+) took=(?<ms>\d+)ms(?: err="(?<err>[^"]*)")?$/;

let seed = 42;
/** Deterministic pseudo-random numbers, so runs are comparable. */
function rand(): number {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed / 0x7fffffff;
}

/** Builds an order with a few line items. */
export function makeOrder(id: number): Order {
  const n = 1 + Math.floor(rand() * 6);
  return {
    id,
    customer: CUSTOMERS[Math.floor(rand() * CUSTOMERS.length)]!,
    items: Array.from({ length: n }, () => ({
      sku: SKUS[Math.floor(rand() * SKUS.length)]!,
      qty: 1 + Math.floor(rand() * 4),
      price: Math.round(rand() * 10_000) / 100,
    })),
    note: "x".repeat(Math.floor(rand() * 200)),
    createdAt: new Date(Date.now() - Math.floor(rand() * 86_400_000)).toISOString(),
  };
}

/** JSON round trip, as an API gateway or queue consumer would do. */
export function roundTrip(orders: Order[]): Order[] {
  return JSON.parse(JSON.stringify(orders)) as Order[];
}

/** Parses log lines with a regular expression and sums time per service. */
export function parseLogs(lines: string[]): Map<string, { count: number; ms: number; errors: number }> {
  const bySvc = new Map<string, { count: number; ms: number; errors: number }>();
  for (const line of lines) {
    const g = LOG_LINE.exec(line)?.groups;
    if (!g) continue;
    const s = bySvc.get(g.svc!) ?? { count: 0, ms: 0, errors: 0 };
    s.count++;
    s.ms += Number(g.ms);
    if (g.level === "ERROR") s.errors++;
    bySvc.set(g.svc!, s);
  }
  return bySvc;
}

/** Makes fake log lines for {@linkcode parseLogs}. */
export function makeLogs(n: number): string[] {
  const services = ["checkout", "inventory", "billing", "search-api"];
  const levels = ["INFO", "INFO", "INFO", "WARN", "ERROR"];
  return Array.from({ length: n }, (_, i) => {
    const level = levels[Math.floor(rand() * levels.length)]!;
    const err = level === "ERROR" ? ` err="timeout after ${Math.floor(rand() * 900)}ms"` : "";
    const svc = services[Math.floor(rand() * services.length)]!;
    return `${new Date().toISOString()} ${level} [${svc}] order=${i} took=${Math.floor(rand() * 500)}ms${err}`;
  });
}

/** Ranks customers by spend: sorting plus a reduce. */
export function topCustomers(orders: Order[], k: number): [string, number][] {
  const spend = new Map<string, number>();
  for (const o of orders) {
    const total = o.items.reduce((sum, it) => sum + it.qty * it.price, 0);
    spend.set(o.customer, (spend.get(o.customer) ?? 0) + total);
  }
  return [...spend.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, k);
}

/** A bounded cache that retains orders, so the heap has live data. */
export class OrderCache {
  #max: number;
  #map = new Map<number, Order>();
  constructor(max: number) {
    this.#max = max;
  }
  put(o: Order): void {
    this.#map.set(o.id, o);
    while (this.#map.size > this.#max) this.#map.delete(this.#map.keys().next().value!);
  }
  get size(): number {
    return this.#map.size;
  }
}

/** One batch of work, about 10-50 ms of CPU. */
export function batch(nextId: number, cache: OrderCache): number {
  const orders = Array.from({ length: 400 }, (_, i) => makeOrder(nextId + i));
  const copies = roundTrip(orders);
  for (const o of copies) cache.put(o);
  parseLogs(makeLogs(2000));
  topCustomers(copies, 10);
  return nextId + orders.length;
}

/** Where the demo's debug endpoints listen unless `PORT` says otherwise. */
export const DEFAULT_PORT = 6060;

/**
 * Reads `PORT`: empty or absent means {@linkcode DEFAULT_PORT}.
 *
 * @param value The variable's value.
 * @returns A port, 0 to 65535.
 * @throws {RangeError} For anything but a whole number in that range.
 */
export function parsePort(value: string | undefined): number {
  if (value === undefined || value.trim() === "") return DEFAULT_PORT;
  const port = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || port > 65535) {
    throw new RangeError(`Invalid PORT: expected a port from 0 to 65535: got ${JSON.stringify(value)}`);
  }
  return port;
}

/**
 * Serves autoprof's debug endpoints on 127.0.0.1. A request that arrives
 * while a periodic bundle is being collected waits for it (a demo should
 * not answer 429 to a curl).
 *
 * @param port The port; 0 picks a free one.
 * @returns The running server.
 */
export async function startDebugServer(port: number): Promise<RunningServer> {
  const { debugHandler } = await import("../../mod.ts");
  const hostname = "127.0.0.1";
  return await serve(debugHandler({ hostname, whenBusy: "wait" }), { hostname, port });
}

async function main(): Promise<void> {
  const cache = new OrderCache(50_000);
  let nextId = 0;
  let batches = 0;
  const started = Date.now();
  // Batches on a timer, like requests arriving: the app is busy but not
  // pegged, so CPU profiles show both work and idle time.
  setInterval(() => {
    nextId = batch(nextId, cache);
    batches++;
  }, 50);
  setInterval(() => {
    const s = Math.round((Date.now() - started) / 1000);
    console.log(`demo: ${s}s, ${batches} batches, ${cache.size} orders cached`);
  }, 10_000);
  console.log("demo: working; press Ctrl-C to stop");
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const server = await startDebugServer(parsePort(env?.PORT));
  console.log(`demo: debug endpoints on ${server.url}/debug/pprof/; try:`);
  console.log(`  go tool pprof -top ${server.url}/debug/pprof/heap`);
  console.log(`  curl -OJ '${server.url}/debug/profiles?profile=2s'`);
}

// Run only as the entry point, so tests can import the functions.
const entry = (globalThis as { process?: { argv?: string[] } }).process?.argv?.[1] ?? "";
const isMain = (import.meta as { main?: boolean }).main ?? /examples[\\/]demo[\\/]app\.[jt]s$/.test(entry);
if (isMain) {
  main().catch((error) => {
    console.error("demo:", error instanceof Error ? error.message : error);
    (globalThis as { process?: { exit?(code: number): void } }).process?.exit?.(1);
  });
}
