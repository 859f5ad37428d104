/**
 * Facts identifying this Deno process for `meta`, read only where the
 * process has permission (and never by prompting):
 *
 * - `hostname`: `Deno.hostname()` with `--allow-sys` (or
 *   `--allow-sys=hostname`), else `""`.
 * - `main`: `AUTOPROF_MAIN` (with `--allow-env`), else the `"name"` of the
 *   nearest `deno.json` or `package.json` above the main module (with
 *   `--allow-read` there), else the main module's file name without
 *   extension, else `"deno"`.
 * - `revision`: `AUTOPROF_REVISION`, else the first commit variable of
 *   {@linkcode REVISION_ENV_VARS} that is set (each needs `--allow-env`),
 *   else that config file's `"version"`, else `""`.
 *
 * @module
 */
import { REVISION_ENV_VARS } from "../node/process_info.ts";
import { type DenoApi, permissionState } from "./deno_api.ts";
import { nonEmpty, safe } from "../_shared/safe_read.ts";

export { REVISION_ENV_VARS };

/** What `processInfo()` returns, plus why the hostname is missing. */
export interface DenoProcessInfo {
  pid: number;
  hostname: string;
  main: string;
  revision: string;
  /** Why `hostname` is `""`, when it is. */
  hostnameUnavailable?: string;
}

/** The config files looked for in each directory, in order. */
const CONFIG_FILES = ["deno.json", "package.json"] as const;

/**
 * Reads the process facts through `deno`, honouring its permissions.
 *
 * @param deno the Deno namespace (or a fake).
 * @returns pid, hostname, main, revision. Never throws.
 *
 * @example
 * ```ts
 * import { readDenoProcessInfo } from "./process_info.ts";
 * const info = readDenoProcessInfo({
 *   pid: 7, version: { deno: "2.0.0" }, mainModule: "file:///srv/api/main.ts",
 *   hostname: () => "h", memoryUsage: () => ({ rss: 0, heapTotal: 0, heapUsed: 0, external: 0 }),
 *   env: { get: () => undefined }, readTextFileSync: () => { throw new Error("none"); },
 *   permissions: { querySync: () => ({ state: "granted" }) },
 * });
 * console.assert(info.main === "main" && info.hostname === "h");
 * ```
 */
export function readDenoProcessInfo(deno: DenoApi): DenoProcessInfo {
  const env = (name: string): string | undefined => {
    if (permissionState(deno, { name: "env", variable: name }) !== "granted") return undefined;
    return nonEmpty(safe(() => deno.env.get(name), undefined));
  };
  const mainModule = safe(() => deno.mainModule, undefined);
  const entryPath = filePath(mainModule);
  const config = entryPath === undefined ? undefined : nearestConfig(deno, entryPath);

  let main = env("AUTOPROF_MAIN") ?? nonEmpty(config?.name);
  if (main === undefined && mainModule !== undefined) {
    const base = decodeSafe(mainModule.replace(/[?#].*$/, "").split("/").pop() ?? "");
    main = nonEmpty(base.replace(/\.[^.]*$/, "")) ?? nonEmpty(base);
  }
  let revision = env("AUTOPROF_REVISION");
  for (const name of REVISION_ENV_VARS) revision ??= env(name);
  revision ??= nonEmpty(config?.version);

  const info: DenoProcessInfo = {
    pid: safe(() => deno.pid, 0),
    hostname: "",
    main: main ?? "deno",
    revision: revision ?? "",
  };
  const hostPermission = permissionState(deno, { name: "sys", kind: "hostname" });
  if (hostPermission === "granted") {
    try {
      info.hostname = deno.hostname();
    } catch (error) {
      info.hostnameUnavailable = `Deno.hostname() failed: ${error instanceof Error ? error.message : String(error)}`;
    }
  } else {
    info.hostnameUnavailable = `the hostname needs --allow-sys=hostname (permission state: ${hostPermission})`;
  }
  return info;
}

/** The file path of a `file:` module URL, or undefined. */
function filePath(url: string | undefined): string | undefined {
  if (url === undefined || !url.startsWith("file:")) return undefined;
  try {
    return decodeURIComponent(new URL(url).pathname);
  } catch {
    return undefined;
  }
}

/** The nearest deno.json / package.json with a name above `entry`, read where permitted. */
function nearestConfig(deno: DenoApi, entry: string): { name?: string; version?: string } | undefined {
  let dir = entry.slice(0, entry.lastIndexOf("/")) || "/";
  for (let i = 0; i < 64; i++) {
    for (const file of CONFIG_FILES) {
      const path = `${dir === "/" ? "" : dir}/${file}`;
      if (permissionState(deno, { name: "read", path }) !== "granted") continue;
      try {
        const parsed = JSON.parse(deno.readTextFileSync(path)) as { name?: unknown; version?: unknown } | null;
        if (typeof parsed?.name === "string" && parsed.name !== "") {
          return { name: parsed.name, version: typeof parsed.version === "string" ? parsed.version : undefined };
        }
      } catch {
        // Missing or invalid: look further.
      }
    }
    if (dir === "/") return undefined;
    dir = dir.slice(0, dir.lastIndexOf("/")) || "/";
  }
  return undefined;
}

function decodeSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
