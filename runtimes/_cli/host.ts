/**
 * The CLI's {@linkcode CliHost} for Node, Deno and Bun: `node:process`
 * streams and environment, `node:fs/promises` files, the global `fetch`,
 * and the runtime's own HTTP server for `autoprof view`.
 *
 * @module
 */
import { mkdir, open, readFile, stat, writeFile } from "node:fs/promises";
import process from "node:process";
import type { CliFs, CliHost, CliOutput } from "../../src/cli/host.ts";
import { serveForRuntime } from "./serve.ts";
import { nodeFsOps } from "../_fs/node_fs_ops.ts";

function output(stream: NodeJS.WriteStream): CliOutput {
  // A closed pipe (`autoprof ls | head`) is not an error worth a stack trace.
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code !== "EPIPE") throw e;
  });
  return {
    write: (text: string) => void stream.write(text),
    writeBytes: (bytes: Uint8Array) => new Promise<void>((resolve, reject) => stream.write(bytes, (e) => (e ? reject(e) : resolve()))),
    get isTTY() {
      return stream.isTTY === true;
    },
    get columns() {
      return stream.columns;
    },
  };
}

/** File access over `node:fs/promises`. */
export const nodeCliFs: CliFs = {
  // Listing and sizes as the filesystem sink's retention reads them.
  readDir: nodeFsOps.readDir,
  size: nodeFsOps.size,
  async readFile(path: string): Promise<Uint8Array> {
    const b = await readFile(path);
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  },
  async readRange(path: string, offset: number, length: number): Promise<Uint8Array> {
    const file = await open(path, "r");
    try {
      const out = new Uint8Array(length);
      let got = 0;
      while (got < length) {
        const { bytesRead } = await file.read(out, got, length - got, offset + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      return out.subarray(0, got);
    } finally {
      await file.close();
    }
  },
  async kind(path: string): Promise<"file" | "directory" | undefined> {
    try {
      const s = await stat(path);
      return s.isDirectory() ? "directory" : s.isFile() ? "file" : undefined;
    } catch {
      return undefined;
    }
  },
  async mkdirp(path: string): Promise<void> {
    await mkdir(path, { recursive: true });
  },
  async writeFile(path: string, bytes: Uint8Array): Promise<void> {
    await writeFile(path, bytes);
  },
};

/**
 * Builds the host for the running process.
 *
 * @returns The host.
 * @example
 * ```ts ignore
 * import { runCli } from "../../src/cli/main.ts";
 * import { processHost } from "./host.ts";
 * process.exitCode = await runCli(process.argv.slice(2), processHost());
 * ```
 */
export function processHost(): CliHost {
  let env: Record<string, string | undefined>;
  try {
    env = { ...process.env };
  } catch {
    env = {}; // Deno without --allow-env
  }
  const interrupted = new Promise<void>((resolve) => {
    process.once("SIGINT", () => resolve());
  });
  return {
    stdout: output(process.stdout),
    stderr: output(process.stderr),
    env,
    fs: nodeCliFs,
    serve: serveForRuntime(),
    interrupted,
  };
}
