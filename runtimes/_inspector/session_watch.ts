/**
 * Internal: notices other code in this realm running a CPU profile or a
 * trace through `node:inspector`, so autoprof can skip its own instead.
 *
 * V8 gives every inspector session its own CPU profiler (measured on Node
 * 20–26: two sessions profile side by side, and stopping one leaves the
 * other's profile complete), so autoprof could profile anyway; but Go's
 * semantics are "skip when a profile is already running", and two
 * profilers double the sampling cost. No inspector method tells whether
 * another session is profiling, so the watch wraps `Session.prototype.post`
 * (and `disconnect`) of `node:inspector` and `node:inspector/promises`:
 * the wrappers only look at the method name and pass every call through
 * unchanged.
 *
 * Limits: sessions that started profiling before the watch was installed,
 * and remote DevTools clients (`--inspect`), are invisible.
 *
 * @module
 */
import { inspectorRegistry } from "./registry.ts";

type Post = (this: object, method: unknown, ...rest: unknown[]) => unknown;
type Disconnect = (this: object) => unknown;

interface SessionPrototype {
  post?: Post;
  disconnect?: Disconnect;
}

/** The part of `node:inspector` (or `/promises`) the watch patches. */
export interface WatchableInspectorModule {
  Session?: { prototype: SessionPrototype };
}

const WRAPPED = Symbol.for("autoprof.inspector.wrapped");

/**
 * Wraps the `Session` prototypes of the given modules, once per realm.
 *
 * @param modules `node:inspector` and, where it exists,
 * `node:inspector/promises` (whose `post` is a separate function).
 *
 * @example
 * ```ts ignore
 * import * as inspector from "node:inspector";
 * import { installSessionWatch } from "./session_watch.ts";
 * installSessionWatch([inspector]);
 * ```
 */
export function installSessionWatch(modules: readonly (WatchableInspectorModule | undefined)[]): void {
  const registry = inspectorRegistry();
  if (registry.watchInstalled) return;
  registry.watchInstalled = true;
  for (const mod of modules) {
    const proto = mod?.Session?.prototype;
    if (proto === undefined) continue;
    try {
      wrapPost(proto);
      wrapDisconnect(proto);
    } catch {
      // A frozen prototype: the watch is best effort.
    }
  }
}

function wrapPost(proto: SessionPrototype): void {
  const original = proto.post;
  if (typeof original !== "function" || (original as unknown as Record<symbol, unknown>)[WRAPPED]) return;
  const registry = inspectorRegistry();
  const post: Post = function (this: object, method: unknown, ...rest: unknown[]): unknown {
    const set = typeof method === "string" && !registry.ours.has(this) ? track(this, method) : undefined;
    if (set === undefined) return original.call(this, method, ...rest);
    // A failed start leaves nothing running: forget the session again.
    const onError = (): void => void set.delete(this);
    const callbackAt = rest.findIndex((arg) => typeof arg === "function");
    if (callbackAt >= 0) {
      const callback = rest[callbackAt] as (error: unknown, ...values: unknown[]) => unknown;
      rest[callbackAt] = function (this: unknown, error: unknown, ...values: unknown[]): unknown {
        if (error) onError();
        return callback.call(this, error, ...values);
      };
    }
    const result = original.call(this, method, ...rest);
    if (result instanceof Promise) result.catch(onError);
    return result;
  };
  Object.defineProperty(post, WRAPPED, { value: true });
  proto.post = post;
}

/**
 * Records what `method` starts or stops on `session`; returns the set the
 * session was added to when it starts something (to undo on failure).
 */
function track(session: object, method: string): Set<object> | undefined {
  const registry = inspectorRegistry();
  switch (method) {
    case "Profiler.start":
      registry.profilingSessions.add(session);
      return registry.profilingSessions;
    case "Profiler.stop":
    case "Profiler.disable":
      registry.profilingSessions.delete(session);
      return undefined;
    case "NodeTracing.start":
      registry.tracingSessions.add(session);
      return registry.tracingSessions;
    case "NodeTracing.stop":
      registry.tracingSessions.delete(session);
      return undefined;
  }
  return undefined;
}

function wrapDisconnect(proto: SessionPrototype): void {
  const original = proto.disconnect;
  if (typeof original !== "function" || (original as unknown as Record<symbol, unknown>)[WRAPPED]) return;
  const registry = inspectorRegistry();
  const disconnect: Disconnect = function (this: object): unknown {
    // A disconnected session's profiler and tracing agent are gone.
    registry.profilingSessions.delete(this);
    registry.tracingSessions.delete(this);
    return original.call(this);
  };
  Object.defineProperty(disconnect, WRAPPED, { value: true });
  proto.disconnect = disconnect;
}
