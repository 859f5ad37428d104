import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { deflateSync, zipSync } from "fflate";
import { BundleFormatError, type BundleFormatErrorCode } from "../errors.ts";
import { readZip, type ZipLimits } from "./reader.ts";
import { BundleWriter } from "./writer.ts";
import { crc32 } from "./_crc32.ts";
import { buildZip, inspectZip, type RawInput } from "./_testing.ts";

const enc = new TextEncoder();

function throwsCode(fn: () => unknown, code: BundleFormatErrorCode, message?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof BundleFormatError, `expected BundleFormatError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    assert.equal(e.name, "BundleFormatError");
    if (message) assert.match(e.message, message);
    return true;
  });
}

function raw(entries: RawInput[]): Uint8Array {
  return buildZip(entries, crc32);
}

function smallBundle(): Uint8Array {
  const w = new BundleWriter({ mtime: Date.UTC(2026, 10, 25, 2) });
  w.add("meta", enc.encode('{"format_version":1,"main":"m"}'));
  w.add("expvar", enc.encode('{\n"x": 1\n}\n'));
  w.add("pprof/heap", new Uint8Array([0x1f, 0x8b, 8, 0, 9, 9]));
  w.add("custom/a%2Fb", enc.encode("hello"));
  return w.finish();
}

/** Either a clean parse or a BundleFormatError: never any other exception. */
function parsesOrFormatError(bytes: Uint8Array, limits?: ZipLimits): void {
  try {
    for (const e of readZip(bytes, limits)) assert.equal(crc32(e.data), e.crc32);
  } catch (e) {
    if (!(e instanceof BundleFormatError)) throw e;
  }
}

describe("readZip", () => {
  it("readZip() reads back what BundleWriter wrote, STORE data as views without copying", () => {
    const zip = smallBundle();
    const entries = readZip(zip);
    assert.deepEqual(entries.map((e) => e.name), ["meta", "expvar", "pprof/heap", "custom/a%2Fb"]);
    assert.equal(new TextDecoder().decode(entries[3].data), "hello");
    assert.ok(entries.every((e) => e.method === 0 && e.data.buffer === zip.buffer));
    assert.ok(entries.every((e) => e.modified.getTime() === Date.UTC(2026, 10, 25, 2)));
  });

  it("readZip() reads STORE and DEFLATE entries written by fflate's zipSync", () => {
    const name = fc.stringMatching(/^[a-z0-9]{1,8}(\/[a-z0-9]{1,8}){0,2}$/);
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(name, fc.uint8Array({ maxLength: 300 }), fc.constantFrom(0, 6)), {
          selector: ([n]) => n,
          maxLength: 6,
        }),
        (files) => {
          // A name cannot be both a file and a directory prefix in fflate's input tree.
          fc.pre(files.every(([a]) => files.every(([b]) => !b.startsWith(a + "/"))));
          const input: Record<string, [Uint8Array, { level: 0 | 6 }]> = {};
          for (const [n, data, level] of files) input[n] = [data, { level: level as 0 | 6 }];
          const entries = readZip(zipSync(input));
          assert.deepEqual(entries.map((e) => e.name).sort(), files.map(([n]) => n).sort());
          for (const [n, data] of files) assert.deepEqual(entries.find((e) => e.name === n)!.data, data);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("readZip() accepts an archive comment but not trailing garbage", () => {
    const zip = smallBundle();
    const withComment = new Uint8Array(zip.length + 5);
    withComment.set(zip);
    withComment.set(enc.encode("hello"), zip.length);
    new DataView(withComment.buffer).setUint16(zip.length - 2, 5, true);
    assert.equal(readZip(withComment).length, 4);
    const garbage = new Uint8Array(zip.length + 3);
    garbage.set(zip);
    throwsCode(() => readZip(garbage), "ERR_AUTOPROF_ZIP_NO_EOCD");
  });

  it("readZip() rejects input that is not a zip", () => {
    throwsCode(() => readZip(new Uint8Array(0)), "ERR_AUTOPROF_ZIP_NO_EOCD", /shorter/);
    throwsCode(() => readZip(enc.encode("definitely not a zip archive, just text")), "ERR_AUTOPROF_ZIP_NO_EOCD");
    assert.throws(() => readZip("PK" as unknown as Uint8Array), TypeError);
    assert.throws(() => readZip(smallBundle(), { maxEntries: -1 }), RangeError);
  });

  it("readZip() rejects names that could escape the extraction directory (zip slip)", () => {
    for (const name of ["../evil", "a/../../evil", "/etc/passwd", "a\\..\\b", "x\0y", "C:/win", "a//b", "./a", ""]) {
      throwsCode(() => readZip(raw([{ name, data: new Uint8Array(1) }])), "ERR_AUTOPROF_ZIP_UNSAFE_NAME");
    }
    assert.equal(readZip(raw([{ name: "dir/", data: new Uint8Array(0) }]))[0].name, "dir/");
  });

  it("readZip() rejects names that are not UTF-8", () => {
    const zip = raw([{ name: "ab", data: new Uint8Array(1) }]);
    for (const e of inspectZip(zip)) {
      zip.set([0xff, 0xfe], e.localOffset + 30);
    }
    const cd = zip.length - 22 - 48;
    zip.set([0xff, 0xfe], cd + 46);
    throwsCode(() => readZip(zip), "ERR_AUTOPROF_ZIP_UNSAFE_NAME", /not UTF-8/);
  });

  it("readZip() rejects duplicate names", () => {
    const zip = raw([{ name: "meta", data: enc.encode("1") }, { name: "meta", data: enc.encode("2") }]);
    throwsCode(() => readZip(zip), "ERR_AUTOPROF_ZIP_DUPLICATE_NAME", /"meta"/);
  });

  it("readZip() names unsupported compression methods", () => {
    throwsCode(() => readZip(raw([{ name: "a", data: new Uint8Array(4), method: 12 }])), "ERR_AUTOPROF_ZIP_METHOD", /12 \(BZIP2\)/);
    throwsCode(() => readZip(raw([{ name: "a", data: new Uint8Array(4), method: 14 }])), "ERR_AUTOPROF_ZIP_METHOD", /LZMA/);
    throwsCode(() => readZip(raw([{ name: "a", data: new Uint8Array(4), method: 3 }])), "ERR_AUTOPROF_ZIP_METHOD", /method 3:/);
  });

  it("readZip() rejects encryption, zip64 and multi-disk archives", () => {
    throwsCode(() => readZip(raw([{ name: "a", data: new Uint8Array(4), flags: 1 }])), "ERR_AUTOPROF_ZIP_UNSUPPORTED", /encrypted/);
    const zip64 = raw([{ name: "a", data: new Uint8Array(1) }]);
    new DataView(zip64.buffer).setUint32(zip64.length - 22 + 16, 0xffffffff, true);
    throwsCode(() => readZip(zip64), "ERR_AUTOPROF_ZIP_UNSUPPORTED", /zip64/);
    const sizes64 = raw([{ name: "a", data: new Uint8Array(1), size: 0xffffffff, compressedSize: 0xffffffff }]);
    throwsCode(() => readZip(sizes64), "ERR_AUTOPROF_ZIP_UNSUPPORTED", /zip64/);
    const spanned = raw([{ name: "a", data: new Uint8Array(1) }]);
    new DataView(spanned.buffer).setUint16(spanned.length - 22 + 4, 1, true);
    throwsCode(() => readZip(spanned), "ERR_AUTOPROF_ZIP_UNSUPPORTED", /multi-disk/);
  });

  it("readZip() checks every entry's CRC-32", () => {
    throwsCode(() => readZip(raw([{ name: "a", data: enc.encode("abc"), crc: 1234 }])), "ERR_AUTOPROF_ZIP_CRC", /"a"/);
    const zip = smallBundle();
    const heap = inspectZip(zip).find((e) => e.name === "pprof/heap")!;
    zip[heap.dataOffset + 2] ^= 0xff;
    throwsCode(() => readZip(zip), "ERR_AUTOPROF_ZIP_CRC", /pprof\/heap/);
  });

  it("readZip() rejects local headers and data descriptors that disagree with the central directory", () => {
    throwsCode(() => readZip(raw([{ name: "a", localName: "b", data: new Uint8Array(1) }])), "ERR_AUTOPROF_ZIP_CORRUPT", /names a different entry/);
    throwsCode(() => readZip(raw([{ name: "a", localMethod: 8, data: new Uint8Array(1) }])), "ERR_AUTOPROF_ZIP_CORRUPT", /method/);
    throwsCode(() => readZip(raw([{ name: "a", localOffset: 5, data: new Uint8Array(1) }])), "ERR_AUTOPROF_ZIP_CORRUPT", /local header/);
    throwsCode(() => readZip(raw([{ name: "a", data: new Uint8Array(3), size: 2, compressedSize: 3 }])), "ERR_AUTOPROF_ZIP_CORRUPT", /stored entry/);
    throwsCode(() => readZip(raw([{ name: "a", data: new Uint8Array(3), compressedSize: 300, size: 300 }])), "ERR_AUTOPROF_ZIP_CORRUPT");
    const zip = smallBundle();
    const meta = inspectZip(zip)[0];
    new DataView(zip.buffer).setUint32(meta.dataOffset + meta.compressedSize + 8, 999, true);
    throwsCode(() => readZip(zip), "ERR_AUTOPROF_ZIP_CORRUPT", /data descriptor of "meta"/);
  });

  it("readZip() rejects overlapping entries (the overlapping-files zip bomb)", () => {
    // Entry "outer" stores a complete local header and data for "inner";
    // the central directory lists both, so "inner" lies inside "outer".
    const innerData = enc.encode("payload");
    const innerZip = raw([{ name: "inner", data: innerData }]);
    const innerLocal = innerZip.subarray(0, 30 + 5 + innerData.length);
    const zip = raw([
      { name: "outer", data: innerLocal },
      { name: "inner", data: new Uint8Array(0), localOffset: 30 + 5, crc: crc32(innerData), size: innerData.length, compressedSize: innerData.length },
    ]);
    throwsCode(() => readZip(zip), "ERR_AUTOPROF_ZIP_CORRUPT", /overlap/);
  });

  it("readZip() enforces entry count and size limits before inflating anything", () => {
    const two = raw([{ name: "a", data: new Uint8Array(10) }, { name: "b", data: new Uint8Array(10) }]);
    throwsCode(() => readZip(two, { maxEntries: 1 }), "ERR_AUTOPROF_ZIP_LIMIT", /Too many/);
    throwsCode(() => readZip(two, { maxEntrySize: 9 }), "ERR_AUTOPROF_ZIP_LIMIT", /"a" is 10 bytes/);
    throwsCode(() => readZip(two, { maxTotalSize: 15 }), "ERR_AUTOPROF_ZIP_LIMIT", /too large/);
    assert.equal(readZip(two, { maxEntries: 2, maxEntrySize: 10, maxTotalSize: 20 }).length, 2);
    // 1 MiB of zeros deflates to about 1 KiB; a declared size over the limit is refused up front.
    const zeros = new Uint8Array(1 << 20);
    const bomb = raw([{ name: "z", data: deflateSync(zeros), method: 8, size: zeros.length, crc: crc32(zeros) }]);
    throwsCode(() => readZip(bomb, { maxEntrySize: 1 << 16 }), "ERR_AUTOPROF_ZIP_LIMIT");
    assert.equal(readZip(bomb)[0].data.length, zeros.length);
  });

  it("readZip() stops inflating at the recorded size when an entry lies about it", () => {
    const zeros = new Uint8Array(1 << 20);
    const liar = raw([{ name: "z", data: deflateSync(zeros), method: 8, size: 100, crc: crc32(zeros.subarray(0, 100)) }]);
    throwsCode(() => readZip(liar), "ERR_AUTOPROF_ZIP_CORRUPT", /more than its recorded size 100/);
    const short = raw([{ name: "z", data: deflateSync(new Uint8Array(10)), method: 8, size: 20 }]);
    throwsCode(() => readZip(short), "ERR_AUTOPROF_ZIP_CORRUPT", /inflates to 10 bytes/);
    const garbage = raw([{ name: "z", data: new Uint8Array([0xff, 0xff, 0xff]), method: 8, size: 5 }]);
    throwsCode(() => readZip(garbage), "ERR_AUTOPROF_ZIP_CORRUPT", /DEFLATE/);
  });

  it("readZip() never throws anything but BundleFormatError for random bytes", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => parsesOrFormatError(bytes)), { numRuns: 2000 });
  });

  it("readZip() never throws anything but BundleFormatError for random bytes that end like a zip", () => {
    // Random bytes rarely contain an end record; give them one so the
    // central directory parser sees hostile input too.
    const eocd = fc.record({
      count: fc.nat(20),
      size: fc.nat(700),
      offset: fc.nat(700),
      comment: fc.nat(3),
    });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), eocd, (body, e) => {
        const bytes = new Uint8Array(body.length + 22 + e.comment);
        bytes.set(body);
        const v = new DataView(bytes.buffer);
        v.setUint32(body.length, 0x06054b50, true);
        v.setUint16(body.length + 8, e.count, true);
        v.setUint16(body.length + 10, e.count, true);
        v.setUint32(body.length + 12, e.size, true);
        v.setUint32(body.length + 16, e.offset, true);
        v.setUint16(body.length + 20, e.comment, true);
        parsesOrFormatError(bytes);
      }),
      { numRuns: 2000 },
    );
  });

  it("readZip() never throws anything but BundleFormatError for truncated bundles", () => {
    const zip = smallBundle();
    for (let n = 0; n < zip.length; n++) {
      throwsCodeAny(() => readZip(zip.subarray(0, n)));
    }
  });

  it("readZip() never throws anything but BundleFormatError for bit flips and byte overwrites of a bundle", () => {
    const zip = smallBundle();
    const flip = fc.record({ pos: fc.nat(zip.length - 1), bit: fc.nat(7) });
    fc.assert(
      fc.property(fc.array(flip, { minLength: 1, maxLength: 4 }), (flips) => {
        const copy = zip.slice();
        for (const { pos, bit } of flips) copy[pos] ^= 1 << bit;
        parsesOrFormatError(copy);
      }),
      { numRuns: 3000 },
    );
    const write = fc.record({ pos: fc.nat(zip.length - 1), value: fc.constantFrom(0, 0xff, 0x7f, 0x80, 1) });
    fc.assert(
      fc.property(fc.array(write, { minLength: 1, maxLength: 4 }), (writes) => {
        const copy = zip.slice();
        for (const { pos, value } of writes) copy[pos] = value;
        parsesOrFormatError(copy, { maxEntrySize: 1 << 20 });
      }),
      { numRuns: 3000 },
    );
  });

  it("readZip() never throws anything but BundleFormatError for mutated DEFLATE archives", () => {
    const zip = zipSync({ a: [enc.encode("hello hello hello hello"), { level: 9 }], b: [new Uint8Array(200), { level: 6 }] });
    fc.assert(
      fc.property(fc.nat(zip.length - 1), fc.nat(255), (pos, value) => {
        const copy = zip.slice();
        copy[pos] = value;
        parsesOrFormatError(copy);
      }),
      { numRuns: 3000 },
    );
  });
});

function throwsCodeAny(fn: () => unknown): void {
  assert.throws(fn, (e: unknown) => e instanceof BundleFormatError);
}
