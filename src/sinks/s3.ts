/**
 * A sink that uploads bundles to S3 or any S3-compatible store (Ceph RGW,
 * MinIO, R2, …) with a plain signed PUT per bundle.
 *
 * - Keys: `<prefix>pprof/<main>/<hostname>/<proc_id>/<capture_time>.zip`.
 * - Integrity: each PUT carries the body's real SHA-256 in
 *   `x-amz-content-sha256` (the server rejects a body that does not match, so
 *   nothing corrupt is stored) and in `x-amz-meta-autoprof-sha256`.
 * - No overwrites: each PUT carries `If-None-Match: *`. A 412 answer means
 *   the key exists, typically because an earlier attempt whose response was
 *   lost did succeed; the sink then HEADs the object and treats it as stored
 *   if its recorded SHA-256 matches, and fails otherwise.
 * - Retries: network errors, timeouts, 408, 429 and 5xx are retried with
 *   exponential backoff and full jitter, up to `maxAttempts`; any other
 *   status fails at once with S3's error code in the message.
 * - Memory bound: uploads run one at a time; at most `queueLimit` more
 *   bundles wait, and when another arrives the oldest waiting one is dropped
 *   (its promise rejects, and the `autoprof.s3.dropped` counter goes up).
 *
 * @module
 */
import type { Meta } from "../types.ts";
import { bundleKey, type StoreResult } from "./sink.ts";
import { type FetchLike, S3Client, S3Error, sha256Hex } from "./_s3_client.ts";
import { unrefSleep } from "./_sleep.ts";

export { S3Error } from "./_s3_client.ts";
export type { FetchLike } from "./_s3_client.ts";

/** Options for {@linkcode s3Sink}. */
export interface S3SinkOptions {
  /** Endpoint URL, e.g. `https://s3.us-east-1.amazonaws.com` or `http://127.0.0.1:7480`. */
  endpoint: string;
  /** Region used for signing. */
  region: string;
  /** Bucket name. */
  bucket: string;
  /**
   * Key prefix, e.g. `team/app/`; a missing final `/` is added.
   * @default {""}
   */
  prefix?: string;
  /** Access key id. */
  accessKeyId: string;
  /** Secret access key. */
  secretAccessKey: string;
  /** Session token for temporary credentials. */
  sessionToken?: string;
  /**
   * Path-style URLs (`endpoint/bucket/key`); false: virtual-hosted
   * (`bucket.endpoint/key`).
   * @default {true}
   */
  pathStyle?: boolean;
  /**
   * The `fetch` used for every request (wrap it to count or log requests).
   * @default {globalThis.fetch}
   */
  fetch?: FetchLike;
  /**
   * Attempts per bundle, first try included.
   * @default {5}
   */
  maxAttempts?: number;
  /**
   * First backoff cap in ms; each retry doubles it, up to `backoffMaxMs`. The
   * actual wait is uniformly random below the cap ("full jitter").
   * @default {250}
   */
  backoffBaseMs?: number;
  /**
   * Largest backoff cap in ms.
   * @default {30000}
   */
  backoffMaxMs?: number;
  /**
   * Time limit per request in ms; 0: none.
   * @default {60000}
   */
  timeoutMs?: number;
  /**
   * Most bundles waiting behind the one being uploaded (>= 1).
   * @default {4}
   */
  queueLimit?: number;
  /**
   * Send `If-None-Match: *` so an existing object is never overwritten. Turn
   * off for stores that reject conditional PUTs (501 NotImplemented).
   * @default {true}
   */
  conditionalPut?: boolean;
  /**
   * Counts events: `autoprof.s3.stored`, `autoprof.s3.retries`,
   * `autoprof.s3.failed`, `autoprof.s3.dropped`.
   * @default {() => {}}
   */
  count?: (name: string, n: number) => void;
  /**
   * Random source in [0, 1) for the backoff jitter.
   * @default {Math.random}
   */
  random?: () => number;
  /**
   * Waits between attempts.
   * @default {a timer that does not keep the process alive}
   */
  sleep?: (ms: number) => Promise<void>;
}

/** A {@linkcode Sink} for S3, plus a view of its upload queue. */
export interface S3Sink {
  /** Queues a bundle; resolves once it is stored, rejects if it fails or is dropped. */
  (meta: Meta, bytes: Uint8Array): Promise<StoreResult>;
  /** Bundles accepted but not yet stored or failed (uploading + waiting). */
  readonly pending: number;
  /** Resolves when nothing is pending. */
  idle(): Promise<void>;
}

interface Item {
  meta: Meta;
  bytes: Uint8Array;
  resolve: (r: StoreResult) => void;
  reject: (e: unknown) => void;
}

/**
 * Makes a sink that uploads each bundle to S3.
 *
 * @param options Bucket, credentials and retry/queue tuning.
 * @returns The sink.
 * @throws {RangeError} If a tuning number is out of range.
 * @throws {TypeError} If the endpoint is not a URL or credentials are missing.
 * @example
 * ```ts ignore
 * import { s3Sink } from "./s3.ts";
 * const sink = s3Sink({
 *   endpoint: "https://s3.eu-west-1.amazonaws.com", region: "eu-west-1", bucket: "my-profiles",
 *   prefix: "api/", accessKeyId: "AKIA…", secretAccessKey: "…", pathStyle: false,
 * });
 * ```
 */
export function s3Sink(options: S3SinkOptions): S3Sink {
  const maxAttempts = positiveInt("maxAttempts", options.maxAttempts ?? 5);
  const queueLimit = positiveInt("queueLimit", options.queueLimit ?? 4);
  const baseMs = nonNegative("backoffBaseMs", options.backoffBaseMs ?? 250);
  const maxMs = nonNegative("backoffMaxMs", options.backoffMaxMs ?? 30_000);
  nonNegative("timeoutMs", options.timeoutMs ?? 60_000);
  if (!options.accessKeyId || !options.secretAccessKey) {
    throw new TypeError("Cannot create S3 sink: accessKeyId and secretAccessKey are required");
  }
  try {
    new URL(options.endpoint);
  } catch {
    throw new TypeError(`Cannot create S3 sink: endpoint is not a URL: got "${options.endpoint}"`);
  }
  let prefix = (options.prefix ?? "").replace(/^\/+/, "");
  if (prefix !== "" && !prefix.endsWith("/")) prefix += "/";
  const client = new S3Client(options);
  const count = options.count ?? (() => {});
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? ((ms: number) => unrefSleep(ms));
  const conditional = options.conditionalPut ?? true;

  const queue: Item[] = [];
  let uploading = 0;
  let idleWaiters: (() => void)[] = [];

  async function upload(meta: Meta, bytes: Uint8Array): Promise<StoreResult> {
    const key = prefix + bundleKey(meta);
    const where = `s3://${client.bucket}/${key}`;
    const action = `Cannot upload bundle to ${where}`;
    const sha = await sha256Hex(bytes);
    const headers: Record<string, string> = {
      "content-type": "application/zip",
      "x-amz-content-sha256": sha,
      "x-amz-meta-autoprof-sha256": sha,
    };
    if (conditional) headers["if-none-match"] = "*";
    let lastError: unknown;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      if (attempt > 1) {
        count("autoprof.s3.retries", 1);
        const cap = Math.min(maxMs, baseMs * 2 ** (attempt - 2));
        await sleep(Math.floor(random() * cap));
      }
      try {
        const res = await client.send("PUT", client.url(key), { headers, body: bytes });
        if (res.ok) {
          await res.body?.cancel();
          return { location: where, key };
        }
        if (res.status === 412 && conditional) {
          await res.body?.cancel();
          // The key exists. If it holds these very bytes (an earlier attempt
          // succeeded but its response was lost), the bundle is stored.
          const existing = await client.head(key);
          if (existing?.get("x-amz-meta-autoprof-sha256") === sha) return { location: where, key };
          throw new S3Error(`${action}: 412 PreconditionFailed: a different object already exists at this key`, {
            status: 412,
            code: "PreconditionFailed",
          });
        }
        const error = await client.error(res, action);
        if (!retryable(res.status)) throw error;
        lastError = error;
      } catch (e) {
        if (e instanceof S3Error && !retryable(e.status)) throw e;
        lastError = e instanceof S3Error ? e : new Error(`${action}: ${describe(e)}`, { cause: e });
      }
    }
    const msg = lastError instanceof Error ? lastError.message : String(lastError);
    throw new Error(`${msg} (gave up after ${maxAttempts} attempts)`, { cause: lastError });
  }

  async function pump(): Promise<void> {
    if (uploading > 0) return;
    uploading = 1;
    try {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) {
        try {
          item.resolve(await upload(item.meta, item.bytes));
          count("autoprof.s3.stored", 1);
        } catch (e) {
          count("autoprof.s3.failed", 1);
          item.reject(e);
        }
      }
    } finally {
      uploading = 0;
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  const sink = ((meta: Meta, bytes: Uint8Array): Promise<StoreResult> => {
    return new Promise<StoreResult>((resolve, reject) => {
      if (queue.length >= queueLimit) {
        const dropped = queue.shift()!;
        count("autoprof.s3.dropped", 1);
        dropped.reject(
          new Error(
            `Cannot upload bundle to s3://${client.bucket}/${prefix}${bundleKey(dropped.meta)}: ` +
              `dropped because ${queueLimit} newer bundles are waiting (is the store slow or down?)`,
          ),
        );
      }
      queue.push({ meta, bytes, resolve, reject });
      void pump();
    });
  }) as S3Sink;
  Object.defineProperty(sink, "pending", { get: () => queue.length + uploading });
  sink.idle = (): Promise<void> =>
    queue.length + uploading === 0 ? Promise.resolve() : new Promise((r) => idleWaiters.push(r));
  return sink;
}

function retryable(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

function describe(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  if (e.name === "TimeoutError") return `request timed out: ${e.message}`;
  const cause = (e as { cause?: unknown }).cause;
  const detail = cause instanceof Error ? `: ${(cause as { code?: string }).code ?? cause.message}` : "";
  return `${e.message}${detail}`;
}

function positiveInt(name: string, v: number): number {
  if (!Number.isSafeInteger(v) || v < 1) {
    throw new RangeError(`Cannot create S3 sink: ${name} must be a whole number >= 1: got ${v}`);
  }
  return v;
}

function nonNegative(name: string, v: number): number {
  if (!Number.isFinite(v) || v < 0) {
    throw new RangeError(`Cannot create S3 sink: ${name} must be a number >= 0: got ${v}`);
  }
  return v;
}
