/**
 * Internal: process-wide (strictly: per-realm, so per isolate) bookkeeping
 * that every copy of autoprof loaded into one program shares, kept on
 * `globalThis` under a registered symbol. Two copies (two versions in
 * `node_modules`, or the npm and JSR builds side by side) then see each
 * other's CPU profiles and traces, and share one heap sampler, because V8
 * has only one sampling heap profiler per isolate.
 *
 * The shape is versioned by the symbol's name: a future incompatible
 * shape must use a new name.
 *
 * @module
 */

/** What autoprof copies in this realm know about inspector use. */
export interface InspectorRegistry {
  /**
   * Captures autoprof itself has running, by kind (`"cpu"`, `"trace"`),
   * with a description of the holder for the skip reason.
   */
  readonly claims: Map<string, { holder: string }>;
  /** Sessions not owned by autoprof that have a CPU profile running. */
  readonly profilingSessions: Set<object>;
  /** Sessions not owned by autoprof that have `NodeTracing` running. */
  readonly tracingSessions: Set<object>;
  /** Sessions autoprof opened; the session watch ignores them. */
  readonly ours: WeakSet<object>;
  /** Whether the session watch is installed in this realm. */
  watchInstalled: boolean;
  /** The shared heap sampler of this isolate, once some copy started one. */
  heapSampler: unknown;
}

const KEY = Symbol.for("autoprof.inspector.registry.v1");

/**
 * The registry of this realm, created on first use.
 *
 * @returns the shared registry.
 *
 * @example
 * ```ts ignore
 * import { inspectorRegistry } from "./registry.ts";
 * console.log(inspectorRegistry().claims.has("cpu"));
 * ```
 */
export function inspectorRegistry(): InspectorRegistry {
  const g = globalThis as unknown as Record<symbol, InspectorRegistry | undefined>;
  let registry = g[KEY];
  if (registry === undefined) {
    registry = {
      claims: new Map(),
      profilingSessions: new Set(),
      tracingSessions: new Set(),
      ours: new WeakSet(),
      watchInstalled: false,
      heapSampler: undefined,
    };
    // Not enumerable: keeps it out of `Object.keys(globalThis)` and of
    // test runners' global-leak checks.
    Object.defineProperty(g, KEY, { value: registry, configurable: true, enumerable: false, writable: false });
  }
  return registry;
}

/**
 * Claims a capture kind for the caller, unless another holder has it.
 *
 * @param kind `"cpu"` or `"trace"`.
 * @param holder describes the claimant in other callers' skip reasons.
 * @returns a release function, or the reason the kind is taken.
 *
 * @example
 * ```ts ignore
 * import { claim } from "./registry.ts";
 * const release = claim("cpu", "autoprof CPU profile");
 * if (typeof release === "function") release();
 * ```
 */
export function claim(kind: string, holder: string): (() => void) | string {
  const claims = inspectorRegistry().claims;
  const current = claims.get(kind);
  if (current !== undefined) return `${current.holder} is running`;
  const token = { holder };
  claims.set(kind, token);
  return () => {
    if (claims.get(kind) === token) claims.delete(kind);
  };
}
