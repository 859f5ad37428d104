/**
 * One capture at a time per process. Runtimes allow one CPU profile and
 * one trace at a time, and two bundles at once would only skip each
 * other's timed parts, so every bundle (HTTP handler, periodic collector,
 * `collect()`) takes this lock first.
 *
 * The lock lives on a global symbol so that duplicate copies of autoprof in
 * one process (two versions in `node_modules`, an ESM and a bundled copy)
 * share it.
 *
 * @module
 */

/** Releases the lock. Calling it again does nothing. */
export type ReleaseCapture = () => void;

/**
 * Shared lock state. Deliberately tiny and versioned by its key, because
 * other copies of this module (maybe other versions) use the same object.
 */
interface LockState {
  held: boolean;
  /** FIFO of waiters; each one takes ownership when called. */
  waiters: Array<() => void>;
}

const LOCK_KEY = Symbol.for("autoprof.captureLock.v1");

function lockState(): LockState {
  const g = globalThis as Record<symbol, unknown>;
  const existing = g[LOCK_KEY] as LockState | undefined;
  if (existing !== undefined && typeof existing.held === "boolean" && Array.isArray(existing.waiters)) {
    return existing;
  }
  const created: LockState = { held: false, waiters: [] };
  Object.defineProperty(g, LOCK_KEY, { value: created, configurable: false, enumerable: false });
  return created;
}

function releaser(state: LockState): ReleaseCapture {
  let released = false;
  return () => {
    if (released) return;
    released = true;
    // Hand over directly to the oldest waiter: the lock never looks free
    // in between, so a tryAcquire cannot jump the queue.
    const next = state.waiters.shift();
    if (next !== undefined) next();
    else state.held = false;
  };
}

/**
 * Takes the capture lock if it is free and nobody is waiting.
 *
 * @returns A release function, or `undefined` if the lock is busy.
 * @example
 * ```ts
 * import { tryAcquireCapture } from "./capture_lock.ts";
 * const release = tryAcquireCapture();
 * if (release) {
 *   try {
 *     // capture
 *   } finally {
 *     release();
 *   }
 * }
 * ```
 */
export function tryAcquireCapture(): ReleaseCapture | undefined {
  const state = lockState();
  if (state.held) return undefined;
  state.held = true;
  return releaser(state);
}

/**
 * Waits for the capture lock; waiters are served in arrival order.
 *
 * @param signal Gives up waiting when aborted.
 * @returns Resolves with a release function once the lock is ours.
 * @throws Rejects with `signal.reason` if the signal aborts first (the lock
 *   is then not taken).
 * @example
 * ```ts
 * import { acquireCapture } from "./capture_lock.ts";
 * const release = await acquireCapture(AbortSignal.timeout(30_000));
 * try {
 *   // capture
 * } finally {
 *   release();
 * }
 * ```
 */
export function acquireCapture(signal?: AbortSignal): Promise<ReleaseCapture> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  const state = lockState();
  if (!state.held) {
    state.held = true;
    return Promise.resolve(releaser(state));
  }
  return new Promise<ReleaseCapture>((resolve, reject) => {
    const onAbort = () => {
      const i = state.waiters.indexOf(grant);
      if (i >= 0) state.waiters.splice(i, 1);
      reject(signal!.reason);
    };
    const grant = () => {
      signal?.removeEventListener("abort", onAbort);
      resolve(releaser(state));
    };
    state.waiters.push(grant);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Whether a capture holds the lock right now (for diagnostics).
 *
 * @returns `true` while some capture runs.
 * @example
 * ```ts
 * import { isCaptureRunning } from "./capture_lock.ts";
 * console.log(isCaptureRunning()); // false
 * ```
 */
export function isCaptureRunning(): boolean {
  return lockState().held;
}
