/**
 * Builds the sink that an {@linkcode EnvConfig} describes: a directory, S3,
 * or both.
 *
 * @module
 */
import type { EnvConfig } from "./env.ts";
import type { Sink } from "../sinks/sink.ts";
import { fsSink, type FsOps } from "../sinks/fs.ts";
import { type FetchLike, s3Sink } from "../sinks/s3.ts";
import { fanOutSink } from "../sinks/fan_out.ts";

/** Runtime powers {@linkcode sinkFromConfig} needs. */
export interface SinkDeps {
  /** File operations for the filesystem sink. */
  fsOps: FsOps;
  /** `fetch` for the S3 sink. */
  fetch?: FetchLike;
  /** Counter for sink events (expvar). */
  count?: (name: string, n: number) => void;
  /** Called when filesystem retention fails. */
  onRetentionError?: (error: unknown) => void;
}

/**
 * Makes the sink for a configuration.
 *
 * @param config Parsed configuration (see `parseEnv`).
 * @param deps File operations, fetch and counters.
 * @returns The sink, or `undefined` if the configuration has none.
 * @example
 * ```ts ignore
 * import { parseEnv } from "./env.ts";
 * import { sinkFromConfig } from "./sink_from_config.ts";
 * import { nodeFsOps } from "../../runtimes/_fs/node_fs_ops.ts";
 * const sink = sinkFromConfig(parseEnv(process.env).config, { fsOps: nodeFsOps });
 * ```
 */
export function sinkFromConfig(config: EnvConfig, deps: SinkDeps): Sink | undefined {
  const sinks: Sink[] = [];
  if (config.dir !== undefined) {
    sinks.push(fsSink({
      dir: config.dir,
      maxBundles: config.maxBundles,
      maxBytes: config.maxBytes,
      onRetentionError: deps.onRetentionError,
    }, deps.fsOps));
  }
  if (config.s3 !== undefined) {
    sinks.push(s3Sink({ ...config.s3, fetch: deps.fetch, count: deps.count }));
  }
  return sinks.length === 0 ? undefined : fanOutSink(sinks);
}
