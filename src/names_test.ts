import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  compareNames,
  customEntryName,
  escapeEntryName,
  parseEntryName,
  pprofEntryName,
  unescapeEntryName,
} from "./names.ts";

// Outputs of Go 1.19's url.PathEscape for the same inputs.
const GO_PATH_ESCAPE: Record<string, string> = {
  "\u0000\u007f": "%00%7F",
  "!*'()": "%21%2A%27%28%29",
  "$&+:=@": "$&+:=@",
  "..": "..",
  "100%": "100%25",
  "\\": "%5C",
  "a b": "a%20b",
  "a+b": "a+b",
  "a/b": "a%2Fb",
  "a;b,c": "a%3Bb%2Cc",
  "goroutine": "goroutine",
  "heap": "heap",
  "x?y#z": "x%3Fy%23z",
  "~-_.": "~-_.",
  "é": "%C3%A9",
  "日本": "%E6%97%A5%E6%9C%AC",
  "\ufffd": "%EF%BF%BD",
  "\uffff": "%EF%BF%BF",
  "😀": "%F0%9F%98%80",
};

// The ASCII bytes Go's url.PathEscape leaves alone (all others become %XX).
const GO_KEPT = "$&+-.0123456789:=@ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz~";

const utf8 = new TextEncoder();

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

function codePoints(s: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const cp = s.codePointAt(i)!;
    out.push(cp);
    if (cp > 0xffff) i++;
  }
  return out;
}

describe("names", () => {
  it("escapeEntryName() matches Go's url.PathEscape on known inputs", () => {
    for (const [input, want] of Object.entries(GO_PATH_ESCAPE)) {
      assert.equal(escapeEntryName(input), want, `input ${JSON.stringify(input)}`);
    }
  });

  it("escapeEntryName() keeps exactly the ASCII bytes Go keeps", () => {
    let kept = "";
    for (let c = 0; c < 128; c++) {
      const s = String.fromCharCode(c);
      const escaped = escapeEntryName(s);
      if (escaped === s) kept += s;
      else assert.equal(escaped, "%" + c.toString(16).toUpperCase().padStart(2, "0"));
    }
    assert.equal(kept, GO_KEPT);
  });

  it("escapeEntryName() round-trips through unescapeEntryName()", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 40 }), (s) => {
        assert.equal(unescapeEntryName(escapeEntryName(s)), s);
      }),
      { numRuns: 2000 },
    );
  });

  it("escapeEntryName() output is one path segment of safe characters with uppercase hex", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 40 }), (s) => {
        const e = escapeEntryName(s);
        assert.ok(!e.includes("/"));
        assert.match(e, /^(?:[A-Za-z0-9\-_.~$&+:=@]|%[0-9A-F]{2})*$/);
      }),
      { numRuns: 2000 },
    );
  });

  it("escapeEntryName() rejects lone surrogates, which have no UTF-8 form", () => {
    assert.throws(() => escapeEntryName("a\ud800b"), TypeError);
    assert.throws(() => escapeEntryName("\udc00"), TypeError);
    assert.throws(() => escapeEntryName(42 as unknown as string), TypeError);
  });

  it("unescapeEntryName() accepts lowercase hex like Go's url.PathUnescape and leaves + alone", () => {
    assert.equal(unescapeEntryName("%e2%82%ac+"), "€+");
  });

  it("unescapeEntryName() throws URIError on malformed escapes and non-UTF-8 bytes", () => {
    for (const bad of ["%zz", "%4", "%", "a%", "%FF", "%C3", "%ED%A0%80"]) {
      assert.throws(() => unescapeEntryName(bad), URIError, bad);
    }
  });

  it("pprofEntryName() and customEntryName() prefix the escaped name", () => {
    assert.equal(pprofEntryName("allocs"), "pprof/allocs");
    assert.equal(pprofEntryName("my/profile"), "pprof/my%2Fprofile");
    assert.equal(customEntryName("config/flags.json"), "custom/config%2Fflags.json");
  });

  it("parseEntryName() splits and unescapes pprof/ and custom/ names only", () => {
    assert.deepEqual(parseEntryName("custom/a%2Fb"), { dir: "custom", name: "a/b" });
    assert.deepEqual(parseEntryName("pprof/heap"), { dir: "pprof", name: "heap" });
    assert.equal(parseEntryName("meta"), undefined);
    assert.equal(parseEntryName("custom/"), undefined);
    assert.equal(parseEntryName("custom/a/b"), undefined);
    assert.equal(parseEntryName("other/a"), undefined);
    assert.throws(() => parseEntryName("custom/%zz"), URIError);
  });

  it("compareNames() sorts like Go's sort.Strings, not like JS's UTF-16 sort", () => {
    const names = ["\u{1F600}", "\ufffd", "\uffff", "\ue000", "a", "Z", "é"];
    // Go 1.19: sort.Strings on the same names.
    const goOrder = ["Z", "a", "é", "\ue000", "\ufffd", "\uffff", "\u{1F600}"];
    assert.deepEqual([...names].sort(compareNames), goOrder);
    assert.notDeepEqual([...names].sort(), goOrder, "JS default sort differs (the reason compareNames exists)");
  });

  it("compareNames() agrees with byte-wise UTF-8 comparison", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 8 }), fc.string({ unit: "binary", maxLength: 8 }), (a, b) => {
        assert.equal(Math.sign(compareNames(a, b)), Math.sign(compareBytes(utf8.encode(a), utf8.encode(b))));
      }),
      { numRuns: 3000 },
    );
  });

  it("compareNames() orders strings with shared prefixes and lone surrogates by code point", () => {
    const units = fc.constantFrom(0x41, 0xd83d, 0xde00, 0xdbff, 0xdfff, 0xe000, 0xfffd, 0xd800);
    const str = fc.array(units, { maxLength: 6 }).map((us) => String.fromCharCode(...us));
    fc.assert(
      fc.property(str, str, (a, b) => {
        const ca = codePoints(a);
        const cb = codePoints(b);
        let want = 0;
        for (let i = 0; i < Math.min(ca.length, cb.length) && want === 0; i++) want = ca[i] - cb[i];
        if (want === 0) want = ca.length - cb.length;
        assert.equal(Math.sign(compareNames(a, b)), Math.sign(want), `${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
      }),
      { numRuns: 3000 },
    );
  });
});
