/**
 * Byte sizes for configuration: `1000000`, `500KB`, `10MB`, `1GiB`.
 * Decimal suffixes (KB, MB, GB) are powers of 1000, binary ones (KiB, MiB,
 * GiB) powers of 1024; case is ignored.
 *
 * @module
 */

const UNITS: Record<string, number> = {
  "": 1,
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
};

/**
 * Parses a byte size into a whole number of bytes.
 *
 * @param text For example `10MB`, `512KiB` or `1000000`.
 * @returns Bytes, a safe integer >= 0.
 * @throws {SyntaxError} If `text` is not a byte size.
 * @example
 * ```ts
 * import { parseByteSize } from "./byte_size.ts";
 * console.log(parseByteSize("10MB"), parseByteSize("1KiB")); // 10000000 1024
 * ```
 */
export function parseByteSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  const unit = m ? UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined) {
    throw new SyntaxError(`Cannot parse byte size: expected e.g. 500MB or 1GiB: got "${text}"`);
  }
  const n = Math.round(Number(m[1]) * unit);
  if (!Number.isSafeInteger(n)) throw new SyntaxError(`Cannot parse byte size: too large: got "${text}"`);
  return n;
}
