/**
 * Reads a zip archive from untrusted bytes: bundles downloaded from a
 * bucket, uploaded to a viewer, or found on disk.
 *
 * Hardened: every offset is bounds-checked, the central directory and the
 * local headers must agree, entries may not overlap (the "overlapping
 * files" zip bomb), sizes are capped before anything is inflated, each
 * entry's CRC-32 is checked, and names that could escape a directory are
 * refused. Every failure is a {@linkcode BundleFormatError} with a stable
 * `code`; no other exception escapes for bad input.
 *
 * Supports what bundles use: STORE and DEFLATE entries, with or without
 * data descriptors. Not supported (clear errors): zip64, multi-disk,
 * encryption, other compression methods.
 *
 * @module
 */
import { Inflate } from "fflate";
import { BundleFormatError } from "../errors.ts";
import { crc32 } from "./_crc32.ts";
import { unsafeNameReason } from "./_entry_name.ts";

/** Caps that keep a hostile archive from using unbounded memory or time. */
export interface ZipLimits {
  /**
   * Most entries accepted.
   * @default {10000}
   */
  maxEntries?: number;
  /**
   * Largest uncompressed entry, in bytes.
   * @default {536870912 (512 MiB)}
   */
  maxEntrySize?: number;
  /**
   * Largest sum of uncompressed entry sizes, in bytes.
   * @default {1073741824 (1 GiB)}
   */
  maxTotalSize?: number;
}

/** The limits {@linkcode readZip} applies when none are given. */
export const DEFAULT_ZIP_LIMITS: Readonly<Required<ZipLimits>> = Object.freeze({
  maxEntries: 10_000,
  maxEntrySize: 512 * 1024 * 1024,
  maxTotalSize: 1024 * 1024 * 1024,
});

/** One entry of an archive. */
export interface ZipEntry {
  /** The entry's name (UTF-8 decoded, checked to be a safe relative path). */
  name: string;
  /**
   * The uncompressed bytes. For STORE entries a view into the input (no
   * copy): do not modify it.
   */
  data: Uint8Array;
  /** 0 (STORE) or 8 (DEFLATE). */
  method: 0 | 8;
  /** CRC-32 of `data`, as recorded and verified. */
  crc32: number;
  /** Modification time: the extended timestamp if present, else the DOS time as local time. */
  modified: Date;
}

const SIG_EOCD = 0x06054b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_LOCAL = 0x04034b50;
const SIG_DESCRIPTOR = 0x08074b50;
const EOCD_SIZE = 22;
const CENTRAL_SIZE = 46;
const LOCAL_SIZE = 30;
const EXTENDED_TIMESTAMP = 0x5455;
// Inflate in pieces so one push cannot expand beyond ~16 MiB (DEFLATE's
// best ratio is about 1032:1) before the size cap is checked.
const INFLATE_PIECE = 16 * 1024;

const METHOD_NAMES: Record<number, string> = {
  1: "Shrink", 6: "Implode", 9: "Deflate64", 12: "BZIP2", 14: "LZMA", 93: "Zstandard", 95: "XZ", 98: "PPMd", 99: "AES",
};

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

interface CentralRecord {
  name: string;
  nameBytes: Uint8Array;
  flags: number;
  method: 0 | 8;
  dosTime: number;
  dosDate: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
  mtime: number | undefined;
}

/**
 * Parses a zip archive.
 *
 * @param bytes The whole archive.
 * @param limits Caps on entries and sizes.
 * @returns The entries in central-directory order.
 * @throws {BundleFormatError} For anything wrong with the archive.
 * @throws {TypeError} If `bytes` is not a Uint8Array.
 * @throws {RangeError} If a limit is not a non-negative number.
 * @example
 * ```ts
 * import { BundleWriter } from "./writer.ts";
 * import { readZip } from "./reader.ts";
 * const w = new BundleWriter();
 * w.add("meta", new TextEncoder().encode("{}"));
 * console.log(readZip(w.finish()).map((e) => e.name)); // ["meta"]
 * ```
 */
export function readZip(bytes: Uint8Array, limits: ZipLimits = {}): ZipEntry[] {
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError(`Cannot read zip: expected a Uint8Array: got ${bytes === null ? "null" : typeof bytes}`);
  }
  const lim = resolveLimits(limits);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const eocd = findEndRecord(bytes, view);
  const disk = view.getUint16(eocd + 4, true);
  const cdDisk = view.getUint16(eocd + 6, true);
  const countHere = view.getUint16(eocd + 8, true);
  const count = view.getUint16(eocd + 10, true);
  const cdSize = view.getUint32(eocd + 12, true);
  const cdOffset = view.getUint32(eocd + 16, true);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    throw new BundleFormatError("ERR_AUTOPROF_ZIP_UNSUPPORTED", "Unsupported zip: zip64 archives are not supported");
  }
  if (disk !== 0 || cdDisk !== 0 || countHere !== count) {
    throw new BundleFormatError("ERR_AUTOPROF_ZIP_UNSUPPORTED", "Unsupported zip: multi-disk (spanned) archives are not supported");
  }
  if (count > lim.maxEntries) {
    throw new BundleFormatError("ERR_AUTOPROF_ZIP_LIMIT", `Too many zip entries: ${count} (limit ${lim.maxEntries})`);
  }
  if (cdOffset + cdSize !== eocd) {
    throw new BundleFormatError(
      "ERR_AUTOPROF_ZIP_CORRUPT",
      `Corrupt zip: central directory (offset ${cdOffset}, ${cdSize} bytes) does not end where the end record starts (offset ${eocd})`,
    );
  }
  const records = readCentralDirectory(bytes, view, cdOffset, eocd, count, lim);
  return readEntries(bytes, view, records, cdOffset, lim);
}

function resolveLimits(limits: ZipLimits): Required<ZipLimits> {
  if (typeof limits !== "object" || limits === null) {
    throw new TypeError(`Invalid zip limits: expected an object: got ${limits === null ? "null" : typeof limits}`);
  }
  const out = { ...DEFAULT_ZIP_LIMITS };
  for (const key of ["maxEntries", "maxEntrySize", "maxTotalSize"] as const) {
    const v = limits[key];
    if (v === undefined) continue;
    if (typeof v !== "number" || !(v >= 0)) {
      throw new RangeError(`Invalid zip limit "${key}": must be a number >= 0: got ${String(v)}`);
    }
    out[key] = v;
  }
  return out;
}

/** Finds the end-of-central-directory record: last signature whose comment reaches the end. */
function findEndRecord(bytes: Uint8Array, view: DataView): number {
  if (bytes.length < EOCD_SIZE) {
    throw new BundleFormatError(
      "ERR_AUTOPROF_ZIP_NO_EOCD",
      `Not a zip archive: ${bytes.length} bytes is shorter than an end-of-central-directory record`,
    );
  }
  const lowest = Math.max(0, bytes.length - EOCD_SIZE - 0xffff);
  for (let i = bytes.length - EOCD_SIZE; i >= lowest; i--) {
    if (
      bytes[i] === 0x50 && view.getUint32(i, true) === SIG_EOCD &&
      i + EOCD_SIZE + view.getUint16(i + 20, true) === bytes.length
    ) {
      return i;
    }
  }
  throw new BundleFormatError(
    "ERR_AUTOPROF_ZIP_NO_EOCD",
    "Not a zip archive: no end-of-central-directory record (truncated, or not a zip)",
  );
}

function readCentralDirectory(
  bytes: Uint8Array,
  view: DataView,
  start: number,
  end: number,
  count: number,
  lim: Required<ZipLimits>,
): CentralRecord[] {
  const records: CentralRecord[] = [];
  const names = new Set<string>();
  let total = 0;
  let p = start;
  for (let k = 0; k < count; k++) {
    if (p + CENTRAL_SIZE > end || view.getUint32(p, true) !== SIG_CENTRAL) {
      throw corrupt(`central directory entry ${k} of ${count} is missing or has a bad signature (offset ${p})`);
    }
    const flags = view.getUint16(p + 8, true);
    const method = view.getUint16(p + 10, true);
    const nameLen = view.getUint16(p + 28, true);
    const extraLen = view.getUint16(p + 30, true);
    const commentLen = view.getUint16(p + 32, true);
    const next = p + CENTRAL_SIZE + nameLen + extraLen + commentLen;
    if (next > end) throw corrupt(`central directory entry ${k} runs past the central directory`);
    const nameBytes = bytes.subarray(p + CENTRAL_SIZE, p + CENTRAL_SIZE + nameLen);
    const name = decodeName(nameBytes, k);
    const unsafe = unsafeNameReason(name);
    if (unsafe !== undefined) {
      throw new BundleFormatError("ERR_AUTOPROF_ZIP_UNSAFE_NAME", `Unsafe zip entry name: ${unsafe}: ${JSON.stringify(name)}`);
    }
    if (names.has(name)) {
      throw new BundleFormatError("ERR_AUTOPROF_ZIP_DUPLICATE_NAME", `Duplicate zip entry name: ${JSON.stringify(name)}`);
    }
    names.add(name);
    if (flags & 0x41) {
      throw new BundleFormatError("ERR_AUTOPROF_ZIP_UNSUPPORTED", `Unsupported zip: entry ${JSON.stringify(name)} is encrypted`);
    }
    if (method !== 0 && method !== 8) {
      const label = METHOD_NAMES[method] ? ` (${METHOD_NAMES[method]})` : "";
      throw new BundleFormatError(
        "ERR_AUTOPROF_ZIP_METHOD",
        `Unsupported compression method ${method}${label}: entry ${JSON.stringify(name)}: only STORE (0) and DEFLATE (8) are supported`,
      );
    }
    const compressedSize = view.getUint32(p + 20, true);
    const size = view.getUint32(p + 24, true);
    const localOffset = view.getUint32(p + 42, true);
    if (compressedSize === 0xffffffff || size === 0xffffffff || localOffset === 0xffffffff) {
      throw new BundleFormatError("ERR_AUTOPROF_ZIP_UNSUPPORTED", `Unsupported zip: entry ${JSON.stringify(name)} uses zip64 sizes`);
    }
    if (method === 0 && compressedSize !== size) {
      throw corrupt(`stored entry ${JSON.stringify(name)} has compressed size ${compressedSize} but size ${size}`);
    }
    if (size > lim.maxEntrySize) {
      throw new BundleFormatError(
        "ERR_AUTOPROF_ZIP_LIMIT",
        `Zip entry too large: ${JSON.stringify(name)} is ${size} bytes (limit ${lim.maxEntrySize})`,
      );
    }
    total += size;
    if (total > lim.maxTotalSize) {
      throw new BundleFormatError(
        "ERR_AUTOPROF_ZIP_LIMIT",
        `Zip contents too large: more than ${lim.maxTotalSize} bytes uncompressed`,
      );
    }
    records.push({
      name,
      nameBytes,
      flags,
      method,
      dosTime: view.getUint16(p + 12, true),
      dosDate: view.getUint16(p + 14, true),
      crc: view.getUint32(p + 16, true),
      compressedSize,
      size,
      localOffset,
      mtime: extendedMtime(view, p + CENTRAL_SIZE + nameLen, extraLen),
    });
    p = next;
  }
  if (p !== end) throw corrupt(`central directory has ${end - p} bytes after its ${count} entries`);
  return records;
}

function decodeName(nameBytes: Uint8Array, index: number): string {
  try {
    return utf8.decode(nameBytes);
  } catch {
    throw new BundleFormatError("ERR_AUTOPROF_ZIP_UNSAFE_NAME", `Zip entry ${index} has a name that is not UTF-8`);
  }
}

/** The Unix mtime from an extended timestamp extra field, if there is a well-formed one. */
function extendedMtime(view: DataView, start: number, length: number): number | undefined {
  let p = start;
  const end = start + length;
  while (p + 4 <= end) {
    const id = view.getUint16(p, true);
    const size = view.getUint16(p + 2, true);
    if (p + 4 + size > end) return undefined;
    if (id === EXTENDED_TIMESTAMP && size >= 5 && (view.getUint8(p + 4) & 1)) return view.getUint32(p + 5, true);
    p += 4 + size;
  }
  return undefined;
}

function readEntries(
  bytes: Uint8Array,
  view: DataView,
  records: CentralRecord[],
  cdOffset: number,
  lim: Required<ZipLimits>,
): ZipEntry[] {
  const spans: { start: number; end: number; name: string }[] = [];
  const entries: ZipEntry[] = [];
  for (const r of records) {
    const q = r.localOffset;
    const name = JSON.stringify(r.name);
    if (q + LOCAL_SIZE > cdOffset || view.getUint32(q, true) !== SIG_LOCAL) {
      throw corrupt(`local header of ${name} is missing or has a bad signature (offset ${q})`);
    }
    const flags = view.getUint16(q + 6, true);
    const method = view.getUint16(q + 8, true);
    const nameLen = view.getUint16(q + 26, true);
    const extraLen = view.getUint16(q + 28, true);
    const dataStart = q + LOCAL_SIZE + nameLen + extraLen;
    if (method !== r.method) throw corrupt(`local header of ${name} says method ${method}, central directory ${r.method}`);
    if (!sameBytes(bytes.subarray(q + LOCAL_SIZE, q + LOCAL_SIZE + nameLen), r.nameBytes)) {
      throw corrupt(`local header at offset ${q} names a different entry than the central directory (${name})`);
    }
    const dataEnd = dataStart + r.compressedSize;
    if (dataEnd > cdOffset) throw corrupt(`data of ${name} runs past the start of the central directory`);
    let spanEnd = dataEnd;
    if (flags & 8) {
      spanEnd = descriptorEnd(view, dataEnd, cdOffset, r);
    } else if (
      view.getUint32(q + 14, true) !== r.crc || view.getUint32(q + 18, true) !== r.compressedSize ||
      view.getUint32(q + 22, true) !== r.size
    ) {
      throw corrupt(`local header of ${name} disagrees with the central directory on CRC or sizes`);
    }
    spans.push({ start: q, end: spanEnd, name: r.name });
    const raw = bytes.subarray(dataStart, dataEnd);
    const data = r.method === 0 ? raw : inflateEntry(raw, r, lim);
    const sum = crc32(data);
    if (sum !== r.crc) {
      throw new BundleFormatError(
        "ERR_AUTOPROF_ZIP_CRC",
        `CRC-32 mismatch: entry ${name}: recorded ${hex(r.crc)}, computed ${hex(sum)}`,
      );
    }
    entries.push({
      name: r.name,
      data,
      method: r.method,
      crc32: r.crc,
      modified: r.mtime !== undefined ? new Date(r.mtime * 1000) : dosToDate(r.dosDate, r.dosTime),
    });
  }
  spans.sort((a, b) => a.start - b.start);
  for (let i = 1; i < spans.length; i++) {
    if (spans[i].start < spans[i - 1].end) {
      throw corrupt(`entries ${JSON.stringify(spans[i - 1].name)} and ${JSON.stringify(spans[i].name)} overlap`);
    }
  }
  return entries;
}

/**
 * Checks the data descriptor after an entry's data (with or without its
 * optional signature) and returns where it ends.
 */
function descriptorEnd(view: DataView, at: number, limit: number, r: CentralRecord): number {
  const matches = (p: number) =>
    p + 12 <= limit && view.getUint32(p, true) === r.crc && view.getUint32(p + 4, true) === r.compressedSize &&
    view.getUint32(p + 8, true) === r.size;
  if (at + 4 <= limit && view.getUint32(at, true) === SIG_DESCRIPTOR && matches(at + 4)) return at + 16;
  if (matches(at)) return at + 12;
  throw corrupt(`data descriptor of ${JSON.stringify(r.name)} is missing or disagrees with the central directory`);
}

function inflateEntry(raw: Uint8Array, r: CentralRecord, lim: Required<ZipLimits>): Uint8Array {
  const name = JSON.stringify(r.name);
  // The declared size is already within the limits; hold the output to it.
  const out = new Uint8Array(Math.min(r.size, lim.maxEntrySize));
  let written = 0;
  let tooLarge = false;
  const inflater = new Inflate((chunk) => {
    if (written + chunk.length > out.length) {
      tooLarge = true;
      throw new Error("too large");
    }
    out.set(chunk, written);
    written += chunk.length;
  });
  try {
    if (raw.length === 0) inflater.push(raw, true);
    for (let i = 0; i < raw.length; i += INFLATE_PIECE) {
      inflater.push(raw.subarray(i, i + INFLATE_PIECE), i + INFLATE_PIECE >= raw.length);
    }
  } catch (e) {
    if (tooLarge) throw corrupt(`entry ${name} inflates to more than its recorded size ${r.size}`);
    throw corrupt(`entry ${name} has invalid DEFLATE data: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (written !== r.size) throw corrupt(`entry ${name} inflates to ${written} bytes, recorded size ${r.size}`);
  return out;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function dosToDate(date: number, time: number): Date {
  return new Date(
    1980 + (date >> 9),
    ((date >> 5) & 15) - 1,
    date & 31,
    time >> 11,
    (time >> 5) & 63,
    (time & 31) * 2,
  );
}

function hex(n: number): string {
  return n.toString(16).padStart(8, "0");
}

function corrupt(detail: string): BundleFormatError {
  return new BundleFormatError("ERR_AUTOPROF_ZIP_CORRUPT", `Corrupt zip: ${detail}`);
}
