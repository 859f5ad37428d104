/**
 * CRC-32 (IEEE 802.3, the zip and gzip checksum). fflate computes it while
 * writing but does not export it, and the reader must check every entry.
 *
 * @module
 */

const TABLE = /* @__PURE__ */ (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();

/**
 * Computes the CRC-32 of `data`.
 *
 * @param data The bytes.
 * @returns The checksum as an unsigned 32-bit number.
 * @example
 * ```ts
 * import { crc32 } from "./_crc32.ts";
 * console.log(crc32(new TextEncoder().encode("123456789")).toString(16)); // "cbf43926"
 * ```
 */
export function crc32(data: Uint8Array): number {
  let c = -1;
  for (let i = 0; i < data.length; i++) c = TABLE[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}
