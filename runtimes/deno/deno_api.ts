/**
 * The few parts of the `Deno` namespace the Deno adapter uses, typed here
 * so the adapter compiles without Deno's type declarations (tsc builds the
 * npm package from the same sources), and replaceable in tests.
 *
 * @module
 */

/** A permission to query, as `Deno.permissions.querySync` takes it. */
export type DenoPermissionDescriptor =
  | { name: "sys"; kind?: string }
  | { name: "env"; variable?: string }
  | { name: "read"; path?: string };

/** `Deno.permissions.querySync(...).state`. */
export type DenoPermissionState = "granted" | "denied" | "prompt";

/** What the adapter reads from `Deno`. */
export interface DenoApi {
  /** `Deno.pid`. */
  readonly pid: number;
  /** `Deno.version`. */
  readonly version: { deno: string; v8?: string; typescript?: string };
  /** `Deno.mainModule`: the entry module's URL. */
  readonly mainModule?: string;
  /** `Deno.args`. */
  readonly args?: readonly string[];
  /** `Deno.hostname()`: needs `--allow-sys=hostname`. */
  hostname(): string;
  /** `Deno.memoryUsage()`. */
  memoryUsage(): { rss: number; heapTotal: number; heapUsed: number; external: number };
  /** `Deno.env.get()`: needs `--allow-env`. */
  readonly env: { get(name: string): string | undefined };
  /** `Deno.readTextFileSync()`: needs `--allow-read`. */
  readTextFileSync(path: string): string;
  /** `Deno.permissions.querySync()`: never prompts. */
  readonly permissions: { querySync(descriptor: DenoPermissionDescriptor): { state: DenoPermissionState } };
}

/**
 * The `Deno` namespace of this process, or `undefined` off Deno.
 *
 * @returns the namespace, typed as {@linkcode DenoApi}.
 *
 * @example
 * ```ts
 * import { denoApi } from "./deno_api.ts";
 * const deno = denoApi();
 * console.log(deno === undefined ? "not Deno" : deno.version.deno);
 * ```
 */
export function denoApi(): DenoApi | undefined {
  try {
    const deno = (globalThis as { Deno?: unknown }).Deno;
    return typeof deno === "object" && deno !== null ? deno as DenoApi : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The state of a permission, without ever prompting: an interactive
 * permission prompt would stop the program where autoprof loads. Unknown
 * descriptors (an older Deno) and a missing permissions API read as
 * `"denied"`.
 *
 * @param deno the namespace.
 * @param descriptor the permission.
 * @returns `"granted"`, `"denied"` or `"prompt"`.
 *
 * @example
 * ```ts
 * import { permissionState } from "./deno_api.ts";
 * const fake = { permissions: { querySync: () => ({ state: "prompt" as const }) } };
 * console.assert(permissionState(fake, { name: "sys", kind: "hostname" }) === "prompt");
 * ```
 */
export function permissionState(
  deno: Pick<DenoApi, "permissions">,
  descriptor: DenoPermissionDescriptor,
): DenoPermissionState {
  try {
    const state = deno.permissions.querySync(descriptor).state;
    return state === "granted" || state === "prompt" ? state : "denied";
  } catch {
    return "denied";
  }
}
