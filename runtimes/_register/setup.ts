/**
 * What `autoprof/register` does, as a function: read the environment, build
 * the sink, start the collector, install the exit flush. Separate from
 * register.ts (which runs it on import) so tests can call it.
 *
 * @module
 */
import { parseEnv } from "../../src/config/env.ts";
import { sinkFromConfig } from "../../src/config/sink_from_config.ts";
import type { CollectFn, PeriodicHandle } from "../../src/periodic.ts";
import { addCounter } from "../../src/expvar.ts";
import { nodeFsOps } from "../_fs/node_fs_ops.ts";
import { start } from "../start.ts";
import { installExitFlush } from "./exit_flush.ts";

/** Overrides for {@linkcode setupFromEnv}, for tests. */
export interface SetupOverrides {
  /** Builds a bundle instead of the runtime adapter. */
  collect?: CollectFn;
  /**
   * Writes one line to stderr.
   * @default {console.error}
   */
  stderr?: (line: string) => void;
}

/**
 * Starts autoprof as the environment describes (see src/config/env.ts for
 * the variables). Never throws: unusable settings produce one warning line
 * each, and autoprof stays off if there is nowhere to store bundles.
 *
 * @param env The environment.
 * @param overrides Test hooks.
 * @returns The running collector, or `undefined` if autoprof is off.
 * @example
 * ```ts ignore
 * import process from "node:process";
 * import { setupFromEnv } from "./setup.ts";
 * setupFromEnv(process.env);
 * ```
 */
export function setupFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  overrides: SetupOverrides = {},
): PeriodicHandle | undefined {
  const stderr = overrides.stderr ?? ((line: string) => console.error(line));
  try {
    const { config, warnings } = parseEnv(env);
    for (const w of warnings) stderr(w);
    const sink = sinkFromConfig(config, {
      fsOps: nodeFsOps,
      count: (name, n) => addCounter(name, n),
      onRetentionError: (e) => stderr(`autoprof: cannot apply retention in ${config.dir}: ${message(e)}`),
    });
    if (sink === undefined) return undefined;
    const handle = start({
      sink,
      collect: overrides.collect,
      schedule: config.intervalMs === 0 ? false : {
        intervalMs: config.intervalMs,
        cpuProfileDuration: config.cpuProfileDuration,
        traceDuration: config.traceDuration,
      },
      meta: {
        ...(config.main !== undefined && { main: config.main }),
        ...(config.revision !== undefined && { revision: config.revision }),
        ...(config.hostname !== undefined && { hostname: config.hostname }),
      },
      onError: (e, ctx) => stderr(`autoprof: cannot ${ctx.phase} bundle: ${message(e)}`),
      onStored: config.log ? (r, m) => stderr(`autoprof: stored bundle ${r?.location ?? m.capture_time}`) : undefined,
    });
    if (config.flushOnExit) {
      installExitFlush(handle, { timeoutMs: config.flushTimeoutMs });
    }
    return handle;
  } catch (e) {
    // Zero-code start must never crash the app it was preloaded into.
    stderr(`autoprof: not started: ${message(e)}`);
    return undefined;
  }
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
