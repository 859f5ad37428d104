/**
 * gzip and gunzip for byte arrays on every runtime: the web
 * `CompressionStream` where it exists (Node 18+, Deno, Bun, workerd,
 * browsers; native zlib, off the JS thread), else fflate's synchronous
 * implementation.
 *
 * @module
 */

import { gunzipSync, gzipSync } from "fflate";

/** Options for {@linkcode gzip} and {@linkcode gunzip}. */
export interface GzipOptions {
  /**
   * Use the web `CompressionStream`/`DecompressionStream` when available.
   * Set to `false` to force the fflate fallback.
   * @default {true}
   */
  useStreams?: boolean;
}

/**
 * Compresses bytes with gzip.
 *
 * @param data the bytes to compress; not modified.
 * @param options implementation choice.
 * @returns gzip bytes (starting 0x1f 0x8b).
 *
 * @example
 * ```ts
 * import { gunzip, gzip } from "./gzip.ts";
 * const packed = await gzip(new TextEncoder().encode("hello"));
 * console.assert(new TextDecoder().decode(await gunzip(packed)) === "hello");
 * ```
 */
export function gzip(data: Uint8Array, options: GzipOptions = {}): Promise<Uint8Array> {
  if (options.useStreams !== false && typeof CompressionStream === "function") {
    return pipe(data, new CompressionStream("gzip"));
  }
  // fflate's async gzip would start worker threads; the sync one is
  // plenty for profiles (a few MB at most).
  return Promise.resolve().then(() => gzipSync(data));
}

/**
 * Decompresses gzip bytes.
 *
 * @param data gzip bytes.
 * @param options implementation choice.
 * @returns the original bytes.
 * @throws {TypeError} (streams) or {Error} (fflate) if `data` is not valid gzip.
 *
 * @example
 * ```ts
 * import { gunzip, gzip } from "./gzip.ts";
 * const bytes = await gunzip(await gzip(new Uint8Array([1, 2, 3])));
 * console.assert(bytes.length === 3);
 * ```
 */
export function gunzip(data: Uint8Array, options: GzipOptions = {}): Promise<Uint8Array> {
  if (options.useStreams !== false && typeof DecompressionStream === "function") {
    return pipe(data, new DecompressionStream("gzip"));
  }
  return Promise.resolve().then(() => gunzipSync(data));
}

/** Runs `data` through a transform stream and collects the output. */
async function pipe(
  data: Uint8Array,
  transform: { writable: WritableStream<BufferSource>; readable: ReadableStream<Uint8Array> },
): Promise<Uint8Array> {
  // Streams take only ArrayBuffer-backed views, not SharedArrayBuffer ones.
  const input = data.buffer instanceof ArrayBuffer
    ? data as Uint8Array<ArrayBuffer>
    : new Uint8Array(data);
  const writer = transform.writable.getWriter();
  // Write and read concurrently: awaiting the write first could stall on
  // backpressure once the output queue is full.
  const written = writer.write(input).then(() => writer.close());
  written.catch(() => {}); // the reader sees the same error
  const chunks: Uint8Array[] = [];
  let length = 0;
  const reader = transform.readable.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    length += value.length;
  }
  await written;
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
