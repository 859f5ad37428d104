/**
 * Configuration for zero-code start (`autoprof/register`) read from
 * environment variables. Pure: the caller passes the environment as a
 * record, and gets back a complete, valid configuration plus one warning per
 * variable it could not use. It never throws.
 *
 * | variable | meaning | default |
 * | --- | --- | --- |
 * | `AUTOPROF_DIR` | store bundles under this directory | `./profiles` if no S3 |
 * | `AUTOPROF_MAX_BUNDLES` | keep at most this many bundles in `AUTOPROF_DIR` | no limit |
 * | `AUTOPROF_MAX_BYTES` | keep at most this many bytes (`500MB`, `1GiB`) there | no limit |
 * | `AUTOPROF_S3_URL` | upload to `s3://bucket/prefix` | off |
 * | `AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL` | S3 endpoint (path-style URLs) | AWS |
 * | `AWS_REGION`, `AWS_DEFAULT_REGION` | S3 region | `us-east-1` |
 * | `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN` | S3 credentials | required for S3 |
 * | `AUTOPROF_INTERVAL` | longest wait between bundles; `0`: only on exit | `2m` |
 * | `AUTOPROF_CPU` | CPU profile length; `0`: none | `5s` |
 * | `AUTOPROF_TRACE` | trace length (when traced); `0`: none | `1s` |
 * | `AUTOPROF_MAIN`, `AUTOPROF_REVISION`, `AUTOPROF_HOSTNAME` | override `meta` fields | detected |
 * | `AUTOPROF_FLUSH_ON_EXIT` | `1`: store a last bundle on exit / SIGTERM / SIGINT | `0` |
 * | `AUTOPROF_FLUSH_TIMEOUT` | time budget for that last bundle | `5s` |
 * | `AUTOPROF_LOG` | `1`: one stderr line per stored bundle | `0` |
 *
 * Empty variables count as unset.
 *
 * @module
 */
import { formatDuration, parseDuration } from "./duration.ts";
import { parseByteSize } from "./byte_size.ts";

/** Where and how to upload to S3, resolved from the environment. */
export interface EnvS3Config {
  /** Endpoint origin, e.g. `https://s3.us-east-1.amazonaws.com`. */
  endpoint: string;
  /** Region used for signing. */
  region: string;
  /** Bucket name. */
  bucket: string;
  /** Key prefix: `""` or ending in `/`. */
  prefix: string;
  /** Path-style (`endpoint/bucket/key`) rather than virtual-hosted URLs. */
  pathStyle: boolean;
  /** Access key id. */
  accessKeyId: string;
  /** Secret access key. */
  secretAccessKey: string;
  /** Session token for temporary credentials. */
  sessionToken?: string;
}

/** Complete configuration for zero-code start. */
export interface EnvConfig {
  /** Filesystem sink directory; absent: no filesystem sink. */
  dir?: string;
  /** Retention for the filesystem sink: most bundles kept. */
  maxBundles?: number;
  /** Retention for the filesystem sink: most bytes kept. */
  maxBytes?: number;
  /** S3 sink; absent: no S3 upload. */
  s3?: EnvS3Config;
  /** Longest wait between bundles in ms; 0: no periodic bundles. */
  intervalMs: number;
  /** CPU profile length in ms; 0: none. */
  cpuProfileDuration: number;
  /** Trace length in ms; 0: none. */
  traceDuration: number;
  /** `meta.main` override. */
  main?: string;
  /** `meta.revision` override. */
  revision?: string;
  /** `meta.hostname` override. */
  hostname?: string;
  /** Store one last bundle when the process exits normally or is signalled. */
  flushOnExit: boolean;
  /** Time budget for that last bundle in ms (> 0). */
  flushTimeoutMs: number;
  /** Log one line per stored bundle to stderr. */
  log: boolean;
}

/** What {@linkcode parseEnv} returns. */
export interface EnvParseResult {
  /** The configuration; always complete and valid. */
  config: EnvConfig;
  /** One message per unusable variable, naming it, its value and the fallback. */
  warnings: string[];
}

/** Defaults used for unset or invalid variables. */
export const ENV_DEFAULTS: Readonly<{
  dir: string;
  intervalMs: number;
  cpuProfileDuration: number;
  traceDuration: number;
  flushTimeoutMs: number;
  region: string;
}> = Object.freeze({
  dir: "./profiles",
  intervalMs: 120_000,
  cpuProfileDuration: 5000,
  traceDuration: 1000,
  flushTimeoutMs: 5000,
  region: "us-east-1",
});

const HOUR = 3_600_000;

/**
 * Reads autoprof's configuration from environment variables.
 *
 * @param env The environment, e.g. `process.env` or `Deno.env.toObject()`.
 * @returns The configuration and any warnings; never throws.
 * @example
 * ```ts
 * import { parseEnv } from "./env.ts";
 * const { config, warnings } = parseEnv({ AUTOPROF_INTERVAL: "10s", AUTOPROF_CPU: "soon" });
 * console.log(config.intervalMs, config.cpuProfileDuration); // 10000 5000
 * console.log(warnings[0]); // autoprof: ignoring AUTOPROF_CPU="soon": ...; using 5s
 * ```
 */
export function parseEnv(env: Readonly<Record<string, string | undefined>>): EnvParseResult {
  const warnings: string[] = [];
  const get = (name: string): string | undefined => {
    const v = safeGet(env, name);
    return v === undefined || v.trim() === "" ? undefined : v;
  };
  const warn = (name: string, value: string, why: string, fallback: string): void => {
    warnings.push(`autoprof: ignoring ${name}=${JSON.stringify(value)}: ${why}; using ${fallback}`);
  };
  const duration = (name: string, fallback: number, min: number, max: number, zeroOk: boolean): number => {
    const raw = get(name);
    if (raw === undefined) return fallback;
    const shown = formatDuration(fallback);
    let ms: number;
    try {
      ms = parseDuration(raw);
    } catch (e) {
      warn(name, raw, `${errorText(e)} (use e.g. 500ms, 5s, 2m)`, shown);
      return fallback;
    }
    if (ms === 0 && zeroOk) return 0;
    if (ms < min || ms > max) {
      const range = `${zeroOk ? "0 or " : ""}between ${formatDuration(min)} and ${formatDuration(max)}`;
      warn(name, raw, `must be ${range}`, shown);
      return fallback;
    }
    return ms;
  };
  const bool = (name: string): boolean => {
    const raw = get(name);
    if (raw === undefined) return false;
    const v = raw.trim().toLowerCase();
    if (["1", "true", "yes", "on"].includes(v)) return true;
    if (["0", "false", "no", "off"].includes(v)) return false;
    warn(name, raw, "expected 1 or 0", "0");
    return false;
  };
  const count = (name: string, parse: (s: string) => number, example: string): number | undefined => {
    const raw = get(name);
    if (raw === undefined) return undefined;
    let n: number;
    try {
      n = parse(raw);
    } catch (e) {
      warn(name, raw, `${errorText(e)} (use e.g. ${example})`, "no limit");
      return undefined;
    }
    if (!Number.isSafeInteger(n) || n < 1) {
      warn(name, raw, "must be a whole number >= 1", "no limit");
      return undefined;
    }
    return n;
  };

  const config: EnvConfig = {
    intervalMs: duration("AUTOPROF_INTERVAL", ENV_DEFAULTS.intervalMs, 1000, 24 * HOUR, true),
    cpuProfileDuration: duration("AUTOPROF_CPU", ENV_DEFAULTS.cpuProfileDuration, 10, HOUR / 6, true),
    traceDuration: duration("AUTOPROF_TRACE", ENV_DEFAULTS.traceDuration, 10, HOUR / 6, true),
    flushOnExit: bool("AUTOPROF_FLUSH_ON_EXIT"),
    flushTimeoutMs: duration("AUTOPROF_FLUSH_TIMEOUT", ENV_DEFAULTS.flushTimeoutMs, 10, HOUR / 12, false),
    log: bool("AUTOPROF_LOG"),
  };
  for (const [name, key] of [["AUTOPROF_MAIN", "main"], ["AUTOPROF_REVISION", "revision"], ["AUTOPROF_HOSTNAME", "hostname"]] as const) {
    const v = get(name);
    if (v !== undefined) config[key] = v.trim();
  }

  const s3Url = get("AUTOPROF_S3_URL");
  const dir = get("AUTOPROF_DIR");
  if (s3Url !== undefined) {
    const s3 = parseS3(s3Url, get);
    if ("bucket" in s3) config.s3 = s3;
    else {
      const effect = dir === undefined
        ? "S3 upload is off and AUTOPROF_DIR is unset, so autoprof is off"
        : "S3 upload is off";
      warnings.push(`autoprof: ignoring ${s3.name}=${JSON.stringify(s3.value)}: ${s3.why}; ${effect}`);
    }
  }
  if (dir !== undefined) config.dir = dir;
  else if (s3Url === undefined) config.dir = ENV_DEFAULTS.dir;
  if (config.dir !== undefined) {
    const maxBundles = count("AUTOPROF_MAX_BUNDLES", (s) => Number(s.trim()), "100");
    if (maxBundles !== undefined) config.maxBundles = maxBundles;
    const maxBytes = count("AUTOPROF_MAX_BYTES", parseByteSize, "500MB");
    if (maxBytes !== undefined) config.maxBytes = maxBytes;
  }
  return { config, warnings };
}

interface EnvProblem {
  name: string;
  value: string;
  why: string;
}

function parseS3(raw: string, get: (name: string) => string | undefined): EnvS3Config | EnvProblem {
  const off = (name: string, value: string, why: string): EnvProblem => ({ name, value, why });
  const m = /^s3:\/\/([^/]+)(?:\/(.*))?$/.exec(raw.trim());
  if (!m) return off("AUTOPROF_S3_URL", raw, "expected s3://bucket/prefix");
  const bucket = m[1]!;
  // S3 bucket naming rules (general purpose buckets).
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket) || bucket.includes("..")) {
    return off("AUTOPROF_S3_URL", raw, `"${bucket}" is not a valid bucket name`);
  }
  let prefix = (m[2] ?? "").replace(/^\/+/, "");
  if (prefix !== "" && !prefix.endsWith("/")) prefix += "/";

  const region = get("AWS_REGION") ?? get("AWS_DEFAULT_REGION") ?? ENV_DEFAULTS.region;
  if (!/^[a-z0-9-]+$/i.test(region)) {
    return off("AWS_REGION", region, "not a region name");
  }
  const endpointName = get("AWS_ENDPOINT_URL_S3") !== undefined ? "AWS_ENDPOINT_URL_S3" : "AWS_ENDPOINT_URL";
  const endpointRaw = get(endpointName);
  let endpoint = `https://s3.${region}.amazonaws.com`;
  if (endpointRaw !== undefined) {
    let url: URL;
    try {
      url = new URL(endpointRaw.trim());
    } catch {
      return off(endpointName, endpointRaw, "not a URL");
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      return off(endpointName, endpointRaw, "must start with http:// or https://");
    }
    endpoint = url.origin + url.pathname.replace(/\/+$/, "");
  }
  const accessKeyId = get("AWS_ACCESS_KEY_ID");
  const secretAccessKey = get("AWS_SECRET_ACCESS_KEY");
  if (accessKeyId === undefined || secretAccessKey === undefined) {
    return off("AUTOPROF_S3_URL", raw, "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must both be set");
  }
  const s3: EnvS3Config = {
    endpoint,
    region,
    bucket,
    prefix,
    // Custom endpoints (RGW, MinIO, …) rarely have wildcard DNS; dotted
    // bucket names break TLS on virtual-hosted AWS URLs.
    pathStyle: endpointRaw !== undefined || bucket.includes("."),
    accessKeyId,
    secretAccessKey,
  };
  const sessionToken = get("AWS_SESSION_TOKEN");
  if (sessionToken !== undefined) s3.sessionToken = sessionToken;
  return s3;
}

function safeGet(env: Readonly<Record<string, string | undefined>>, name: string): string | undefined {
  try {
    const v = env[name];
    return typeof v === "string" ? v : undefined;
  } catch {
    // A hostile proxy (or a Deno env without --allow-env) must not crash the app.
    return undefined;
  }
}

function errorText(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.replace(/^Cannot parse [a-z ]+: /, "");
}
