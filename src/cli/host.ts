/**
 * What the CLI needs from its runtime, injected so the commands stay
 * runtime-agnostic and testable: output streams, environment, files,
 * `fetch`, an HTTP server and a clock. `runtimes/_cli/host.ts` builds one
 * for Node, Deno and Bun; tests build their own.
 *
 * @module
 */
import type { FetchLike } from "../sinks/_s3_client.ts";
import type { FsReadOps } from "./fs_store.ts";
import type { ProgressStream } from "./progress.ts";

/** An output stream: stdout or stderr. */
export interface CliOutput extends ProgressStream {
  /** Writes raw bytes (binary output such as a merged profile to stdout). */
  writeBytes(bytes: Uint8Array): Promise<void>;
}

/** File operations: the store's reads plus what `extract` and `merge` write. */
export interface CliFs extends FsReadOps {
  /** What is at a path: a file, a directory, or nothing. */
  kind(path: string): Promise<"file" | "directory" | undefined>;
  /** Creates a directory and its parents; fine if it exists. */
  mkdirp(path: string): Promise<void>;
  /** Writes a file, replacing it. */
  writeFile(path: string, bytes: Uint8Array): Promise<void>;
}

/** A running local web server. */
export interface RunningServer {
  /** Base URL, e.g. `http://127.0.0.1:7777/`. */
  url: string;
  /** Stops the server. */
  close(): Promise<void>;
}

/** Starts an HTTP server for a fetch-style handler. */
export type Serve = (
  handler: (request: Request) => Response | Promise<Response>,
  options: { hostname: string; port: number },
) => Promise<RunningServer>;

/** Everything a CLI command may use. */
export interface CliHost {
  /** Where results go. */
  stdout: CliOutput;
  /** Where progress, warnings and errors go. */
  stderr: CliOutput;
  /** Environment variables (for `AUTOPROF_DIR`, `AUTOPROF_S3_URL`, `AWS_*`). */
  env: Record<string, string | undefined>;
  /** File access. */
  fs: CliFs;
  /**
   * `fetch` for S3.
   * @default {globalThis.fetch}
   */
  fetch?: FetchLike;
  /** Starts a web server (for `view`); absent where the runtime has none. */
  serve?: Serve;
  /**
   * Resolves when the user asks to stop (Ctrl-C), for `view`.
   * @default {never}
   */
  interrupted?: Promise<void>;
  /**
   * Clock in ms.
   * @default {Date.now}
   */
  now?: () => number;
}
