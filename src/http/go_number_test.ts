import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { parseGoFloat, parseGoInt } from "./go_number.ts";
import { parseWaitDuration } from "./query_duration.ts";

/** The repository root (this file runs from src/http on Deno, dist/src/http on Node and Bun). */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`Cannot find the repository root above ${import.meta.url}`);
    dir = up;
  }
  return dir;
}

interface GoAnswer {
  float: string;
  int: string;
  waitNanos: bigint;
}

/** Go's own answers for many inputs at once (one `go run`). */
function askGo(inputs: readonly string[]): GoAnswer[] {
  try {
    execFileSync("go", ["version"], { stdio: "pipe" });
  } catch {
    throw new Error("Cannot run the Go reference: `go` is not on PATH: run `npm test` (scripts/test.sh apt-installs golang-go)");
  }
  const out = execFileSync("go", ["run", join(repoRoot(), "src", "http", "testdata", "go_parse.go")], {
    input: inputs.map((s) => JSON.stringify(s)).join("\n") + "\n",
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  const lines = out.trimEnd().split("\n");
  assert.equal(lines.length, inputs.length, "one answer per input");
  return lines.map((line) => {
    const [float, int, wait] = line.split("\t");
    return { float: float!, int: int!, waitNanos: BigInt(wait!) };
  });
}

function floatBits(v: number): string {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, v);
  // Go prints the NaN it makes (0x7ff8000000000001); any NaN is the same number.
  if (Number.isNaN(v)) return "nan";
  return view.getBigUint64(0).toString(16).padStart(16, "0");
}

function goFloat(answer: string): string {
  if (answer === "err") return "err";
  const bits = answer.slice(3);
  const exponentAllOnes = (BigInt(`0x${bits}`) >> 52n & 0x7ffn) === 0x7ffn;
  const mantissa = BigInt(`0x${bits}`) & ((1n << 52n) - 1n);
  return exponentAllOnes && mantissa !== 0n ? "nan" : bits;
}

// Pieces of Go float syntax, so random strings are often (nearly) valid.
const TOKENS = [
  "0", "1", "2", "5", "9", "00", "123", "a", "f", "F", "x", "X", "0x", "0X", "p", "P", "e", "E", ".", "_", "+", "-",
  "s", "inf", "Inf", "INFINITY", "nan", "NaN", " ", "b", "o", "1e308", "4e-324", "ms",
];
const tokenString = fc.array(fc.constantFrom(...TOKENS), { maxLength: 8 }).map((t) => t.join(""));
const formattedNumber = fc.oneof(
  fc.double().map(String),
  fc.double().map((d) => d.toExponential()),
  fc.double({ min: -1e6, max: 1e6 }).map((d) => d.toFixed(6)),
  fc.tuple(fc.bigInt({ min: 0n, max: (1n << 70n) - 1n }), fc.integer({ min: -1100, max: 1100 }), fc.nat(20)).map(
    ([m, e, dot]) => {
      const hex = m.toString(16);
      const at = Math.min(dot, hex.length);
      return `0x${hex.slice(0, at)}.${hex.slice(at)}p${e}`;
    },
  ),
  fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }).map(String),
);
// Literals following Go's grammar loosely: digits with stray underscores,
// optional dot and exponent, hex or decimal, sometimes with the `s`.
const run = (chars: string) => fc.array(fc.constantFrom(...chars), { maxLength: 5 }).map((c) => c.join(""));
const goLiteral = fc.boolean().chain((hex) =>
  fc.tuple(
    fc.constantFrom("", "+", "-"),
    fc.constantFrom(...(hex ? ["0x", "0X", "0x_"] : [""])),
    run(hex ? "0123456789abcdefABCDEF__" : "0123456789__"),
    fc.constantFrom("", "."),
    run(hex ? "0123456789abcdef_" : "0123456789_"),
    fc.option(fc.tuple(fc.constantFrom(...(hex ? ["p", "P"] : ["e", "E"])), fc.constantFrom("", "+", "-"), run("0123456789_"))),
    fc.constantFrom("", "s"),
  ).map(([sign, prefix, int, dot, frac, exp, unit]) =>
    sign + prefix + int + dot + frac + (exp === null ? "" : exp.join("")) + unit
  )
);
const candidate = fc.oneof(
  tokenString,
  goLiteral,
  formattedNumber,
  formattedNumber.map((s) => `${s}s`),
  fc.string({ maxLength: 6 }),
);

describe("Go number parsing", () => {
  it("parseGoFloat(), parseGoInt() and parseWaitDuration() agree with Go on known cases", () => {
    const cases = [
      "5s", "1.5s", "0s", "-1s", "-0s", ".5s", "5.s", ".s", "s", "5", "5ss", "1e3s", "1E3s", "1e+3s", "1es", "0x10s",
      "0x1p4s", "0x1.8p1s", "0X1P-2s", "0x.8p1s", "0xp1s", "1_000s", "1_000.5s", "0x1_0p0s", "_1s", "1__0s", "1_s",
      "1_.5s", "infs", "Infs", "+infs", "-infs", "infinitys", "nans", "+nans", "infins", "1e400s", "1e-400s", "9.3e9s",
      "9.2e9s", "1e-10s", "0.0000000015s", "+5s", " 5s", "5s ", "5S", "00012s", "1e1_0s", "0x_1p0s", "0x1p1023s",
      "0x1p1024s", "0x1p-1074s", "0x1p-1075s", "0x1.8p-1075s", "0x1.fffffffffffff8p1023s", "+30", "-0", "1_0", "",
      "9223372036854775807", "9223372036854775808", "-9223372036854775808", "0b101", "0o17", "0x", "0x1",
    ];
    check(cases);
  });

  it("parseGoFloat(), parseGoInt() and parseWaitDuration() agree with Go on random inputs", () => {
    check(fc.sample(candidate, { numRuns: 3000, seed: 20261125 }));
  });
});

function check(inputs: string[]): void {
  const answers = askGo(inputs);
  inputs.forEach((input, i) => {
    const go = answers[i]!;
    const label = `input ${JSON.stringify(input)}`;
    const float = parseGoFloat(input);
    assert.equal(float === undefined ? "err" : floatBits(float), goFloat(go.float), `ParseFloat of ${label}`);
    const int = parseGoInt(input);
    assert.equal(int === undefined ? "err" : `ok ${int}`, go.int, `ParseInt of ${label}`);
    const ms = parseWaitDuration(input);
    if (go.waitNanos < 0n) {
      // Go's int64 conversion overflowed (or the value was NaN): Go then
      // captures nothing; here it is 0 (NaN) or beyond any maximum.
      assert.ok(ms === 0 || ms * 1e6 >= 2 ** 63, `wait duration of ${label}: got ${ms} ms`);
    } else if (go.waitNanos < 2n ** 50n) {
      assert.equal(Math.round(ms * 1e6), Number(go.waitNanos), `wait duration of ${label}`);
    } else {
      assert.ok(Math.abs(ms * 1e6 / Number(go.waitNanos) - 1) < 1e-12, `wait duration of ${label}`);
    }
  });
}
