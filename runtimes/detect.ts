/**
 * Picks the runtime adapter for the current process. Never throws: an
 * unknown runtime gets an adapter whose capabilities say what is missing.
 *
 * (Placeholder until the Node, Deno, Bun and workerd adapters land.)
 *
 * @module
 */
import type { RuntimeAdapter, RuntimeName } from "../src/types.ts";

/**
 * Names the runtime this code runs on.
 *
 * @example
 * ```ts
 * import { detectRuntime } from "./detect.ts";
 * console.log(detectRuntime()); // "node", "deno", "bun", "workerd" or "other"
 * ```
 */
export function detectRuntime(): RuntimeName {
  const g = globalThis as Record<string, unknown>;
  const ua = (g.navigator as { userAgent?: string } | undefined)?.userAgent ?? "";
  if (ua === "Cloudflare-Workers") return "workerd";
  if (typeof g.Deno === "object") return "deno";
  if (typeof g.Bun === "object") return "bun";
  const proc = g.process as { release?: { name?: string } } | undefined;
  if (proc?.release?.name === "node") return "node";
  return "other";
}

/**
 * Loads the adapter for the current runtime.
 *
 * @example
 * ```ts
 * import { loadAdapter } from "./detect.ts";
 * const adapter = await loadAdapter();
 * console.log(adapter.runtime);
 * ```
 */
export async function loadAdapter(): Promise<RuntimeAdapter> {
  const runtime = detectRuntime();
  return {
    runtime,
    runtimeVersion: "unknown",
    capabilities: () => ({}),
    processInfo: () => ({ pid: 0, hostname: "", main: "", revision: "" }),
    stats: () => ({}),
  };
}
