/**
 * Optional peer profilers for comparison, loaded only if installed:
 * `@datadog/pprof` and `@pyroscope/nodejs` (native addons, Node only).
 * Each loader returns `undefined` when the package is absent, so the
 * benchmarks print "n/a (not installed)" instead of failing.
 *
 * @module
 */
import { createRequire } from "node:module";

/** The parts of `@datadog/pprof` the benchmarks use. */
export interface DatadogPprof {
  time: {
    start(options: { intervalMicros?: number; durationMillis?: number; withContexts?: boolean }): void;
    stop(restart?: boolean): unknown;
  };
  heap: {
    start(intervalBytes: number, stackDepth: number): void;
    stop(): void;
    profile(): unknown;
  };
  encode(profile: unknown): Promise<Uint8Array>;
}

/** The parts of `@pyroscope/nodejs` the benchmarks use. */
export interface Pyroscope {
  init(config: Record<string, unknown>): void;
  start(): void;
  stop(): Promise<void>;
}

const require = createRequire(import.meta.url);

/**
 * `@datadog/pprof`, or `undefined` when it is not installed (or not
 * loadable on this runtime).
 *
 * @returns the module or undefined.
 *
 * @example
 * ```ts ignore
 * import { loadDatadog } from "./_peers.ts";
 * console.log(loadDatadog() === undefined ? "n/a (not installed)" : "ok");
 * ```
 */
export function loadDatadog(): DatadogPprof | undefined {
  try {
    return require("@datadog/pprof") as DatadogPprof;
  } catch {
    return undefined;
  }
}

/**
 * `@pyroscope/nodejs`, or `undefined` when it is not installed.
 *
 * @returns the module or undefined.
 *
 * @example
 * ```ts ignore
 * import { loadPyroscope } from "./_peers.ts";
 * console.log(loadPyroscope() === undefined ? "n/a (not installed)" : "ok");
 * ```
 */
export function loadPyroscope(): Pyroscope | undefined {
  try {
    const m = require("@pyroscope/nodejs") as Pyroscope & { default?: Pyroscope };
    return typeof m.init === "function" ? m : m.default;
  } catch {
    return undefined;
  }
}
