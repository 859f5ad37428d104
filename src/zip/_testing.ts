/**
 * Test helpers: a raw zip inspector that shares no code with the reader,
 * and a raw zip builder for crafting hostile archives. Used by tests only.
 *
 * @module
 */

/** What one entry's headers say, read straight from the bytes. */
export interface RawEntry {
  name: string;
  /** Central directory fields. */
  method: number;
  flags: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
  centralExtra: Uint8Array;
  /** Local header fields. */
  localMethod: number;
  localFlags: number;
  localCrc: number;
  localCompressedSize: number;
  localSize: number;
  localName: string;
  dataOffset: number;
  /** Data descriptor after the data, if flag bit 3 is set: signature + crc + sizes. */
  descriptor?: { signature: number; crc: number; compressedSize: number; size: number };
}

/**
 * Lists the entries of a (well-formed, non-zip64) archive from its central
 * directory, with the matching local headers and data descriptors.
 *
 * @param zip The archive.
 * @returns One record per central directory entry.
 * @example
 * ```ts ignore
 * const entries = inspectZip(bytes);
 * ```
 */
export function inspectZip(zip: Uint8Array): RawEntry[] {
  const v = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const dec = new TextDecoder();
  let eocd = zip.length - 22;
  while (eocd >= 0 && v.getUint32(eocd, true) !== 0x06054b50) eocd--;
  if (eocd < 0) throw new Error("no EOCD");
  const count = v.getUint16(eocd + 10, true);
  let p = v.getUint32(eocd + 16, true);
  const out: RawEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (v.getUint32(p, true) !== 0x02014b50) throw new Error(`bad central header ${i}`);
    const nameLen = v.getUint16(p + 28, true);
    const extraLen = v.getUint16(p + 30, true);
    const commentLen = v.getUint16(p + 32, true);
    const localOffset = v.getUint32(p + 42, true);
    const q = localOffset;
    if (v.getUint32(q, true) !== 0x04034b50) throw new Error(`bad local header ${i}`);
    const lNameLen = v.getUint16(q + 26, true);
    const lExtraLen = v.getUint16(q + 28, true);
    const dataOffset = q + 30 + lNameLen + lExtraLen;
    const e: RawEntry = {
      name: dec.decode(zip.subarray(p + 46, p + 46 + nameLen)),
      flags: v.getUint16(p + 8, true),
      method: v.getUint16(p + 10, true),
      crc: v.getUint32(p + 16, true),
      compressedSize: v.getUint32(p + 20, true),
      size: v.getUint32(p + 24, true),
      localOffset,
      centralExtra: zip.slice(p + 46 + nameLen, p + 46 + nameLen + extraLen),
      localFlags: v.getUint16(q + 6, true),
      localMethod: v.getUint16(q + 8, true),
      localCrc: v.getUint32(q + 14, true),
      localCompressedSize: v.getUint32(q + 18, true),
      localSize: v.getUint32(q + 22, true),
      localName: dec.decode(zip.subarray(q + 30, q + 30 + lNameLen)),
      dataOffset,
    };
    if (e.localFlags & 8) {
      const d = dataOffset + e.compressedSize;
      e.descriptor = {
        signature: v.getUint32(d, true),
        crc: v.getUint32(d + 4, true),
        compressedSize: v.getUint32(d + 8, true),
        size: v.getUint32(d + 12, true),
      };
    }
    out.push(e);
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

/** One entry for {@linkcode buildZip}; every header field can be forced. */
export interface RawInput {
  name: string;
  /** Bytes stored after the local header (already compressed if method 8). */
  data: Uint8Array;
  method?: number;
  flags?: number;
  crc?: number;
  compressedSize?: number;
  size?: number;
  /** Name written in the local header, if different. */
  localName?: string;
  /** Method written in the local header, if different. */
  localMethod?: number;
  /** Where the central directory says the local header is, if not where it was written. */
  localOffset?: number;
  /** Central directory extra field. */
  extra?: Uint8Array;
}

/**
 * Writes an archive exactly as told: local headers with sizes (no data
 * descriptors), a central directory and an end record.
 *
 * @param entries The entries, in order.
 * @param crcOf Computes the CRC-32 when an entry does not force one.
 * @returns The archive.
 * @example
 * ```ts ignore
 * const zip = buildZip([{ name: "../evil", data: new Uint8Array(1) }], crc32);
 * ```
 */
export function buildZip(entries: RawInput[], crcOf: (d: Uint8Array) => number): Uint8Array {
  const enc = new TextEncoder();
  const chunks: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = enc.encode(e.name);
    const localName = enc.encode(e.localName ?? e.name);
    const extra = e.extra ?? new Uint8Array(0);
    const crc = e.crc ?? crcOf(e.data);
    const csize = e.compressedSize ?? e.data.length;
    const size = e.size ?? e.data.length;
    const method = e.method ?? 0;
    const local = new Uint8Array(30 + localName.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true);
    lv.setUint16(6, (e.flags ?? 0) & ~8, true);
    lv.setUint16(8, e.localMethod ?? method, true);
    lv.setUint32(14, crc, true);
    lv.setUint32(18, csize, true);
    lv.setUint32(22, size, true);
    lv.setUint16(26, localName.length, true);
    local.set(localName, 30);
    const c = new Uint8Array(46 + name.length + extra.length);
    const cv = new DataView(c.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 20, true);
    cv.setUint16(6, 20, true);
    cv.setUint16(8, (e.flags ?? 0) & ~8, true);
    cv.setUint16(10, method, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, csize, true);
    cv.setUint32(24, size, true);
    cv.setUint16(28, name.length, true);
    cv.setUint16(30, extra.length, true);
    cv.setUint32(42, e.localOffset ?? offset, true);
    c.set(name, 46);
    c.set(extra, 46 + name.length);
    central.push(c);
    chunks.push(local, e.data);
    offset += local.length + e.data.length;
  }
  const cdSize = central.reduce((n, c) => n + c.length, 0);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, entries.length, true);
  ev.setUint16(10, entries.length, true);
  ev.setUint32(12, cdSize, true);
  ev.setUint32(16, offset, true);
  const all = [...chunks, ...central, end];
  const out = new Uint8Array(all.reduce((n, c) => n + c.length, 0));
  let o = 0;
  for (const c of all) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}
