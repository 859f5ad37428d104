import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import type { Meta } from "./types.ts";
import { BundleFormatError, type BundleFormatErrorCode } from "./errors.ts";
import { readBundle } from "./read_bundle.ts";
import { BundleWriter } from "./zip/writer.ts";

const enc = new TextEncoder();

const META: Meta = {
  format_version: 1,
  main: "api",
  revision: "1.2.3",
  runtime: "node",
  runtime_version: "v24.1.0",
  hostname: "web-1",
  proc_id: "1-6744d2c0-0123456789abcdef01234567-4242",
  init_time: "2026-11-25T01:00:00.000Z",
  capture_time: "2026-11-25T02:00:00.000Z",
  capabilities: { cpu: { ok: true } },
};

/** Writes entries as given: names and contents may break the bundle rules. */
function bundle(entries: Array<[string, string | Uint8Array]>): Uint8Array {
  const w = new BundleWriter({ mtime: Date.parse(META.capture_time) });
  for (const [name, data] of entries) w.add(name, typeof data === "string" ? enc.encode(data) : data);
  return w.finish();
}

const head: Array<[string, string]> = [["meta", JSON.stringify(META)], ["expvar", '{\n"runtime": {}\n}\n']];

function throwsCode(fn: () => unknown, code: BundleFormatErrorCode, message?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof BundleFormatError, `expected BundleFormatError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (message) assert.match(e.message, message);
    return true;
  });
}

describe("readBundle", () => {
  it("readBundle() returns meta, names in order and entries", () => {
    const b = readBundle(bundle([
      ...head,
      ["pprof/heap", "H"],
      ["pprof/allocs", "A"],
      ["pprof/resources", "R"],
      ["custom/Z", "z"],
      ["custom/a%2Fb", "ab"],
      ["custom/%EF%BF%BD", "fffd"],
      ["custom/%F0%9F%98%80", "emoji"],
      ["pprof/profile", "P"],
      ["pprof/trace", "T"],
      ["pprof/profile-during-trace", "PT"],
    ]));
    assert.deepEqual(b.meta, META);
    assert.equal(b.names.length, 12);
    assert.equal(b.names[0], "meta");
    assert.equal(new TextDecoder().decode(b.entries.get("custom/%F0%9F%98%80")), "emoji");
  });

  it("readBundle() accepts the smallest bundle: meta and expvar only", () => {
    assert.deepEqual(readBundle(bundle(head)).names, ["meta", "expvar"]);
  });

  it("readBundle() requires meta first, as valid JSON with the required fields", () => {
    throwsCode(() => readBundle(bundle([])), "ERR_AUTOPROF_BUNDLE_META", /empty/);
    throwsCode(() => readBundle(bundle([head[1], head[0]])), "ERR_AUTOPROF_BUNDLE_META", /first entry must be "meta": got "expvar"/);
    throwsCode(() => readBundle(bundle([["meta", "{not json"], head[1]])), "ERR_AUTOPROF_BUNDLE_META", /not UTF-8 JSON/);
    throwsCode(() => readBundle(bundle([["meta", new Uint8Array([0xff])], head[1]])), "ERR_AUTOPROF_BUNDLE_META");
    throwsCode(() => readBundle(bundle([["meta", "[]"], head[1]])), "ERR_AUTOPROF_BUNDLE_META", /object/);
    const { proc_id: _, ...noProcId } = META;
    throwsCode(() => readBundle(bundle([["meta", JSON.stringify(noProcId)], head[1]])), "ERR_AUTOPROF_BUNDLE_META", /"proc_id"/);
    throwsCode(
      () => readBundle(bundle([["meta", JSON.stringify({ ...META, capabilities: null })], head[1]])),
      "ERR_AUTOPROF_BUNDLE_META",
      /capabilities/,
    );
    throwsCode(
      () => readBundle(bundle([["meta", JSON.stringify({ ...META, skipped: { cpu: 1 } })], head[1]])),
      "ERR_AUTOPROF_BUNDLE_META",
      /"skipped"/,
    );
    const { format_version: __, ...noVersion } = META;
    throwsCode(() => readBundle(bundle([["meta", JSON.stringify(noVersion)], head[1]])), "ERR_AUTOPROF_BUNDLE_META", /format_version/);
  });

  it("readBundle() says so when given a Go autoprof bundle", () => {
    const goMeta = {
      main: "example.com/app",
      revision: "(devel)",
      go_version: "go1.22.0",
      hostname: "h",
      proc_id: "1-6744d2c0-0123456789abcdef01234567-42",
      init_time: "2026-11-25T01:00:00.000Z",
      capture_time: "2026-11-25T02:00:00.000Z",
    };
    throwsCode(() => readBundle(bundle([["meta", JSON.stringify(goMeta)], head[1]])), "ERR_AUTOPROF_BUNDLE_VERSION", /Go autoprof bundle/);
  });

  it("readBundle() refuses a format_version it does not know", () => {
    throwsCode(
      () => readBundle(bundle([["meta", JSON.stringify({ ...META, format_version: 2 })], head[1]])),
      "ERR_AUTOPROF_BUNDLE_VERSION",
      /format_version: 2/,
    );
  });

  it("readBundle() requires expvar second, as a JSON object", () => {
    throwsCode(() => readBundle(bundle([head[0]])), "ERR_AUTOPROF_BUNDLE_EXPVAR", /ends after "meta"/);
    throwsCode(() => readBundle(bundle([head[0], ["pprof/heap", "H"], head[1]])), "ERR_AUTOPROF_BUNDLE_EXPVAR", /got "pprof\/heap"/);
    throwsCode(() => readBundle(bundle([head[0], ["expvar", "[1]"]])), "ERR_AUTOPROF_BUNDLE_EXPVAR", /object/);
    throwsCode(() => readBundle(bundle([head[0], ["expvar", "{"]])), "ERR_AUTOPROF_BUNDLE_EXPVAR", /not UTF-8 JSON/);
    throwsCode(() => readBundle(bundle([head[0], ["expvar", new Uint8Array([0x80])]])), "ERR_AUTOPROF_BUNDLE_EXPVAR");
  });

  it("readBundle() enforces the entry order", () => {
    const cases: Array<Array<[string, string]>> = [
      [["pprof/allocs", ""], ["pprof/heap", ""]],
      [["custom/a", ""], ["pprof/allocs", ""]],
      [["pprof/profile", ""], ["custom/a", ""]],
      [["pprof/trace", ""], ["pprof/profile", ""]],
      [["pprof/profile-during-trace", ""], ["pprof/trace", ""]],
      [["custom/b", ""], ["custom/a", ""]],
      // JS's default sort would accept this order; Go's byte order does not.
      [["custom/%F0%9F%98%80", ""], ["custom/%EF%BF%BD", ""]],
    ];
    for (const rest of cases) {
      throwsCode(() => readBundle(bundle([...head, ...rest])), "ERR_AUTOPROF_BUNDLE_ORDER", /out of order/);
    }
  });

  it("readBundle() refuses unknown entries and names not escaped like url.PathEscape", () => {
    throwsCode(() => readBundle(bundle([...head, ["notes.txt", ""]])), "ERR_AUTOPROF_BUNDLE_ENTRY_NAME", /Unknown/);
    throwsCode(() => readBundle(bundle([...head, ["custom/a/b", ""]])), "ERR_AUTOPROF_BUNDLE_ENTRY_NAME", /Unknown/);
    throwsCode(() => readBundle(bundle([...head, ["custom/%zz", ""]])), "ERR_AUTOPROF_BUNDLE_ENTRY_NAME", /invalid escape/);
    throwsCode(() => readBundle(bundle([...head, ["custom/%61", ""]])), "ERR_AUTOPROF_BUNDLE_ENTRY_NAME", /expected "a"/);
    throwsCode(() => readBundle(bundle([...head, ["custom/a%2fb", ""]])), "ERR_AUTOPROF_BUNDLE_ENTRY_NAME", /a%2Fb/);
  });

  it("readBundle() passes zip errors through and honours zip limits", () => {
    throwsCode(() => readBundle(new Uint8Array(10)), "ERR_AUTOPROF_ZIP_NO_EOCD");
    throwsCode(() => readBundle(bundle(head), { limits: { maxEntries: 1 } }), "ERR_AUTOPROF_ZIP_LIMIT");
  });

  it("readBundle() never throws anything but BundleFormatError for arbitrary entries with valid checksums", () => {
    const json = fc.oneof(fc.json(), fc.string(), fc.constant(JSON.stringify(META)));
    const name = fc.oneof(
      fc.constantFrom("meta", "expvar", "pprof/heap", "pprof/profile", "pprof/trace", "pprof/profile-during-trace"),
      fc.string({ minLength: 1, maxLength: 6 }).map((s) => `custom/${s}`),
      fc.string({ minLength: 1, maxLength: 6 }).map((s) => `pprof/${s}`),
      fc.string({ minLength: 1, maxLength: 6 }),
    );
    fc.assert(
      fc.property(json, json, fc.uniqueArray(name, { maxLength: 5 }), (meta, expvar, names) => {
        const w = new BundleWriter();
        const entries: Array<[string, string]> = [["meta", meta], ["expvar", expvar], ...names.map((n): [string, string] => [n, ""])];
        const seen = new Set<string>();
        for (const [n, d] of entries) {
          try {
            if (!seen.has(n)) w.add(n, enc.encode(d));
            seen.add(n);
          } catch {
            // names the writer refuses are simply left out
          }
        }
        try {
          readBundle(w.finish());
        } catch (e) {
          if (!(e instanceof BundleFormatError)) throw e;
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("readBundle() never throws anything but BundleFormatError for damaged bundles", () => {
    const good = bundle([...head, ["pprof/heap", "H"], ["custom/a", "x"], ["pprof/profile", "P"]]);
    fc.assert(
      fc.property(fc.nat(good.length - 1), fc.nat(255), fc.nat(good.length), (pos, value, cut) => {
        const copy = good.slice(0, Math.max(cut, pos + 1));
        copy[pos] = value;
        try {
          readBundle(copy);
        } catch (e) {
          if (!(e instanceof BundleFormatError)) throw e;
        }
      }),
      { numRuns: 3000 },
    );
  });
});
