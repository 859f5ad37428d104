/**
 * A sink that writes bundles to a directory, atomically, with optional
 * retention. File operations are injected ({@linkcode FsOps}), so this file
 * stays runtime-agnostic; `runtimes/_fs/node_fs_ops.ts` provides them for
 * Node, Deno and Bun.
 *
 * @module
 */
import type { Meta } from "../types.ts";
import { bundleKey, type Sink, type StoreResult } from "./sink.ts";

/** One directory entry, as {@linkcode FsOps.readDir} reports it. */
export interface DirEntry {
  /** File or directory name (no path). */
  name: string;
  /** Whether the entry is a directory. */
  isDirectory: boolean;
}

/** The file operations {@linkcode fsSink} needs. Paths use `/`. */
export interface FsOps {
  /** Creates a directory and its parents; fine if it exists. */
  mkdirp(path: string): Promise<void>;
  /** Creates a new file (failing if it exists), writes all bytes and flushes them to disk. */
  writeNew(path: string, bytes: Uint8Array): Promise<void>;
  /** Renames a file, replacing the destination atomically. */
  rename(from: string, to: string): Promise<void>;
  /** Deletes a file; fine if it is already gone. */
  remove(path: string): Promise<void>;
  /** Deletes an empty directory; fine if it is gone or not empty. */
  removeEmptyDir(path: string): Promise<void>;
  /** Lists a directory; `[]` if it does not exist. */
  readDir(path: string): Promise<DirEntry[]>;
  /** A file's size in bytes. */
  size(path: string): Promise<number>;
}

/** Options for {@linkcode fsSink}. */
export interface FsSinkOptions {
  /** Root directory; bundles go under `<dir>/pprof/…`. */
  dir: string;
  /**
   * Keep at most this many bundles under `dir` (the newest by capture time);
   * older ones are deleted after each store. Absent: no limit.
   */
  maxBundles?: number;
  /**
   * Keep at most this many bytes of bundles under `dir`; the newest bundle
   * is always kept. Absent: no limit.
   */
  maxBytes?: number;
  /**
   * Called when retention fails (the bundle itself was stored).
   * @default {() => {}}
   */
  onRetentionError?: (error: unknown) => void;
}

// Bundle files are named by their escaped capture time; retention only ever
// touches files that look like that, so it cannot delete anything else a
// user keeps in the directory.
const BUNDLE_FILE = /^\d{4}-\d{2}-\d{2}T[0-9:.%A-Z+-]*\.zip$/;

/**
 * Makes a sink that writes each bundle to
 * `<dir>/pprof/<main>/<hostname>/<proc_id>/<capture_time>.zip`: first to a
 * temporary file in the same directory, then renamed into place, so readers
 * never see a partial bundle.
 *
 * @param options Directory and retention limits.
 * @param ops File operations for the current runtime.
 * @returns The sink.
 * @throws {RangeError} If a retention limit is not a whole number >= 1.
 * @example
 * ```ts ignore
 * import { fsSink } from "./fs.ts";
 * import { nodeFsOps } from "../../runtimes/_fs/node_fs_ops.ts";
 * const sink = fsSink({ dir: "./profiles", maxBundles: 100 }, nodeFsOps);
 * ```
 */
export function fsSink(options: FsSinkOptions, ops: FsOps): Sink {
  for (const name of ["maxBundles", "maxBytes"] as const) {
    const v = options[name];
    if (v !== undefined && (!Number.isSafeInteger(v) || v < 1)) {
      throw new RangeError(`Cannot create filesystem sink: ${name} must be a whole number >= 1: got ${v}`);
    }
  }
  const root = options.dir.replace(/(?<=.)\/+$/, "");
  const onRetentionError = options.onRetentionError ?? (() => {});
  const retain = options.maxBundles !== undefined || options.maxBytes !== undefined;

  return async (meta: Meta, bytes: Uint8Array): Promise<StoreResult> => {
    const key = bundleKey(meta);
    const path = `${root}/${key}`;
    const slash = path.lastIndexOf("/");
    const dir = path.slice(0, slash);
    const tmp = `${dir}/.${path.slice(slash + 1)}.${randomSuffix()}.tmp`;
    await ops.mkdirp(dir);
    try {
      await ops.writeNew(tmp, bytes).catch(async (e: unknown) => {
        // Another process's retention may have removed the (then empty)
        // directory between mkdirp and write: make it again, once.
        if ((e as { code?: unknown } | null)?.code !== "ENOENT") throw e;
        await ops.mkdirp(dir);
        await ops.writeNew(tmp, bytes);
      });
      await ops.rename(tmp, path);
    } catch (e) {
      await ops.remove(tmp).catch(() => {});
      throw e;
    }
    if (retain) {
      await applyRetention(root, path, options, ops).catch(onRetentionError);
    }
    return { location: path, key };
  };
}

interface Found {
  path: string;
  name: string;
  size: number;
}

async function applyRetention(root: string, keep: string, options: FsSinkOptions, ops: FsOps): Promise<void> {
  const found: Found[] = [];
  await walk(`${root}/pprof`, 0, found, ops);
  // Newest first: capture times sort as text; ties break on the full path.
  found.sort((a, b) => (a.name === b.name ? (a.path < b.path ? 1 : -1) : a.name < b.name ? 1 : -1));
  const maxBundles = options.maxBundles ?? Infinity;
  const maxBytes = options.maxBytes ?? Infinity;
  let count = 0;
  let bytes = 0;
  const doomed: string[] = [];
  for (const f of found) {
    const fits = count + 1 <= maxBundles && bytes + f.size <= maxBytes;
    if (f.path === keep || (fits && doomed.length === 0)) {
      count++;
      bytes += f.size;
    } else {
      doomed.push(f.path);
    }
  }
  const emptied = new Set<string>();
  for (const path of doomed) {
    await ops.remove(path);
    // pprof/<main>/<hostname>/<proc_id>: the three levels above the file.
    let dir = path;
    for (let i = 0; i < 3; i++) emptied.add(dir = dir.slice(0, dir.lastIndexOf("/")));
  }
  // Deepest first, so an emptied process directory goes, then its parents;
  // directories that still hold anything stay.
  for (const dir of [...emptied].sort((a, b) => b.length - a.length)) await ops.removeEmptyDir(dir);
}

// Layout depth: pprof/<main>/<hostname>/<proc_id>/<file>.
async function walk(dir: string, depth: number, found: Found[], ops: FsOps): Promise<void> {
  for (const entry of await ops.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory && depth < 3) {
      await walk(path, depth + 1, found, ops);
    } else if (!entry.isDirectory && depth === 3 && BUNDLE_FILE.test(entry.name)) {
      found.push({ path, name: entry.name, size: await ops.size(path) });
    }
  }
}

function randomSuffix(): string {
  const b = crypto.getRandomValues(new Uint8Array(6));
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}
