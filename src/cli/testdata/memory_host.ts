/**
 * A {@linkcode CliHost} held in memory, for CLI tests: files in a map,
 * output captured as text, a fixed clock.
 *
 * @module
 */
import type { CliHost, CliOutput } from "../host.ts";

/** Captured output plus the stream handed to the CLI. */
export interface CapturedOutput extends CliOutput {
  /** Everything written as text. */
  text: string;
  /** Everything written as bytes. */
  bytes: Uint8Array[];
}

/** Makes an output stream that records what is written. */
export function capture(isTTY = false): CapturedOutput {
  const out: CapturedOutput = {
    text: "",
    bytes: [],
    isTTY,
    columns: 100,
    write(s: string) {
      out.text += s;
    },
    writeBytes(b: Uint8Array) {
      out.bytes.push(b.slice());
      return Promise.resolve();
    },
  };
  return out;
}

/** A host whose files live in `files` (paths without a leading `./`). */
export interface MemoryHost extends CliHost {
  stdout: CapturedOutput;
  stderr: CapturedOutput;
  /** Path → bytes. Directories are implied by the paths. */
  files: Map<string, Uint8Array>;
}

function norm(path: string): string {
  return path.replace(/^\.\//, "").replace(/\/+$/, "").replace(/\/+/g, "/");
}

/**
 * Makes an in-memory host.
 *
 * @param files Initial files.
 * @param env Environment variables.
 * @returns The host.
 */
export function memoryHost(files: Record<string, Uint8Array> = {}, env: Record<string, string> = {}): MemoryHost {
  const map = new Map(Object.entries(files).map(([k, v]) => [norm(k), v]));
  const isDir = (p: string) => {
    const d = norm(p);
    if (d === "." || d === "") return true;
    for (const k of map.keys()) if (k.startsWith(d + "/")) return true;
    return false;
  };
  const get = (p: string) => {
    const b = map.get(norm(p));
    if (b === undefined) throw Object.assign(new Error(`ENOENT: ${p}`), { code: "ENOENT" });
    return b;
  };
  return {
    stdout: capture(),
    stderr: capture(),
    env,
    files: map,
    now: () => Date.parse("2026-11-25T03:00:00.000Z"),
    fs: {
      readDir(path) {
        const d = norm(path);
        const prefix = d === "." || d === "" ? "" : d + "/";
        const names = new Map<string, boolean>();
        for (const k of map.keys()) {
          if (!k.startsWith(prefix)) continue;
          const rest = k.slice(prefix.length);
          const slash = rest.indexOf("/");
          names.set(slash < 0 ? rest : rest.slice(0, slash), slash >= 0);
        }
        return Promise.resolve([...names].map(([name, isDirectory]) => ({ name, isDirectory })));
      },
      size: (p) => Promise.resolve(get(p).length),
      readFile: (p) => Promise.resolve(get(p)),
      readRange: (p, offset, length) => Promise.resolve(get(p).slice(offset, offset + length)),
      kind: (p) => Promise.resolve(map.has(norm(p)) ? "file" : isDir(p) ? "directory" : undefined),
      mkdirp: () => Promise.resolve(),
      writeFile(p, bytes) {
        map.set(norm(p), bytes.slice());
        return Promise.resolve();
      },
    },
  };
}
