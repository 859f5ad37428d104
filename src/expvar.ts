/**
 * A registry of named values shown in every bundle's `expvar` entry, like
 * Go's `expvar` package (`expvar.Publish`, `GET /debug/vars`).
 *
 * The `expvar` document is a JSON object with keys in byte-wise order
 * (Go's `expvar.Do` order), one key per line like Go's output:
 * - every published var, evaluated when the bundle is collected;
 * - `"runtime"`: the adapter's stats (memory, GC, event loop, resource
 *   usage, command line: what Go shows as `memstats` and `cmdline`);
 * - `"autoprof"`: autoprof's own counters (stored, dropped, failed ...).
 *
 * The registry lives on a global symbol, so every copy of this module in a
 * process shares it.
 *
 * @module
 */
import type { RuntimeAdapter } from "./types.ts";
import { compareNames } from "./names.ts";
import { describeError } from "./errors.ts";

/** Names filled in by autoprof itself; {@linkcode publish} refuses them. */
export const RESERVED_VAR_NAMES: readonly string[] = Object.freeze(["autoprof", "runtime"]);

/** Longest a snapshot waits for asynchronous vars and stats, by default. */
export const DEFAULT_SNAPSHOT_TIMEOUT_MS = 5000;

// Nesting deeper than this is cut off rather than risk a stack overflow.
const MAX_DEPTH = 64;

interface Registry {
  vars: Map<string, unknown>;
  counters: Map<string, number>;
}

const REGISTRY_KEY = Symbol.for("autoprof.expvar");

function registry(): Registry {
  const g = globalThis as Record<symbol, unknown>;
  const existing = g[REGISTRY_KEY] as Registry | undefined;
  if (existing !== undefined && existing.vars instanceof Map && existing.counters instanceof Map) return existing;
  const created: Registry = { vars: new Map(), counters: new Map() };
  Object.defineProperty(g, REGISTRY_KEY, { value: created, configurable: false, enumerable: false });
  return created;
}

function checkName(what: string, name: unknown): asserts name is string {
  if (typeof name !== "string") {
    throw new TypeError(`Cannot ${what}: name must be a string: got ${typeof name}`);
  }
  if (name === "") throw new TypeError(`Cannot ${what}: name must not be empty`);
}

/**
 * Publishes a named value. A function is called at every snapshot (it may
 * return a promise); any other value is serialized as it is at snapshot
 * time, so a mutable object shows its current state.
 *
 * Like Go's `expvar.Publish`, publishing a name twice is a programming
 * error and throws (Go panics with "Reuse of exported var name").
 *
 * @param name The key in the `expvar` document.
 * @param value A value, or a function producing one.
 * @throws {TypeError} If `name` is not a non-empty string.
 * @throws {Error} If `name` is already published or reserved
 *   (`"runtime"`, `"autoprof"`).
 * @example
 * ```ts
 * import { publish, unpublish } from "./expvar.ts";
 * let requests = 0;
 * publish("requests", () => requests);
 * requests++;
 * unpublish("requests");
 * ```
 */
export function publish(name: string, value: unknown): void {
  checkName("publish expvar", name);
  if (RESERVED_VAR_NAMES.includes(name)) {
    throw new Error(`Cannot publish expvar: name is reserved for autoprof: "${name}"`);
  }
  const { vars } = registry();
  if (vars.has(name)) {
    throw new Error(`Cannot publish expvar: reuse of exported var name: "${name}"`);
  }
  vars.set(name, value);
}

/**
 * Removes a published value (Go has no equivalent; useful in tests and for
 * components that shut down).
 *
 * @param name The published name.
 * @returns Whether the name was published.
 * @example
 * ```ts
 * import { publish, unpublish } from "./expvar.ts";
 * publish("cache", { size: 3 });
 * console.log(unpublish("cache")); // true
 * ```
 */
export function unpublish(name: string): boolean {
  return registry().vars.delete(name);
}

/**
 * Adds `n` to one of autoprof's own counters, shown under `"autoprof"` in
 * every bundle's `expvar`. Sinks and the periodic collector count drops,
 * failures and retries here.
 *
 * @param name Counter name, e.g. `autoprof.s3.dropped`.
 * @param n Amount to add.
 * @throws {TypeError} If `name` is not a non-empty string.
 * @throws {RangeError} If `n` is not a finite number.
 * @example
 * ```ts
 * import { addCounter, readCounters } from "./expvar.ts";
 * addCounter("autoprof.example.events");
 * console.log(readCounters()["autoprof.example.events"] >= 1); // true
 * ```
 */
export function addCounter(name: string, n = 1): void {
  checkName("add to counter", name);
  if (typeof n !== "number" || !Number.isFinite(n)) {
    throw new RangeError(`Cannot add to counter "${name}": amount must be a finite number: got ${String(n)}`);
  }
  const { counters } = registry();
  counters.set(name, (counters.get(name) ?? 0) + n);
}

/**
 * Reads autoprof's counters.
 *
 * @returns A fresh object, keys in byte-wise order.
 * @example
 * ```ts
 * import { readCounters } from "./expvar.ts";
 * console.log(typeof readCounters()); // "object"
 * ```
 */
export function readCounters(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of [...registry().counters.keys()].sort(compareNames)) {
    out[name] = registry().counters.get(name)!;
  }
  return out;
}

/** Options for {@linkcode snapshotVars} and {@linkcode renderExpvar}. */
export interface SnapshotOptions {
  /** Stops waiting for asynchronous vars; those still pending report an error. */
  signal?: AbortSignal;
  /**
   * Longest wait for asynchronous vars (and the adapter's stats), in ms.
   * @default {5000}
   */
  timeoutMs?: number;
}

/**
 * Evaluates every published var. Never rejects: a var whose function
 * throws, rejects or does not settle in time becomes `{ "error": "..." }`.
 * Values are made JSON-safe: bigint becomes a decimal string, non-finite
 * numbers become `"NaN"`/`"Infinity"`, `Map` an object, `Set` an array,
 * errors their text, cycles `"[Circular]"`.
 *
 * @param options Signal and timeout.
 * @returns Name → JSON-safe value.
 * @example
 * ```ts
 * import { publish, snapshotVars, unpublish } from "./expvar.ts";
 * publish("big", () => 2n ** 70n);
 * console.log((await snapshotVars()).big); // "1180591620717411303424"
 * unpublish("big");
 * ```
 */
export async function snapshotVars(options: SnapshotOptions = {}): Promise<Record<string, unknown>> {
  const deadline = new Deadline(options);
  try {
    return await snapshotWithin(deadline);
  } finally {
    deadline.clear();
  }
}

async function snapshotWithin(deadline: Deadline): Promise<Record<string, unknown>> {
  const entries = [...registry().vars.entries()];
  const values = await Promise.all(entries.map(([, v]) => evaluate(v, deadline)));
  const out: Record<string, unknown> = {};
  entries.forEach(([name], i) => {
    out[name] = values[i];
  });
  return out;
}

/**
 * Renders a bundle's `expvar` document: published vars, `"runtime"` (the
 * adapter's stats) and `"autoprof"` (counters), keys in byte-wise order,
 * laid out like Go's `/debug/vars` (`{`, one `"key": value` per line, `}`).
 *
 * @param adapter Supplies `stats()`; a failure becomes `{ "error": ... }`.
 * @param options Signal and timeout.
 * @returns JSON text ending in a newline.
 * @example
 * ```ts
 * import { renderExpvar } from "./expvar.ts";
 * const text = await renderExpvar({ stats: () => ({ rss: 1 }) });
 * console.log(JSON.parse(text).runtime.rss); // 1
 * ```
 */
export async function renderExpvar(
  adapter: Pick<RuntimeAdapter, "stats">,
  options: SnapshotOptions = {},
): Promise<string> {
  const deadline = new Deadline(options);
  let doc: Record<string, unknown>;
  let runtime: unknown;
  try {
    [doc, runtime] = await Promise.all([
      snapshotWithin(deadline),
      evaluate(() => adapter.stats(), deadline),
    ]);
  } finally {
    deadline.clear();
  }
  doc.runtime = runtime;
  doc.autoprof = readCounters();
  const lines = Object.keys(doc).sort(compareNames).map((k) => `${JSON.stringify(k)}: ${JSON.stringify(doc[k])}`);
  return `{\n${lines.join(",\n")}\n}\n`;
}

/** Rejects when the timeout passes or the signal aborts, whichever first. */
class Deadline {
  readonly promise: Promise<never>;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #signal: AbortSignal | undefined;
  #onAbort: (() => void) | undefined;

  constructor({ signal, timeoutMs = DEFAULT_SNAPSHOT_TIMEOUT_MS }: SnapshotOptions) {
    if (typeof timeoutMs !== "number" || !(timeoutMs >= 0) || timeoutMs > 2 ** 31 - 1) {
      throw new RangeError(`Invalid expvar snapshot timeout: must be between 0 and 2147483647 ms: got ${String(timeoutMs)}`);
    }
    this.promise = new Promise<never>((_, reject) => {
      this.#timer = setTimeout(() => reject(new Error(`Timed out after ${timeoutMs} ms`)), timeoutMs);
      if (signal !== undefined) {
        this.#signal = signal;
        this.#onAbort = () => reject(new Error(`Aborted: ${describeError(signal.reason)}`));
        if (signal.aborted) this.#onAbort();
        else signal.addEventListener("abort", this.#onAbort, { once: true });
      }
    });
    this.promise.catch(() => {});
  }

  clear(): void {
    clearTimeout(this.#timer);
    if (this.#onAbort !== undefined) this.#signal?.removeEventListener("abort", this.#onAbort);
  }
}

async function evaluate(v: unknown, deadline: Deadline): Promise<unknown> {
  try {
    let value = typeof v === "function" ? (v as () => unknown)() : v;
    if (isThenable(value)) {
      const p = Promise.resolve(value);
      p.catch(() => {}); // if the deadline wins, the late rejection is expected
      value = await Promise.race([p, deadline.promise]);
    }
    return jsonSafe(value, [], 0) ?? null;
  } catch (e) {
    return { error: describeError(e) };
  }
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return (typeof v === "object" || typeof v === "function") && v !== null &&
    typeof (v as { then?: unknown }).then === "function";
}

/**
 * Converts a value to something `JSON.stringify` renders without throwing
 * and without losing bigints. `undefined` means "leave the key out".
 */
function jsonSafe(v: unknown, ancestors: object[], depth: number): unknown {
  switch (typeof v) {
    case "string":
    case "boolean":
      return v;
    case "number":
      return Number.isFinite(v) ? v : String(v);
    case "bigint":
      return v.toString();
    case "undefined":
    case "function":
    case "symbol":
      return undefined;
  }
  if (v === null) return null;
  const obj = v as object;
  if (ancestors.includes(obj)) return "[Circular]";
  if (depth >= MAX_DEPTH) return "[Too deep]";
  ancestors.push(obj);
  try {
    if (obj instanceof Error) return describeError(obj);
    const toJSON = (obj as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === "function") return jsonSafe(toJSON.call(obj), ancestors, depth + 1);
    if (obj instanceof Map) {
      const out: Record<string, unknown> = {};
      for (const [k, item] of obj) {
        const s = jsonSafe(item, ancestors, depth + 1);
        if (s !== undefined) out[String(k)] = s;
      }
      return out;
    }
    if (obj instanceof Set) return [...obj].map((item) => jsonSafe(item, ancestors, depth + 1) ?? null);
    if (Array.isArray(obj)) return obj.map((item) => jsonSafe(item, ancestors, depth + 1) ?? null);
    if (ArrayBuffer.isView(obj) && !(obj instanceof DataView)) {
      return Array.from(obj as unknown as ArrayLike<number | bigint>, (x) => jsonSafe(x, ancestors, depth + 1));
    }
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(obj)) {
      const s = jsonSafe((obj as Record<string, unknown>)[k], ancestors, depth + 1);
      if (s !== undefined) out[k] = s;
    }
    return out;
  } finally {
    ancestors.pop();
  }
}
