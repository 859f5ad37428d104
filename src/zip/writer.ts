/**
 * Writes a bundle: an uncompressed (STORE) zip archive, like the one Go's
 * `archive/zip` writes for Go autoprof (`Method: zip.Store`, sizes in a
 * data descriptor after each entry's data).
 *
 * Profiles are gzipped already and traces barely compress, so storing them
 * costs little space and lets anyone read an entry without inflating.
 *
 * @module
 */
import { Zip, ZipPassThrough } from "fflate";
import { unsafeNameReason } from "./_entry_name.ts";

/** Options for {@linkcode BundleWriter}. */
export interface BundleWriterOptions {
  /**
   * Modification time of every entry: the bundle's capture time, so the
   * same capture always produces the same bytes.
   * @default {the time the writer was created}
   */
  mtime?: Date | number;
}

// Without zip64 an archive has at most 65535 entries and 4 GiB of offsets.
const MAX_ENTRIES = 0xffff;
const MAX_OFFSET = 0xffffffff;
// Extended timestamp extra field (Info-ZIP "UT"): flags, then mtime as
// Unix seconds. Readers such as Go's archive/zip and unzip prefer it to
// the DOS time, which has no time zone and 2-second resolution.
const EXTENDED_TIMESTAMP = 0x5455;
const LONE_SURROGATE = /\p{Cs}/u;
const encoder = new TextEncoder();

/**
 * Builds a STORE-only zip archive in memory. Entries are written in the
 * order they are added; data is not copied until {@linkcode finish}, which
 * copies every byte exactly once into the result.
 *
 * @example
 * ```ts
 * import { BundleWriter } from "./writer.ts";
 * const w = new BundleWriter({ mtime: Date.UTC(2026, 10, 25, 2) });
 * w.add("meta", new TextEncoder().encode("{}"));
 * const zip = w.finish();
 * console.log(zip[0] === 0x50 && zip[1] === 0x4b); // true ("PK")
 * ```
 */
export class BundleWriter {
  #zip: Zip;
  #chunks: Uint8Array[] = [];
  #size = 0;
  #names = new Set<string>();
  #error: unknown = undefined;
  #ended = false;
  #finished = false;
  #dosTime: Date;
  #extra: Record<number, Uint8Array>;

  /** @param options Entry modification time. */
  constructor(options: BundleWriterOptions = {}) {
    const ms = options.mtime === undefined ? Date.now() : +options.mtime;
    if (!Number.isFinite(ms)) {
      throw new RangeError(`Invalid bundle mtime: expected a valid time: got ${String(options.mtime)}`);
    }
    this.#dosTime = dosRange(new Date(ms));
    const seconds = Math.min(Math.max(Math.floor(ms / 1000), 0), 0xffffffff);
    const ut = new Uint8Array(5);
    ut[0] = 1; // only the modification time follows
    new DataView(ut.buffer).setUint32(1, seconds, true);
    this.#extra = { [EXTENDED_TIMESTAMP]: ut };
    this.#zip = new Zip((err, chunk, final) => {
      if (err) {
        this.#error ??= err;
        return;
      }
      this.#chunks.push(chunk);
      this.#size += chunk.length;
      if (final) this.#ended = true;
    });
  }

  /** Bytes of archive written so far (the central directory comes at {@linkcode finish}). */
  get size(): number {
    return this.#size;
  }

  /**
   * Adds an entry. `data` is kept by reference until {@linkcode finish}:
   * do not modify it in between.
   *
   * @param name Entry name, e.g. `pprof/heap`; must be a safe relative path.
   * @param data The entry's bytes, stored as they are; or the chunks that
   *   make them up, in order (stored back to back, without concatenating).
   * @throws {TypeError} For an unsafe, ill-formed or repeated name, or data that is not bytes.
   * @throws {RangeError} Past 65535 entries or 4 GiB (zip64 is not written).
   * @throws {Error} After {@linkcode finish}.
   * @example
   * ```ts
   * import { BundleWriter } from "./writer.ts";
   * const w = new BundleWriter();
   * w.add("expvar", new TextEncoder().encode("{}\n"));
   * ```
   */
  add(name: string, data: Uint8Array | readonly Uint8Array[]): void {
    if (this.#finished) throw new Error(`Cannot add entry "${name}": the bundle is finished`);
    this.#throwIfFailed();
    if (typeof name !== "string") {
      throw new TypeError(`Cannot add entry: name must be a string: got ${typeof name}`);
    }
    const chunks = data instanceof Uint8Array ? [data] : data;
    if (!Array.isArray(chunks) || !chunks.every((c) => c instanceof Uint8Array)) {
      throw new TypeError(`Cannot add entry "${name}": data must be a Uint8Array or an array of them`);
    }
    let length = 0;
    for (const c of chunks) length += c.length;
    const unsafe = unsafeNameReason(name) ?? (LONE_SURROGATE.test(name) ? "it has a lone surrogate" : undefined);
    if (unsafe !== undefined) {
      throw new TypeError(`Cannot add entry: unsafe name: ${unsafe}: ${JSON.stringify(name)}`);
    }
    if (this.#names.has(name)) throw new TypeError(`Cannot add entry: duplicate name: ${JSON.stringify(name)}`);
    if (this.#names.size >= MAX_ENTRIES) {
      throw new RangeError(`Cannot add entry "${name}": a zip without zip64 holds at most ${MAX_ENTRIES} entries`);
    }
    const nameBytes = encoder.encode(name).length;
    if (nameBytes > 0xffff) throw new RangeError(`Cannot add entry: name is longer than 65535 bytes: ${nameBytes}`);
    // Local header + name + extra + data + data descriptor must end below
    // 4 GiB, or the offsets in the central directory would wrap.
    if (this.#size + 30 + nameBytes + 9 + length + 16 > MAX_OFFSET) {
      throw new RangeError(`Cannot add entry "${name}": the bundle would exceed 4 GiB (zip64 is not supported)`);
    }
    this.#names.add(name);
    const file = new ZipPassThrough(name);
    file.mtime = this.#dosTime;
    file.extra = this.#extra;
    this.#zip.add(file);
    // fflate updates the CRC and size and passes each chunk itself through
    // to our chunk list (no copy).
    if (chunks.length === 0) file.push(new Uint8Array(0), true);
    chunks.forEach((c, i) => file.push(c, i === chunks.length - 1));
    this.#throwIfFailed();
  }

  /**
   * Writes the central directory and returns the archive. Allocates the
   * result once and copies each chunk into it once.
   *
   * @returns The zip archive.
   * @throws {Error} If called twice or an earlier write failed.
   * @example
   * ```ts
   * import { BundleWriter } from "./writer.ts";
   * const bytes = new BundleWriter().finish(); // an empty archive: 22 bytes
   * console.log(bytes.length); // 22
   * ```
   */
  finish(): Uint8Array {
    if (this.#finished) throw new Error("Cannot finish bundle: it is already finished");
    this.#finished = true;
    this.#throwIfFailed();
    this.#zip.end();
    this.#throwIfFailed();
    if (!this.#ended) throw new Error("Cannot finish bundle: the zip writer did not end");
    if (this.#size > MAX_OFFSET) {
      throw new RangeError(`Cannot finish bundle: it would exceed 4 GiB: ${this.#size} bytes`);
    }
    const out = new Uint8Array(this.#size);
    let offset = 0;
    for (const chunk of this.#chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    this.#chunks = [];
    return out;
  }

  #throwIfFailed(): void {
    if (this.#error !== undefined) {
      throw new Error("Cannot write bundle: the zip writer failed", { cause: this.#error });
    }
  }
}

/** Clamps a time into the range a DOS date can hold (1980–2099, local time). */
function dosRange(d: Date): Date {
  const y = d.getFullYear();
  if (y < 1980) return new Date(1980, 0, 1);
  if (y > 2099) return new Date(2099, 11, 31, 23, 59, 58);
  return d;
}
