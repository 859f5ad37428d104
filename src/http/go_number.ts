/**
 * Go's `strconv.ParseFloat(s, 64)` and `strconv.ParseInt(s, 10, 64)`, so
 * that query parameters mean exactly what they mean to a Go server: Go
 * autoprof's `/debug/profiles?profile=1.5s` and net/http/pprof's
 * `?seconds=N`.
 *
 * ParseFloat accepts what JavaScript's `Number()` does not (hex floats
 * `0x1p-2`, `_` digit separators, `inf`/`infinity`/`nan` in any case) and
 * refuses what `Number()` accepts (surrounding spaces, an empty string,
 * `0x10` without a binary exponent). A finite literal that overflows to
 * infinity is an error in Go (`ErrRange`), so it is refused here too.
 *
 * @module
 */

const DECIMAL_DIGIT = /[0-9]/;
const HEX_DIGIT = /[0-9a-fA-F]/;

/**
 * Parses a number the way Go's `strconv.ParseFloat(s, 64)` does.
 *
 * @param s The text; nothing around the number is allowed.
 * @returns The float64 value (maybe ±Infinity for `inf`, NaN for `nan`),
 *   or `undefined` where Go returns an error (bad syntax, or a finite
 *   literal out of float64 range).
 * @example
 * ```ts
 * import { parseGoFloat } from "./go_number.ts";
 * console.log(parseGoFloat("1_000.5"), parseGoFloat("0x1p-2"), parseGoFloat(" 5")); // 1000.5 0.25 undefined
 * ```
 */
export function parseGoFloat(s: string): number | undefined {
  if (typeof s !== "string") return undefined;
  // Go checks the special names first; a string starting with one of them
  // is never a number otherwise, so a whole-string match is enough.
  const special = /^([+-]?)(inf|infinity)$/i.exec(s);
  if (special !== null) return special[1] === "-" ? -Infinity : Infinity;
  if (/^nan$/i.test(s)) return NaN;

  const literal = scanFloat(s);
  if (literal === undefined) return undefined;
  const value = literal.hex ? hexValue(literal) : Number(literal.digits);
  // A finite literal that rounds to infinity is Go's ErrRange.
  return Number.isFinite(value) ? value : undefined;
}

/**
 * Parses a decimal integer the way Go's `strconv.ParseInt(s, 10, 64)`
 * does: an optional sign and ASCII digits only (no `_`: base 10 is
 * explicit), within the int64 range.
 *
 * @param s The text.
 * @returns The value, or `undefined` where Go returns an error.
 * @example
 * ```ts
 * import { parseGoInt } from "./go_number.ts";
 * console.log(parseGoInt("+30"), parseGoInt("1_0"), parseGoInt("9223372036854775808")); // 30n undefined undefined
 * ```
 */
export function parseGoInt(s: string): bigint | undefined {
  if (typeof s !== "string" || !/^[+-]?[0-9]+$/.test(s)) return undefined;
  const v = BigInt(s);
  return v >= -(2n ** 63n) && v < 2n ** 63n ? v : undefined;
}

interface FloatLiteral {
  hex: boolean;
  negative: boolean;
  /** Decimal: the literal without underscores (Number() reads it). Hex: mantissa digits without the dot. */
  digits: string;
  /** Hex only: digits after the dot. */
  fractionDigits: number;
  /** Hex only: the binary exponent after `p`. */
  exponent: number;
}

/** Go's `readFloat` grammar over the whole string, or `undefined`. */
function scanFloat(s: string): FloatLiteral | undefined {
  let i = 0;
  let negative = false;
  if (s[i] === "+" || s[i] === "-") {
    negative = s[i] === "-";
    i++;
  }
  let hex = false;
  if (i + 2 < s.length && s[i] === "0" && (s[i + 1] === "x" || s[i + 1] === "X")) {
    hex = true;
    i += 2;
  }
  const digit = hex ? HEX_DIGIT : DECIMAL_DIGIT;
  const mantissaStart = i;
  let sawDot = false;
  let sawDigits = false;
  let fractionDigits = 0;
  let underscores = false;
  for (; i < s.length; i++) {
    const c = s[i]!;
    if (c === "_") {
      underscores = true;
    } else if (c === ".") {
      if (sawDot) break;
      sawDot = true;
    } else if (digit.test(c)) {
      sawDigits = true;
      if (sawDot) fractionDigits++;
    } else {
      break;
    }
  }
  if (!sawDigits) return undefined;
  const mantissa = s.slice(mantissaStart, i);

  let exponent = 0;
  const expChar = hex ? /[pP]/ : /[eE]/;
  if (i < s.length && expChar.test(s[i]!)) {
    i++;
    let sign = 1;
    if (s[i] === "+") i++;
    else if (s[i] === "-") {
      sign = -1;
      i++;
    }
    if (i >= s.length || !DECIMAL_DIGIT.test(s[i]!)) return undefined;
    let e = 0;
    for (; i < s.length && (DECIMAL_DIGIT.test(s[i]!) || s[i] === "_"); i++) {
      if (s[i] === "_") underscores = true;
      // Go stops accumulating at 10000: anything larger is out of range anyway.
      else if (e < 10_000) e = e * 10 + Number(s[i]);
    }
    exponent = sign * e;
  } else if (hex) {
    return undefined; // a hex float must have a binary exponent
  }
  if (i !== s.length) return undefined;
  if (underscores && !underscoresOk(s)) return undefined;
  return {
    hex,
    negative,
    digits: hex ? mantissa.replace(/[_.]/g, "") : s.replace(/_/g, ""),
    fractionDigits,
    exponent,
  };
}

/**
 * Go's rule for `_`: only between two digits, or between the `0x` prefix
 * and a digit (the prefix counts as a digit).
 */
function underscoresOk(s: string): boolean {
  let i = s[0] === "+" || s[0] === "-" ? 1 : 0;
  // "^": start, "0": digit or prefix, "_": underscore, "!": anything else.
  let saw = "^";
  let hex = false;
  if (s.length - i >= 2 && s[i] === "0" && /[bBoOxX]/.test(s[i + 1]!)) {
    hex = s[i + 1] === "x" || s[i + 1] === "X";
    saw = "0";
    i += 2;
  }
  for (; i < s.length; i++) {
    const c = s[i]!;
    if (DECIMAL_DIGIT.test(c) || (hex && HEX_DIGIT.test(c))) {
      saw = "0";
    } else if (c === "_") {
      if (saw !== "0") return false;
      saw = "_";
    } else {
      if (saw === "_") return false;
      saw = "!";
    }
  }
  return saw !== "_";
}

// Powers of two within the normal float64 range, to scale in steps.
const SCALE_STEP = 1000;

/** The correctly rounded value of a hex float (Go's `atofHex`). */
function hexValue(literal: FloatLiteral): number {
  let mantissa = BigInt(`0x${literal.digits}`);
  const sign = literal.negative ? -1 : 1;
  if (mantissa === 0n) return sign * 0;
  let exp2 = literal.exponent - 4 * literal.fractionDigits;
  // Keep 64 significant bits plus a sticky bit: Number() then rounds once,
  // correctly (11 spare bits below the 53 kept).
  const bits = mantissa.toString(2).length;
  if (bits > 64) {
    const shift = BigInt(bits - 64);
    const sticky = (mantissa & ((1n << shift) - 1n)) !== 0n ? 1n : 0n;
    mantissa = (mantissa >> shift) | sticky;
    exp2 += bits - 64;
  }
  const topBit = Math.min(bits, 64) - 1 + exp2; // value is in [2^topBit, 2^(topBit+1))
  if (topBit < -1022) return sign * subnormal(mantissa, exp2);
  return sign * scale(Number(mantissa), exp2);
}

/** `x * 2^e` without intermediate overflow or underflow. */
function scale(x: number, e: number): number {
  while (e > SCALE_STEP) {
    x *= 2 ** SCALE_STEP;
    e -= SCALE_STEP;
    if (!Number.isFinite(x)) return x;
  }
  while (e < -SCALE_STEP) {
    x *= 2 ** -SCALE_STEP;
    e += SCALE_STEP;
  }
  return x * 2 ** e;
}

/** Rounds `m * 2^e` to a multiple of 2^-1074 (half to even), once. */
function subnormal(m: bigint, e: number): number {
  const shift = -1074 - e;
  if (shift <= 0) return Number(m << BigInt(-shift)) * 2 ** -1074;
  if (shift > 130) return 0; // far below half of the smallest subnormal
  const s = BigInt(shift);
  let k = m >> s;
  const rest = m & ((1n << s) - 1n);
  const half = 1n << (s - 1n);
  if (rest > half || (rest === half && (k & 1n) === 1n)) k++;
  return Number(k) * 2 ** -1074;
}
