/**
 * A {@linkcode BundleStore} over an S3 (or S3-compatible) prefix written by
 * the S3 sink: ListObjectsV2 for listings (narrowed to `pprof/<main>/` or
 * `pprof/<main>/<host>/` when the filter allows), GET for bundles, range
 * GETs for the few bytes `ls` needs per bundle.
 *
 * @module
 */
import { type FetchLike, S3Client } from "../sinks/_s3_client.ts";
import type { BundleFilter, BundleStore, ListProgress, ReadProgress, StoredBundle } from "./store.ts";
import { listPrefix, toBundles } from "./store.ts";

/** Where the store is and how to sign requests. */
export interface S3StoreOptions {
  /** Endpoint URL, e.g. `https://s3.us-east-1.amazonaws.com`. */
  endpoint: string;
  /** Region used for signing. */
  region: string;
  /** Bucket name. */
  bucket: string;
  /** Key prefix: `""` or ending in `/`. */
  prefix: string;
  /** Path-style URLs (`endpoint/bucket/key`). */
  pathStyle?: boolean;
  /** Access key id. */
  accessKeyId: string;
  /** Secret access key. */
  secretAccessKey: string;
  /** Session token for temporary credentials. */
  sessionToken?: string;
  /**
   * The `fetch` used for every request.
   * @default {globalThis.fetch}
   */
  fetch?: FetchLike;
}

/**
 * Opens an S3 prefix as a bundle store.
 *
 * @param options Bucket, prefix and credentials (as `parseEnv` resolves them).
 * @returns The store.
 * @example
 * ```ts ignore
 * import { s3Store } from "./s3_store.ts";
 * const store = s3Store({ endpoint: "http://127.0.0.1:7480", region: "us-east-1", bucket: "profiles",
 *   prefix: "team/", accessKeyId: "key", secretAccessKey: "secret", pathStyle: true });
 * console.log((await store.list({ main: "api" })).length);
 * ```
 */
export function s3Store(options: S3StoreOptions): BundleStore {
  const client = new S3Client({ ...options, timeoutMs: 120_000 });
  const prefix = options.prefix === "" || options.prefix.endsWith("/") ? options.prefix : `${options.prefix}/`;
  return {
    location: `s3://${options.bucket}/${prefix}`,
    async list(filter: BundleFilter, onProgress?: ListProgress): Promise<StoredBundle[]> {
      const objects = await client.list(prefix + listPrefix(filter), onProgress);
      return toBundles(objects.map((o) => ({ key: o.key.slice(prefix.length), size: o.size })), filter);
    },
    read(key: string, onProgress?: ReadProgress): Promise<Uint8Array> {
      return client.get(prefix + key, onProgress);
    },
    readRange(key: string, offset: number, length: number): Promise<Uint8Array> {
      return client.getRange(prefix + key, offset, length);
    },
    locate(key: string): string {
      return `s3://${options.bucket}/${prefix}${key}`;
    },
  };
}
