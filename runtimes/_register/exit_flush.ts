/**
 * Stores one last bundle when the process ends: when the event loop runs
 * dry (`beforeExit`) or on SIGTERM / SIGINT. Uses `node:process`, which
 * Node, Deno and Bun all provide.
 *
 * The hooks never keep the process alive on their own: signal listeners
 * hold no reference, and the flush keeps the loop busy for at most the time
 * budget. After a signal, once the flush is done (or the budget spent), the
 * signal is raised again so the process ends the way it would have without
 * autoprof, unless the app has its own listener for it, which then decides.
 * A second signal during the flush ends the process at once. `process.exit()`
 * cannot be intercepted, so it stores nothing.
 *
 * @module
 */
import process from "node:process";
import type { FlushResult, PeriodicHandle } from "../../src/periodic.ts";

/** Options for {@linkcode installExitFlush}. */
export interface ExitFlushOptions {
  /** Longest time to spend on the last bundle, in ms. */
  timeoutMs: number;
  /**
   * Signals to flush on.
   * @default {["SIGTERM", "SIGINT"]}
   */
  signals?: readonly ("SIGTERM" | "SIGINT" | "SIGHUP")[];
  /** Called with the outcome, or `"timeout"` when the budget ran out. */
  onDone?: (result: FlushResult | "timeout", reason: string) => void;
}

/**
 * Installs the exit hooks.
 *
 * @param handle The running collector (stopped, then flushed, on exit).
 * @param options Time budget and signals.
 * @returns A function that removes the hooks again.
 * @example
 * ```ts ignore
 * import { installExitFlush } from "./exit_flush.ts";
 * installExitFlush(handle, { timeoutMs: 5000 });
 * ```
 */
export function installExitFlush(handle: PeriodicHandle, options: ExitFlushOptions): () => void {
  const signals = options.signals ?? ["SIGTERM", "SIGINT"];
  let flushing: Promise<void> | undefined;

  const finalFlush = (reason: string): Promise<void> => {
    flushing ??= (async () => {
      let budget: ReturnType<typeof setTimeout> | undefined;
      // A referenced timer: it keeps the loop alive while the flush waits on
      // unreferenced things (an S3 backoff), and bounds the wait.
      const timeout = new Promise<"timeout">((resolve) => (budget = setTimeout(() => resolve("timeout"), options.timeoutMs)));
      const abort = new AbortController();
      try {
        const result = await Promise.race([
          handle.stop().then(() => handle.flush({ signal: abort.signal })),
          timeout,
        ]);
        abort.abort();
        options.onDone?.(result, reason);
      } catch {
        // stop() and flush() do not reject; a throwing onDone must not matter.
      } finally {
        clearTimeout(budget);
      }
    })();
    return flushing;
  };

  const onBeforeExit = (): void => {
    if (flushing === undefined) void finalFlush("exit");
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    if (flushing !== undefined) {
      // Second signal: do not make the user wait.
      reraise(signal);
      return;
    }
    void finalFlush(signal).then(() => reraise(signal));
  };
  const reraise = (signal: NodeJS.Signals): void => {
    uninstall();
    // With no listener left, the default action (terminate) applies.
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  const uninstall = (): void => {
    process.removeListener("beforeExit", onBeforeExit);
    for (const s of signals) process.removeListener(s, onSignal);
  };

  process.on("beforeExit", onBeforeExit);
  for (const s of signals) process.on(s, onSignal);
  return uninstall;
}
