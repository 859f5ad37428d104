/**
 * Turns what a user types into stores and bundles: `--store DIR`,
 * `--store s3://bucket/prefix` (credentials from `AWS_*`, like the S3
 * sink), and a BUNDLE argument that is a file, an `s3://` URL, a key, or
 * any unique part of a key (such as a proc id and time from `ls`).
 *
 * @module
 */
import { parseDuration } from "../config/duration.ts";
import { parseEnv } from "../config/env.ts";
import { UsageError } from "./args.ts";
import { fsStore } from "./fs_store.ts";
import type { CliHost } from "./host.ts";
import { s3Store } from "./s3_store.ts";
import type { BundleFilter, BundleStore } from "./store.ts";

/** A bundle found from a BUNDLE argument. */
export interface LocatedBundle {
  /** The store it is in. */
  store: BundleStore;
  /** Its key in that store. */
  key: string;
  /** Its size in bytes. */
  size: number;
}

/**
 * The store a command works on: `--store`, else `AUTOPROF_S3_URL`, else
 * `AUTOPROF_DIR`, else `./profiles` (what zero-code start writes to).
 *
 * @param spec The `--store` value, if given.
 * @param host Environment, files and fetch.
 * @returns The store.
 * @throws {UsageError} If an `s3://` store cannot be configured (bad URL, no credentials).
 * @example
 * ```ts ignore
 * import { openStore } from "./locate.ts";
 * const store = openStore("s3://profiles/team", host);
 * ```
 */
export function openStore(spec: string | undefined, host: CliHost): BundleStore {
  const env = host.env;
  const where = spec ?? env.AUTOPROF_S3_URL ?? env.AUTOPROF_DIR ?? "./profiles";
  if (!where.startsWith("s3://")) return fsStore(where, host.fs);
  const { config, warnings } = parseEnv({ ...env, AUTOPROF_S3_URL: where, AUTOPROF_DIR: undefined });
  if (config.s3 === undefined) {
    const why = warnings.find((w) => w.includes("AUTOPROF_S3_URL") || w.includes("AWS_")) ?? "";
    throw new UsageError(
      `Cannot open S3 store ${JSON.stringify(where)}: ${why.replace(/^autoprof: /, "").replace(/;[^;]*$/, "")}`,
    );
  }
  return s3Store({ ...config.s3, fetch: host.fetch });
}

/**
 * Finds the bundle a BUNDLE argument names: an existing file path; an
 * `s3://bucket/key` URL; a key in the store; or a unique substring of one
 * key in the store (for example `1-6744d2c0-…-42/2026-11-25T02:00`).
 *
 * @param arg The argument.
 * @param store The store for keys and substrings.
 * @param host Files and environment.
 * @returns The store, key and size.
 * @throws {UsageError} If nothing, or more than one bundle, matches.
 * @example
 * ```ts ignore
 * import { locateBundle } from "./locate.ts";
 * const { store, key } = await locateBundle("2026-11-25T02:00", openStore(undefined, host), host);
 * ```
 */
export async function locateBundle(arg: string, store: BundleStore | (() => BundleStore), host: CliHost): Promise<LocatedBundle> {
  if (arg.startsWith("s3://")) {
    const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(arg);
    if (m === null) throw new UsageError(`Invalid bundle URL: expected s3://bucket/key.zip: got ${JSON.stringify(arg)}`);
    const bucketStore = openStore(`s3://${m[1]}`, host);
    return { store: bucketStore, key: m[2]!, size: -1 };
  }
  if ((await host.fs.kind(arg)) === "file") {
    const slash = arg.lastIndexOf("/");
    const dir = slash < 0 ? "." : slash === 0 ? "/" : arg.slice(0, slash);
    return { store: fsStore(dir, host.fs), key: arg.slice(slash + 1), size: await host.fs.size(arg) };
  }
  const s = typeof store === "function" ? store() : store;
  const all = await s.list({});
  const exact = all.find((b) => b.key === arg);
  if (exact !== undefined) return { store: s, key: exact.key, size: exact.size };
  const matches = all.filter((b) => b.key.includes(arg));
  if (matches.length === 1) return { store: s, key: matches[0]!.key, size: matches[0]!.size };
  if (matches.length === 0) {
    throw new UsageError(
      `No bundle matches ${JSON.stringify(arg)}: not a file, and no key in ${s.location} contains it ` +
        `(${all.length} bundles there; pass a file path, an s3:// URL, or a key from \`autoprof ls\`)`,
    );
  }
  const shown = matches.slice(0, 5).map((b) => `\n  ${b.key}`).join("");
  throw new UsageError(
    `${matches.length} bundles match ${JSON.stringify(arg)}: give more of the key:${shown}${matches.length > 5 ? "\n  …" : ""}`,
  );
}

/**
 * Reads `--since`/`--until`: an RFC 3339 time or date (`2026-11-25T02:00Z`,
 * `2026-11-25`), or a duration before now (`90m`, `2h`, `1h30m`).
 *
 * @param name The option, for messages.
 * @param value What the user typed.
 * @param now The current time in ms.
 * @returns An ISO 8601 UTC time.
 * @throws {UsageError} If the value is neither.
 * @example
 * ```ts
 * import { parseTimeOption } from "./locate.ts";
 * console.log(parseTimeOption("since", "1h", Date.parse("2026-11-25T02:00:00Z"))); // "2026-11-25T01:00:00.000Z"
 * ```
 */
export function parseTimeOption(name: string, value: string, now: number): string {
  if (/^\d{4}-\d{2}-\d{2}/.test(value)) {
    const t = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
    if (!Number.isNaN(t)) return new Date(t).toISOString();
  } else {
    try {
      return new Date(now - parseDuration(value)).toISOString();
    } catch {
      // Reported below with both accepted forms.
    }
  }
  throw new UsageError(
    `Invalid --${name}: expected an RFC 3339 time (2026-11-25T02:00:00Z), a date (2026-11-25) or a duration before now (90m, 2h): got ${
      JSON.stringify(value)
    }`,
  );
}

/**
 * Builds a {@linkcode BundleFilter} from the shared filter options.
 *
 * @param options Parsed `--main`, `--host`, `--proc`, `--since`, `--until`.
 * @param now The current time in ms.
 * @returns The filter.
 * @throws {UsageError} On an invalid time.
 * @example
 * ```ts
 * import { filterFromOptions } from "./locate.ts";
 * console.log(filterFromOptions({ main: "api" }, 0)); // { main: "api" }
 * ```
 */
export function filterFromOptions(options: Record<string, unknown>, now: number): BundleFilter {
  const filter: BundleFilter = {};
  for (const key of ["main", "host", "proc"] as const) {
    if (typeof options[key] === "string") filter[key] = options[key] as string;
  }
  for (const key of ["since", "until"] as const) {
    if (typeof options[key] === "string") filter[key] = parseTimeOption(key, options[key] as string, now);
  }
  return filter;
}
