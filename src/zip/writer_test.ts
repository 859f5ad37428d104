import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BundleWriter } from "./writer.ts";
import { readZip } from "./reader.ts";
import { crc32 } from "./_crc32.ts";
import { inspectZip } from "./_testing.ts";

const enc = new TextEncoder();
const CAPTURE = Date.UTC(2026, 10, 25, 2, 0, 0, 0);

function sample(): Array<[string, Uint8Array]> {
  return [
    ["meta", enc.encode('{"format_version":1}')],
    ["expvar", enc.encode('{\n"a": 1\n}\n')],
    ["pprof/heap", new Uint8Array([0x1f, 0x8b, 8, 0, 1, 2, 3])],
    ["custom/%C3%A9", new Uint8Array(0)],
  ];
}

function write(entries: Array<[string, Uint8Array | Uint8Array[]]>, mtime: number = CAPTURE): Uint8Array {
  const w = new BundleWriter({ mtime });
  for (const [name, data] of entries) w.add(name, data);
  return w.finish();
}

describe("BundleWriter", () => {
  it("BundleWriter writes every entry with STORE, in order, sizes and CRC in a data descriptor like Go's zip.Writer", () => {
    const entries = sample();
    const zip = write(entries);
    const raw = inspectZip(zip);
    assert.deepEqual(raw.map((e) => e.name), entries.map(([n]) => n));
    raw.forEach((e, i) => {
      const data = entries[i][1];
      assert.equal(e.method, 0, `${e.name}: central method`);
      assert.equal(e.localMethod, 0, `${e.name}: local method`);
      assert.equal(e.localName, e.name);
      assert.equal(e.compressedSize, data.length);
      assert.equal(e.size, data.length);
      assert.equal(e.crc, crc32(data));
      assert.ok(e.localFlags & 8, "sizes follow the data");
      assert.deepEqual(e.descriptor, { signature: 0x08074b50, crc: crc32(data), compressedSize: data.length, size: data.length });
      assert.deepEqual(zip.subarray(e.dataOffset, e.dataOffset + data.length), data);
    });
  });

  it("BundleWriter stamps every entry with the capture time (extended timestamp, UTC)", () => {
    const raw = inspectZip(write(sample()));
    const seconds = CAPTURE / 1000;
    for (const e of raw) {
      const want = new Uint8Array([0x55, 0x54, 5, 0, 1, seconds & 0xff, (seconds >> 8) & 0xff, (seconds >> 16) & 0xff, seconds >>> 24]);
      assert.deepEqual(e.centralExtra, want, e.name);
    }
    for (const e of readZip(write(sample()))) assert.equal(e.modified.getTime(), CAPTURE);
  });

  it("BundleWriter output depends only on the entries and the capture time", () => {
    assert.deepEqual(write(sample()), write(sample()));
    assert.notDeepEqual(write(sample()), write(sample(), CAPTURE + 2000));
  });

  it("BundleWriter stores chunked data back to back without changing it", () => {
    const zip = write([["pprof/trace", [enc.encode("ab"), new Uint8Array(0), enc.encode("cde")]], ["x", []]]);
    const [trace, empty] = readZip(zip);
    assert.equal(new TextDecoder().decode(trace.data), "abcde");
    assert.equal(trace.crc32, crc32(enc.encode("abcde")));
    assert.equal(empty.data.length, 0);
  });

  it("BundleWriter with no entries writes an empty archive", () => {
    const zip = new BundleWriter().finish();
    assert.equal(zip.length, 22);
    assert.deepEqual(readZip(zip), []);
  });

  it("BundleWriter refuses names a reader would refuse", () => {
    const w = new BundleWriter();
    for (const bad of ["", "../x", "a/../b", "/abs", "a\\b", "a\0b", "C:/x", "a//b", "./a", "a\ud800"]) {
      assert.throws(() => w.add(bad, new Uint8Array(0)), TypeError, JSON.stringify(bad));
    }
    w.add("ok", new Uint8Array(0));
    assert.throws(() => w.add("ok", new Uint8Array(0)), { name: "TypeError", message: /duplicate/ });
    assert.throws(() => w.add("data", "text" as unknown as Uint8Array), TypeError);
    assert.throws(() => w.add("data", [new Uint8Array(1), 2] as unknown as Uint8Array[]), TypeError);
    assert.equal(readZip(w.finish()).length, 1, "refused entries leave no trace");
  });

  it("BundleWriter can be finished once, and not added to afterwards", () => {
    const w = new BundleWriter();
    w.finish();
    assert.throws(() => w.finish(), /already finished/);
    assert.throws(() => w.add("late", new Uint8Array(1)), /finished/);
  });

  it("BundleWriter rejects an invalid mtime and clamps dates DOS cannot hold", () => {
    assert.throws(() => new BundleWriter({ mtime: NaN }), RangeError);
    const zip = write([["a", new Uint8Array(1)]], Date.UTC(1975, 0, 1));
    const [e] = readZip(zip);
    assert.equal(e.modified.getTime(), Date.UTC(1975, 0, 1), "the extended timestamp keeps the real time");
  });

  it("Go's archive/zip reads BundleWriter output, and readZip reads Go's zip.Writer output", () => {
    const dir = mkdtempSync(join(tmpdir(), "autoprof-zip-"));
    try {
      const ours = join(dir, "ours.zip");
      const theirs = join(dir, "theirs.zip");
      writeFileSync(ours, write(sample()));
      writeFileSync(join(dir, "main.go"), GO_PROGRAM);
      const out = execFileSync("go", ["run", join(dir, "main.go"), ours, theirs], { encoding: "utf8" });
      const seen = JSON.parse(out) as Array<{ name: string; method: number; modified: number; size: number }>;
      assert.deepEqual(
        seen,
        sample().map(([name, data]) => ({ name, method: 0, modified: CAPTURE / 1000, size: data.length })),
      );
      // Go autoprof's writer: zip.NewWriter + CreateHeader{Method: zip.Store}.
      const goEntries = readZip(new Uint8Array(readFileSync(theirs)));
      assert.deepEqual(goEntries.map((e) => [e.name, e.method, new TextDecoder().decode(e.data)]), [
        ["meta", 0, '{"main":"go"}'],
        ["expvar", 0, "{\n}\n"],
        ["pprof/heap", 0, "heap"],
        ["custom/a%2Fb", 0, "custom"],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const GO_PROGRAM = `package main

import (
	"archive/zip"
	"encoding/json"
	"io"
	"os"
)

func main() {
	r, err := zip.OpenReader(os.Args[1])
	if err != nil {
		panic(err)
	}
	type entry struct {
		Name     string \`json:"name"\`
		Method   uint16 \`json:"method"\`
		Modified int64  \`json:"modified"\`
		Size     int    \`json:"size"\`
	}
	var out []entry
	for _, f := range r.File {
		rc, err := f.Open()
		if err != nil {
			panic(err)
		}
		b, err := io.ReadAll(rc) // checks the CRC-32
		if err != nil {
			panic(err)
		}
		out = append(out, entry{f.Name, f.Method, f.Modified.Unix(), len(b)})
	}
	json.NewEncoder(os.Stdout).Encode(out)

	w, err := os.Create(os.Args[2])
	if err != nil {
		panic(err)
	}
	zw := zip.NewWriter(w)
	for _, e := range [][2]string{{"meta", "{\\"main\\":\\"go\\"}"}, {"expvar", "{\\n}\\n"}, {"pprof/heap", "heap"}, {"custom/a%2Fb", "custom"}} {
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: e[0], Method: zip.Store})
		if err != nil {
			panic(err)
		}
		fw.Write([]byte(e[1]))
	}
	if err := zw.Close(); err != nil {
		panic(err)
	}
	w.Close()
}
`;
