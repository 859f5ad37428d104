/**
 * {@linkcode FsOps} over `node:fs/promises`, for the filesystem sink on
 * Node, Deno and Bun (all three implement these calls).
 *
 * @module
 */
import { mkdir, open, readdir, rename, rm, rmdir, stat } from "node:fs/promises";
import type { DirEntry, FsOps } from "../../src/sinks/fs.ts";

/**
 * File operations backed by `node:fs/promises`.
 *
 * @example
 * ```ts ignore
 * import { fsSink } from "../../src/sinks/fs.ts";
 * import { nodeFsOps } from "./node_fs_ops.ts";
 * const sink = fsSink({ dir: "./profiles" }, nodeFsOps);
 * ```
 */
export const nodeFsOps: FsOps = {
  async mkdirp(path: string): Promise<void> {
    await mkdir(path, { recursive: true });
  },
  async writeNew(path: string, bytes: Uint8Array): Promise<void> {
    // "wx": never follow or clobber something already at the temp path.
    const file = await open(path, "wx", 0o644);
    try {
      await file.writeFile(bytes);
      // Flush before the rename so a crash cannot leave an empty bundle
      // under the final name.
      await file.sync();
    } finally {
      await file.close();
    }
  },
  async rename(from: string, to: string): Promise<void> {
    await rename(from, to);
  },
  async remove(path: string): Promise<void> {
    await rm(path, { force: true });
  },
  async removeEmptyDir(path: string): Promise<void> {
    try {
      await rmdir(path);
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code !== "ENOENT" && code !== "ENOTEMPTY" && code !== "EEXIST") throw e;
    }
  },
  async readDir(path: string): Promise<DirEntry[]> {
    try {
      const entries = await readdir(path, { withFileTypes: true });
      return entries.map((e) => ({ name: e.name, isDirectory: e.isDirectory() }));
    } catch (e) {
      if ((e as { code?: string }).code === "ENOENT") return [];
      throw e;
    }
  },
  async size(path: string): Promise<number> {
    return (await stat(path)).size;
  },
};
