/**
 * An in-process inspector session over `node:inspector`, the way Node,
 * Deno and Bun all offer it: promise-based `post`, event listeners, and an
 * `open` that reports (never throws) when the runtime has no inspector:
 * Node built `--without-inspector` fails to load the module, some
 * embedders lack `Session`, and `connect()` can throw.
 *
 * @module
 */
import { inspectorRegistry } from "./registry.ts";
import { installSessionWatch, type WatchableInspectorModule } from "./session_watch.ts";

interface RawSession {
  connect(): void;
  connectToMainThread?(): void;
  disconnect(): void;
  post(method: string, params: object, callback: (error: unknown, result?: unknown) => void): void;
  on(event: string, listener: (message: { params?: unknown }) => void): unknown;
  off?(event: string, listener: (message: { params?: unknown }) => void): unknown;
  removeListener?(event: string, listener: (message: { params?: unknown }) => void): unknown;
}

type SessionConstructor = new () => RawSession;

/** Loads the inspector module; tests replace it to simulate broken runtimes. */
export type InspectorLoader = () => Promise<unknown>;

/** Options for {@linkcode InspectorSession.open}. */
export interface OpenSessionOptions {
  /**
   * Loads `node:inspector`. Replaceable for tests of runtimes without it.
   * @default {() => import("node:inspector")}
   */
  load?: InspectorLoader;
  /**
   * From a worker thread: connect to the main thread's isolate
   * (`Session.connectToMainThread()`, Node only), so that this worker
   * drives the main thread's profilers and receives their results here,
   * off the main thread. Fails (with a reason) where the runtime lacks it.
   * @default {false}
   */
  toMainThread?: boolean;
}

/** Result of {@linkcode InspectorSession.open}. */
export type OpenSessionResult =
  | { ok: true; session: InspectorSession }
  | { ok: false; reason: string };

let defaultModule: Promise<unknown> | undefined;

/** `node:inspector`, loaded once; `node:inspector/promises` only for the watch. */
function loadDefault(): Promise<unknown> {
  defaultModule ??= (async () => {
    const mod = await import("node:inspector");
    let promises: unknown;
    try {
      promises = await import("node:inspector/promises");
    } catch {
      // Older runtimes and Bun have no promises variant: nothing to watch.
    }
    installSessionWatch([sessionHolder(mod), sessionHolder(promises)]);
    return mod;
  })();
  return defaultModule;
}

/** The object holding `Session`: the module namespace or its default export. */
function sessionHolder(mod: unknown): WatchableInspectorModule | undefined {
  if (mod === null || typeof mod !== "object") return undefined;
  const m = mod as { Session?: unknown; default?: { Session?: unknown } };
  if (typeof m.Session === "function") return m as WatchableInspectorModule;
  if (typeof m.default?.Session === "function") return m.default as WatchableInspectorModule;
  return undefined;
}

function message(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (error !== null && typeof error === "object" && "message" in error) return String(error.message);
  return String(error);
}

/**
 * One connected inspector session. autoprof opens its own sessions and
 * marks them as its own, so the session watch does not count them as
 * "another profiler".
 *
 * @example
 * ```ts ignore
 * import { InspectorSession } from "./session.ts";
 * const opened = await InspectorSession.open();
 * if (opened.ok) {
 *   await opened.session.post("Profiler.enable");
 *   opened.session.disconnect();
 * }
 * ```
 */
export class InspectorSession {
  #raw: RawSession;
  #connected = true;

  private constructor(raw: RawSession) {
    this.#raw = raw;
  }

  /**
   * Opens and connects a session.
   *
   * @param options how to load the inspector module.
   * @returns the session, or why there is none. Never throws.
   */
  static async open(options: OpenSessionOptions = {}): Promise<OpenSessionResult> {
    let mod: unknown;
    try {
      mod = await (options.load ?? loadDefault)();
    } catch (error) {
      return { ok: false, reason: `node:inspector is not available: ${message(error)}` };
    }
    const holder = sessionHolder(mod);
    if (holder === undefined) return { ok: false, reason: "node:inspector has no Session class" };
    let raw: RawSession;
    try {
      raw = new (holder.Session as unknown as SessionConstructor)();
      inspectorRegistry().ours.add(raw);
      if (options.toMainThread) {
        if (typeof raw.connectToMainThread !== "function") {
          return { ok: false, reason: "node:inspector has no Session.connectToMainThread" };
        }
        raw.connectToMainThread();
      } else {
        raw.connect();
      }
    } catch (error) {
      return { ok: false, reason: `Cannot connect an inspector session: ${message(error)}` };
    }
    return { ok: true, session: new InspectorSession(raw) };
  }

  /**
   * Sends a protocol command.
   *
   * @param method e.g. `"Profiler.start"`.
   * @param params the command's parameters.
   * @returns the command's result.
   * @throws {Error} (as a rejection) the inspector's error, or if the session is closed.
   */
  post<T = unknown>(method: string, params: object = {}): Promise<T> {
    if (!this.#connected) return Promise.reject(new Error(`Cannot post ${method}: inspector session is disconnected`));
    return new Promise<T>((resolve, reject) => {
      try {
        this.#raw.post(method, params, (error, result) => {
          if (error) reject(error instanceof Error ? error : new Error(message(error)));
          else resolve(result as T);
        });
      } catch (error) {
        reject(error);
      }
    });
  }

  /**
   * Listens to a protocol event.
   *
   * @param event e.g. `"NodeTracing.dataCollected"`.
   * @param listener receives the event's `params`.
   * @returns a function that removes the listener.
   */
  on(event: string, listener: (params: unknown) => void): () => void {
    const wrapped = (m: { params?: unknown }): void => listener(m?.params);
    this.#raw.on(event, wrapped);
    return () => {
      if (typeof this.#raw.off === "function") this.#raw.off(event, wrapped);
      else this.#raw.removeListener?.(event, wrapped);
    };
  }

  /** Disconnects; further posts reject. Never throws. */
  disconnect(): void {
    if (!this.#connected) return;
    this.#connected = false;
    try {
      this.#raw.disconnect();
    } catch {
      // Already gone.
    }
  }
}
