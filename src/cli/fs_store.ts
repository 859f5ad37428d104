/**
 * A {@linkcode BundleStore} over a directory written by the filesystem sink.
 * File access is injected ({@linkcode FsReadOps}) so this file stays
 * runtime-agnostic; `runtimes/_cli/host.ts` provides it for Node, Deno and
 * Bun.
 *
 * @module
 */
import type { DirEntry } from "../sinks/fs.ts";
import type { BundleFilter, BundleStore, ListProgress, ReadProgress, StoredBundle } from "./store.ts";
import { listPrefix, toBundles } from "./store.ts";

/** The read-only file operations {@linkcode fsStore} needs. Paths use `/`. */
export interface FsReadOps {
  /** Lists a directory; `[]` if it does not exist. */
  readDir(path: string): Promise<DirEntry[]>;
  /** A file's size in bytes. */
  size(path: string): Promise<number>;
  /** Reads a whole file. */
  readFile(path: string): Promise<Uint8Array>;
  /** Reads up to `length` bytes at `offset`. */
  readRange(path: string, offset: number, length: number): Promise<Uint8Array>;
}

/**
 * Opens a directory as a bundle store.
 *
 * @param dir The directory that holds `pprof/…` (what `AUTOPROF_DIR` names).
 * @param ops File operations for the current runtime.
 * @returns The store.
 * @example
 * ```ts ignore
 * import { fsStore } from "./fs_store.ts";
 * const store = fsStore("./profiles", ops);
 * console.log((await store.list({})).length);
 * ```
 */
export function fsStore(dir: string, ops: FsReadOps): BundleStore {
  const root = dir.replace(/(?<=.)\/+$/, "");
  const path = (key: string) => (root === "." ? key : `${root}/${key}`);
  return {
    location: root,
    async list(filter: BundleFilter, onProgress?: ListProgress): Promise<StoredBundle[]> {
      const found: { key: string; size: number }[] = [];
      const start = listPrefix(filter).replace(/\/$/, "");
      // Layout depth: pprof/<main>/<hostname>/<proc_id>/<file>.
      const depth = start.split("/").length - 1;
      await walk(start, depth, found, ops, root, onProgress);
      return toBundles(found, filter);
    },
    read(key: string, onProgress?: ReadProgress): Promise<Uint8Array> {
      return ops.readFile(path(key)).then((bytes) => {
        onProgress?.(bytes.length, bytes.length);
        return bytes;
      });
    },
    readRange(key: string, offset: number, length: number): Promise<Uint8Array> {
      return ops.readRange(path(key), offset, length);
    },
    locate(key: string): string {
      return path(key);
    },
  };
}

async function walk(
  rel: string,
  depth: number,
  found: { key: string; size: number }[],
  ops: FsReadOps,
  root: string,
  onProgress: ListProgress | undefined,
): Promise<void> {
  const entries = await ops.readDir(root === "." ? rel : `${root}/${rel}`);
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const key = `${rel}/${entry.name}`;
    if (entry.isDirectory && depth < 3) {
      await walk(key, depth + 1, found, ops, root, onProgress);
    } else if (!entry.isDirectory && depth === 3 && entry.name.endsWith(".zip") && !entry.name.startsWith(".")) {
      found.push({ key, size: await ops.size(root === "." ? key : `${root}/${key}`) });
      onProgress?.(found.length);
    }
  }
}
