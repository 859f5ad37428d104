/**
 * Facts identifying this Node process for `meta`: pid, hostname, `main`
 * (the program) and `revision` (its version). Never throws; looked up once
 * and cached, since none of it changes.
 *
 * - `main`: `AUTOPROF_MAIN`, else the `"name"` of the nearest package.json
 *   with a name above the entry script (`process.argv[1]`), else the script's file name
 *   without extension, else `"node"` (a REPL or `-e`).
 * - `revision`: `AUTOPROF_REVISION`, else the first set of the commit
 *   variables CI and hosting platforms export (see
 *   {@linkcode REVISION_ENV_VARS}), else that package.json's `"version"`,
 *   else `""`.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import process from "node:process";
import { nonEmpty, safe } from "../_shared/safe_read.ts";

/** Environment variables holding a commit or release id, in the order tried. */
export const REVISION_ENV_VARS: readonly string[] = Object.freeze([
  "GIT_COMMIT", // Jenkins and many Dockerfiles
  "SOURCE_VERSION", // Heroku builds
  "HEROKU_SLUG_COMMIT",
  "GITHUB_SHA",
  "CI_COMMIT_SHA", // GitLab
  "COMMIT_SHA", // Cloud Build
  "VERCEL_GIT_COMMIT_SHA",
  "RENDER_GIT_COMMIT",
  "RAILWAY_GIT_COMMIT_SHA",
  "CF_PAGES_COMMIT_SHA",
  "K_REVISION", // Cloud Run / Knative revision name
]);

/** What `processInfo()` returns. */
export interface NodeProcessInfo {
  pid: number;
  hostname: string;
  main: string;
  revision: string;
}

/** Inputs of {@linkcode readProcessInfo}; all replaceable for tests. */
export interface ProcessInfoSources {
  env?: Record<string, string | undefined>;
  argv?: readonly string[];
  pid?: number;
  hostname?: () => string;
  readFile?: (file: string) => string;
}

/**
 * Reads the process facts.
 *
 * @param sources defaults are this process's.
 * @returns pid, hostname, main, revision.
 *
 * @example
 * ```ts
 * import { readProcessInfo } from "./process_info.ts";
 * const info = readProcessInfo({ env: { AUTOPROF_MAIN: "api" }, argv: [], pid: 7, hostname: () => "h" });
 * console.assert(info.main === "api" && info.hostname === "h");
 * ```
 */
export function readProcessInfo(sources: ProcessInfoSources = {}): NodeProcessInfo {
  const env = sources.env ?? safe(() => process.env, {});
  const argv = sources.argv ?? safe(() => process.argv, []);
  const read = sources.readFile ?? ((file: string) => readFileSync(file, "utf8"));
  const entry = typeof argv[1] === "string" && argv[1] !== "" ? argv[1] : undefined;
  const pkg = entry === undefined ? undefined : nearestPackage(entry, read);

  let main = nonEmpty(env.AUTOPROF_MAIN) ?? nonEmpty(pkg?.name);
  if (main === undefined && entry !== undefined) {
    const base = path.basename(entry);
    main = nonEmpty(base.slice(0, base.length - path.extname(base).length)) ?? base;
  }
  let revision = nonEmpty(env.AUTOPROF_REVISION);
  for (const name of REVISION_ENV_VARS) revision ??= nonEmpty(env[name]);
  revision ??= nonEmpty(pkg?.version);

  return {
    pid: sources.pid ?? safe(() => process.pid, 0),
    hostname: safe(sources.hostname ?? (() => os.hostname()), ""),
    main: main ?? "node",
    revision: revision ?? "",
  };
}

let cached: NodeProcessInfo | undefined;

/**
 * This process's facts, read once.
 *
 * @returns pid, hostname, main, revision.
 *
 * @example
 * ```ts ignore
 * import { nodeProcessInfo } from "./process_info.ts";
 * console.log(nodeProcessInfo().main);
 * ```
 */
export function nodeProcessInfo(): NodeProcessInfo {
  cached ??= readProcessInfo();
  return { ...cached };
}

/** The closest package.json above `entry` that has a name, or undefined. */
function nearestPackage(
  entry: string,
  read: (file: string) => string,
): { name?: string; version?: string } | undefined {
  let dir: string;
  try {
    const resolved = entry.startsWith("file:") ? new URL(entry).pathname : path.resolve(entry);
    dir = path.dirname(resolved);
  } catch {
    return undefined;
  }
  for (let i = 0; i < 64; i++) {
    try {
      const parsed: unknown = JSON.parse(read(path.join(dir, "package.json")));
      const p = (parsed ?? {}) as { name?: unknown; version?: unknown };
      // A package.json without a name (`{"type":"module"}` in a build
      // folder) only scopes module syntax: the package is further up.
      if (typeof p.name === "string" && p.name !== "") {
        return { name: p.name, version: typeof p.version === "string" ? p.version : undefined };
      }
    } catch {
      // No (readable, valid) package.json here: look further up.
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
  return undefined;
}
