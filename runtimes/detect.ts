/**
 * Picks the runtime adapter for the current process. Never throws: a
 * runtime without an adapter (yet) gets a minimal one whose capabilities
 * say what is missing.
 *
 * @module
 */
import type { Capabilities, PartName, RuntimeAdapter, RuntimeName } from "../src/types.ts";

/**
 * Names the runtime this code runs on: the user agent first (workerd, which
 * may also emulate `process`), then the `Deno` and `Bun` globals (both also
 * provide `process`), then `process.release.name`.
 *
 * @returns `"node"`, `"deno"`, `"bun"`, `"workerd"` or `"other"`.
 *
 * @example
 * ```ts
 * import { detectRuntime } from "./detect.ts";
 * console.assert(["node", "deno", "bun", "workerd", "other"].includes(detectRuntime()));
 * ```
 */
export function detectRuntime(): RuntimeName {
  try {
    const g = globalThis as Record<string, unknown>;
    const ua = (g.navigator as { userAgent?: unknown } | undefined)?.userAgent;
    if (ua === "Cloudflare-Workers") return "workerd";
    if (typeof g.Deno === "object" && g.Deno !== null) return "deno";
    if (typeof g.Bun === "object" && g.Bun !== null) return "bun";
    const proc = g.process as { release?: { name?: unknown } } | undefined;
    if (proc?.release?.name === "node") return "node";
  } catch {
    // A hostile global (a throwing getter): fall through.
  }
  return "other";
}

const PARTS: readonly PartName[] = ["heap", "cpu", "trace", "profile_during_trace", "point_in_time"];

/** The runtime's own version string, or `"unknown"`. */
function runtimeVersion(runtime: RuntimeName): string {
  try {
    const g = globalThis as Record<string, any>;
    if (runtime === "deno") return String(g.Deno?.version?.deno ?? "unknown");
    if (runtime === "bun") return String(g.Bun?.version ?? "unknown");
    if (runtime === "node") return String(g.process?.version ?? "unknown");
  } catch {
    // fall through
  }
  return "unknown";
}

/**
 * An adapter that captures nothing but says why, for runtimes without a
 * real adapter (or whose adapter failed to load).
 *
 * @param runtime the detected runtime.
 * @param reason why no part can be captured.
 * @returns the minimal adapter.
 *
 * @example
 * ```ts
 * import { minimalAdapter } from "./detect.ts";
 * const a = minimalAdapter("other", "adapter not implemented yet");
 * console.assert(a.capabilities().cpu?.ok === false);
 * ```
 */
export function minimalAdapter(runtime: RuntimeName, reason: string): RuntimeAdapter {
  const capabilities: Capabilities = {};
  for (const part of PARTS) capabilities[part] = { ok: false, reason };
  const pid = (): number => {
    try {
      const p = (globalThis as { process?: { pid?: unknown } }).process?.pid;
      return typeof p === "number" ? p : 0;
    } catch {
      return 0;
    }
  };
  return {
    runtime,
    runtimeVersion: runtimeVersion(runtime),
    capabilities: () => structuredClone(capabilities),
    processInfo: () => ({ pid: pid(), hostname: "", main: "", revision: "" }),
    stats: () => ({}),
  };
}

let loaded: Promise<RuntimeAdapter> | undefined;

/**
 * Loads the adapter for the current runtime, once per process: later
 * calls return the same adapter (the Node adapter owns the isolate's one
 * heap sampler). Never rejects.
 *
 * @returns the adapter.
 *
 * @example
 * ```ts ignore
 * import { loadAdapter } from "./detect.ts";
 * const adapter = await loadAdapter();
 * console.log(adapter.runtime, adapter.capabilities());
 * ```
 */
export function loadAdapter(): Promise<RuntimeAdapter> {
  loaded ??= load();
  return loaded;
}

async function load(): Promise<RuntimeAdapter> {
  const runtime = detectRuntime();
  if (runtime === "deno") {
    try {
      const { createDenoAdapter } = await import("./deno/mod.ts");
      return await createDenoAdapter();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return minimalAdapter(runtime, `Cannot load the Deno adapter: ${message}`);
    }
  }
  if (runtime === "bun") {
    try {
      const { createBunAdapter } = await import("./bun/mod.ts");
      return await createBunAdapter();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return minimalAdapter(runtime, `Cannot load the Bun adapter: ${message}`);
    }
  }
  if (runtime === "workerd") {
    try {
      const { createWorkerdAdapter } = await import("./workerd/adapter.ts");
      return createWorkerdAdapter();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return minimalAdapter(runtime, `Cannot load the workerd adapter: ${message}`);
    }
  }
  if (runtime !== "node") return minimalAdapter(runtime, `${runtime} adapter not implemented yet`);
  try {
    const { createNodeAdapter } = await import("./node/mod.ts");
    return await createNodeAdapter();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return minimalAdapter(runtime, `Cannot load the Node adapter: ${message}`);
  }
}
