/**
 * The fixed work the benchmarks run as "the host app".
 *
 * - {@linkcode mixedOp}: one operation of a mixed server-like workload
 *   (JSON round trip, regular expressions, a sort, short-lived
 *   allocations), about 50–100 µs. Throughput is counted in these.
 * - {@linkcode manyStacks}: work spread over many distinct call paths, so
 *   a CPU profile of it has thousands of nodes like a real service's
 *   (profile stop and conversion costs follow the node count).
 * - {@linkcode retainHeap}: a live heap of a given size, for the stall
 *   measurements with a big heap.
 *
 * Everything is deterministic (a seeded generator), so every variant of a
 * run does the same work.
 *
 * @module
 */

/** A small seeded generator (mulberry32): same sequence in every runtime. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = seeded(42);
const WORDS = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa"];
const EMAIL = /^[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}$/i;
const ROUTE = /^\/api\/v(\d+)\/(users|orders|items)\/([0-9a-f]{8})(?:\/(\w+))?$/;
const requests: string[] = [];
for (let i = 0; i < 64; i++) {
  const id = Math.floor(random() * 0xffffffff).toString(16).padStart(8, "0");
  requests.push(`/api/v${1 + (i % 3)}/${["users", "orders", "items"][i % 3]}/${id}${i % 2 ? "/detail" : ""}`);
}
let counter = 0;

/** Keeps results observable so that no engine drops the work. */
export let sink = 0;

/**
 * One operation of the mixed workload.
 *
 * @returns a number derived from the work (kept in {@linkcode sink}).
 *
 * @example
 * ```ts
 * import { mixedOp } from "./_workload.ts";
 * console.assert(typeof mixedOp() === "number");
 * ```
 */
export function mixedOp(): number {
  const n = counter++;
  // Allocation: a request-like object graph, dropped at the end.
  const items = [];
  for (let i = 0; i < 20; i++) {
    items.push({ id: n * 31 + i, name: WORDS[(n + i) % WORDS.length], price: ((n * 7 + i * 13) % 1000) / 10, tags: [WORDS[i % 10], "x"] });
  }
  // JSON round trip.
  const text = JSON.stringify({ user: `u${n % 1000}`, email: `user${n % 97}@example.com`, items });
  const parsed = JSON.parse(text) as { email: string; items: Array<{ price: number; name: string }> };
  // Regular expressions.
  let matched = EMAIL.test(parsed.email) ? 1 : 0;
  const m = ROUTE.exec(requests[n % requests.length]);
  if (m !== null) matched += m[3].length;
  // Sort.
  parsed.items.sort((a, b) => a.price - b.price || (a.name < b.name ? -1 : 1));
  const result = matched + parsed.items[0].price + text.length;
  sink = (sink + result) | 0;
  return result;
}

/** Options for {@linkcode manyStacks}. */
export interface ManyStacksOptions {
  /** Distinct functions (more functions, more profile nodes). @default {300} */
  functions?: number;
  /** Seed of the call-path generator. @default {7} */
  seed?: number;
}

/**
 * Builds work spread over many distinct call paths: `functions` generated
 * functions calling each other in seeded random order to a random depth.
 *
 * @param options size and seed.
 * @returns a function doing about `units` × 20 µs of work per call.
 *
 * @example
 * ```ts
 * import { manyStacks } from "./_workload.ts";
 * const work = manyStacks({ functions: 20 });
 * work(10);
 * ```
 */
export function manyStacks(options: ManyStacksOptions = {}): (units: number) => void {
  const count = options.functions ?? 300;
  const rnd = seeded(options.seed ?? 7);
  const fns: Array<(depth: number) => number> = [];
  const spin = (n: number): number => {
    let x = 0;
    for (let i = 0; i < n; i++) x += Math.sqrt(i + n);
    return x;
  };
  const step = (depth: number): number => {
    const own = spin(20 + Math.floor(rnd() * 80));
    return depth <= 0 ? own : own + fns[Math.floor(rnd() * fns.length)](depth - 1);
  };
  for (let i = 0; i < count; i++) {
    // Distinct named functions: each is its own frame in the profile.
    fns.push(new Function("step", `return function handler_${i}(d) { return step(d) + ${i}; }`)(step));
  }
  return (units: number) => {
    let x = 0;
    for (let u = 0; u < units; u++) x += fns[Math.floor(rnd() * fns.length)](2 + Math.floor(rnd() * 6));
    sink = (sink + x) | 0;
  };
}

/**
 * Allocates and keeps a live heap of about `bytes` (arrays of small
 * objects, pointer-rich like an application cache).
 *
 * @param bytes approximate live size.
 * @returns the retained graph (keep it referenced).
 *
 * @example
 * ```ts
 * import { retainHeap } from "./_workload.ts";
 * const keep = retainHeap(1_000_000);
 * console.assert(keep.length > 0);
 * ```
 */
export function retainHeap(bytes: number): unknown[][] {
  const out: unknown[][] = [];
  // About 1 KiB per group: 8 objects with a string, a number and an array.
  const groups = Math.ceil(bytes / 1024);
  for (let i = 0; i < groups; i++) {
    const g: unknown[] = [];
    for (let j = 0; j < 8; j++) g.push({ key: `k${i}:${j}`, value: i * j, next: [j, i] });
    out.push(g);
  }
  return out;
}
