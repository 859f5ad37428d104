/**
 * gunzip with a cap on the output, for entries from untrusted bundles: a
 * few KiB of gzip can inflate to gigabytes (a "gzip bomb"), so output is
 * produced in small pieces and decompression stops as soon as it passes the
 * cap.
 *
 * @module
 */
import { Gunzip } from "fflate";

// Each push inflates at most ~1032 times its input: 16 KiB in gives at most
// ~16 MiB out before the cap is checked again.
const PIECE = 16 * 1024;

/**
 * Thrown when gzip data inflates to more than the cap.
 *
 * @example
 * ```ts
 * import { InflateLimitError } from "./gunzip_limited.ts";
 * console.log(new InflateLimitError(10).limit); // 10
 * ```
 */
export class InflateLimitError extends RangeError {
  /** The cap in bytes. */
  readonly limit: number;

  /** @param limit The cap in bytes. */
  constructor(limit: number) {
    super(`Decompressed data is larger than the limit: more than ${limit} bytes`);
    this.name = "InflateLimitError";
    this.limit = limit;
  }
}

/**
 * Decompresses gzip data, refusing output larger than `maxBytes`.
 *
 * @param data gzip bytes (one member, or several concatenated).
 * @param maxBytes Largest output accepted.
 * @returns The decompressed bytes.
 * @throws {InflateLimitError} If the output would exceed `maxBytes`.
 * @throws {Error} If the data is not valid gzip.
 * @example
 * ```ts
 * import { gzipSync } from "fflate";
 * import { gunzipLimited } from "./gunzip_limited.ts";
 * console.log(gunzipLimited(gzipSync(new Uint8Array(100)), 1000).length); // 100
 * ```
 */
export function gunzipLimited(data: Uint8Array, maxBytes: number): Uint8Array {
  // fflate waits for more input on a short or foreign header instead of failing.
  if (data.length < 18 || data[0] !== 0x1f || data[1] !== 0x8b) {
    throw new Error(`Invalid gzip data: ${data.length < 18 ? `${data.length} bytes is too short` : "no gzip header"}`);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  let over = false;
  const inflater = new Gunzip((chunk) => {
    total += chunk.length;
    if (total > maxBytes) {
      over = true;
      throw new InflateLimitError(maxBytes);
    }
    chunks.push(chunk);
  });
  try {
    for (let i = 0; i < data.length; i += PIECE) inflater.push(data.subarray(i, i + PIECE), i + PIECE >= data.length);
  } catch (e) {
    if (over) throw new InflateLimitError(maxBytes);
    throw new Error(`Invalid gzip data: ${e instanceof Error ? e.message : String(e)}`);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
