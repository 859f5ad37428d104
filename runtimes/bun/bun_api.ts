/**
 * The parts of Bun's globals and of `bun:jsc` the Bun adapter uses, typed
 * here so the adapter compiles without Bun's type declarations, and
 * replaceable in tests.
 *
 * @module
 */
import process from "node:process";

/** What the adapter reads from `bun:jsc`. */
export interface BunJsc {
  /** Full heap statistics; blocks ~24 ms per 50 MB of heap (measured). */
  heapStats(): { heapSize: number; objectCount?: number; objectTypeCounts: Record<string, number> } & Record<string, unknown>;
  /** Current heap size in bytes; cheap. */
  heapSize(): number;
  /** mimalloc's view of memory; cheap. */
  memoryUsage(): Record<string, number>;
}

/** What the adapter reads from the `Bun` global. */
export interface BunGlobal {
  /** e.g. `"1.4.5"`. */
  readonly version: string;
  /** The commit Bun was built from. */
  readonly revision?: string;
  /** A full heap snapshot; `"v8"` returns V8's `.heapsnapshot` JSON text. */
  generateHeapSnapshot(format: "v8"): string;
}

/** Bun's runtime APIs, as the adapter sees them. */
export interface BunApi {
  bun: BunGlobal;
  jsc: BunJsc;
}

/**
 * Loads Bun's APIs, or says why they are missing (not Bun, or `bun:jsc`
 * failed to load).
 *
 * @returns the APIs or the reason.
 *
 * @example
 * ```ts
 * import { loadBunApi } from "./bun_api.ts";
 * const api = loadBunApi();
 * console.log(api.ok ? api.api.bun.version : api.reason);
 * ```
 */
export function loadBunApi(): { ok: true; api: BunApi } | { ok: false; reason: string } {
  const bun = (globalThis as { Bun?: unknown }).Bun as BunGlobal | undefined;
  if (typeof bun !== "object" || bun === null) return { ok: false, reason: "not running on Bun" };
  try {
    // process.getBuiltinModule, not import(): neither tsc nor `deno
    // publish` can (or should) resolve "bun:jsc".
    const getBuiltinModule = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
    if (typeof getBuiltinModule !== "function") return { ok: false, reason: "process.getBuiltinModule is missing" };
    const jsc = getBuiltinModule.call(process, "bun:jsc") as BunJsc | undefined;
    if (typeof jsc?.heapStats !== "function") return { ok: false, reason: "bun:jsc has no heapStats()" };
    return { ok: true, api: { bun, jsc } };
  } catch (error) {
    return { ok: false, reason: `Cannot load bun:jsc: ${error instanceof Error ? error.message : String(error)}` };
  }
}
