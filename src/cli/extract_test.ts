import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { gunzipSync, gzipSync, strToU8 } from "fflate";
import { customEntryName, pprofEntryName } from "../names.ts";
import { readBundle } from "../read_bundle.ts";
import { crc32 } from "../zip/_crc32.ts";
import { buildZip } from "../zip/_testing.ts";
import { joinInside, outputPath, planExtract, unsafePathReason } from "./extract.ts";
import { gunzipLimited, InflateLimitError } from "./gunzip_limited.ts";
import { runCli } from "./main.ts";
import { makeBundle, testMeta } from "./testdata/bundles.ts";
import { memoryHost } from "./testdata/memory_host.ts";

/** POSIX path normalization, as the file system would resolve it (no symlinks). */
function resolvePosix(path: string): string {
  const out: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") out.pop();
    else out.push(part);
  }
  return (path.startsWith("/") ? "/" : "") + out.join("/");
}

describe("extract paths", () => {
  it("joinInside() either refuses a path or keeps it inside the output directory (property)", () => {
    const segment = fc.oneof(fc.constantFrom("..", ".", "", "/", "\\", "C:", "a\0b", "~", "%2E%2E"), fc.string({ maxLength: 6 }));
    fc.assert(fc.property(fc.array(segment, { minLength: 1, maxLength: 6 }), fc.constantFrom("", "/"), (parts, lead) => {
      const entry = lead + parts.join(fc.sample(fc.constantFrom("/", ""), 1)[0]!);
      for (const path of [entry, outputPath(entry, true)]) {
        let joined: string;
        try {
          joined = joinInside("/srv/out", path, entry);
        } catch (e) {
          assert.ok(e instanceof RangeError && /could escape the output directory/.test(e.message), String(e));
          continue;
        }
        const resolved = resolvePosix(joined);
        assert.ok(resolved.startsWith("/srv/out/") && resolved.length > "/srv/out/".length, `${JSON.stringify(path)} -> ${resolved}`);
        assert.ok(!/[\\\0]/.test(joined));
      }
    }));
  });

  it("outputPath() gives every valid bundle entry a safe, distinct file (property)", () => {
    fc.assert(fc.property(fc.uniqueArray(fc.string({ unit: "grapheme", minLength: 1 }), { maxLength: 8 }), (names) => {
      const entries = ["meta", "expvar", "pprof/heap", "pprof/profile", "pprof/trace", ...names.map(customEntryName), ...names.map(pprofEntryName)];
      const paths = entries.map((e) => outputPath(e, true));
      for (const p of paths) {
        // escapeEntryName keeps "." and "..", which readZip refuses; anything else must be safe.
        if (/(^|\/)\.\.?(\.pb\.gz)?$/.test(p) && !p.endsWith(".pb.gz")) continue;
        assert.equal(unsafePathReason(p), undefined, p);
      }
      assert.equal(new Set(paths).size, paths.length);
    }));
  });

  it("unsafePathReason() names traversal, absolute paths, drive letters, backslashes and control characters", () => {
    assert.match(unsafePathReason("custom/../../x")!, /\.\./);
    assert.match(unsafePathReason("/etc/passwd")!, /absolute/);
    assert.match(unsafePathReason("C:evil")!, /drive letter/);
    assert.match(unsafePathReason("custom\\..\\x")!, /backslash/);
    assert.match(unsafePathReason("a\u001b[2Jb")!, /control character/);
    assert.match(unsafePathReason("custom/")!, /directory/);
    assert.equal(unsafePathReason("custom/a%2Fb"), undefined);
  });
});

describe("gunzipLimited()", () => {
  it("gunzipLimited() returns the data under the cap and refuses a gzip bomb past it", () => {
    const bomb = gzipSync(new Uint8Array(8 * 1024 * 1024), { level: 9 });
    assert.ok(bomb.length < 20_000, "a small input");
    assert.equal(gunzipLimited(bomb, 8 * 1024 * 1024).length, 8 * 1024 * 1024);
    assert.throws(() => gunzipLimited(bomb, 1024 * 1024), (e: unknown) => e instanceof InflateLimitError && e.limit === 1024 * 1024);
    assert.throws(() => gunzipLimited(new Uint8Array([1, 2, 3]), 10), /Invalid gzip data/);
  });
});

describe("autoprof extract", () => {
  const trace = { traceEvents: [{ name: "work", ph: "X", ts: 1, dur: 5, pid: 1, tid: 1 }] };

  it("extract writes each entry as a file tools open: pprof stays gzipped, the trace is plain JSON", async () => {
    const b = makeBundle({ cpu: { sampleTypes: [["samples", "count"]], samples: [{ stack: ["main"], values: [1] }] }, trace, custom: { "a%2Fb": strToU8("hi") } });
    const host = memoryHost({ "b.zip": b.bytes });
    assert.equal(await runCli(["extract", "b.zip", "out"], host), 0, host.stderr.text);
    const bundle = readBundle(b.bytes);
    assert.deepEqual(JSON.parse(new TextDecoder().decode(host.files.get("out/meta.json")!)), b.meta);
    assert.deepEqual(host.files.get("out/heap.pb.gz"), bundle.entries.get("pprof/heap"));
    assert.deepEqual(host.files.get("out/profile.pb.gz"), bundle.entries.get("pprof/profile"));
    assert.deepEqual(JSON.parse(new TextDecoder().decode(host.files.get("out/trace.json")!)), trace);
    assert.equal(new TextDecoder().decode(host.files.get("out/custom/a%2Fb")!), "hi");
    assert.match(host.stdout.text, /Wrote 6 files to out\//);
    assert.match(host.stdout.text, /go tool pprof -http=: out\/heap\.pb\.gz/);
  });

  it("extract refuses a zip-slip entry name and writes nothing", async () => {
    const evil = buildZip([
      { name: "meta", data: strToU8(JSON.stringify(testMeta())) },
      { name: "expvar", data: strToU8("{}") },
      { name: "custom/../../../etc/cron.d/x", data: strToU8("* * * * * root sh") },
    ], crc32);
    const host = memoryHost({ "evil.zip": evil });
    assert.equal(await runCli(["extract", "evil.zip", "out"], host), 1);
    assert.match(host.stderr.text, /Refusing to extract evil\.zip: Unsafe zip entry name: it has a "\.\." element: "custom\/\.\.\/\.\.\/\.\.\/etc\/cron\.d\/x"/);
    assert.deepEqual([...host.files.keys()], ["evil.zip"]);
  });

  it("extract refuses an entry over --max-entry-size and a trace that inflates past it, naming the option", async () => {
    const big = makeBundle({ custom: { blob: new Uint8Array(4096) } });
    const host = memoryHost({ "big.zip": big.bytes });
    assert.equal(await runCli(["extract", "big.zip", "out", "--max-entry-size", "1KiB"], host), 1);
    assert.match(host.stderr.text, /Zip entry too large: "custom\/blob" is 4096 bytes \(limit 1024\).*raise --max-entry-size/);

    const w = makeBundle({ trace: { pad: "x".repeat(3 * 1024 * 1024) } });
    const bomb = memoryHost({ "bomb.zip": w.bytes });
    assert.ok(w.bytes.length < 64 * 1024);
    assert.equal(await runCli(["extract", "bomb.zip", "out", "--max-entry-size", "1MiB"], bomb), 1);
    assert.match(bomb.stderr.text, /Refusing to extract entry "pprof\/trace": it inflates to more than 1048576 bytes \(raise --max-entry-size/);
    assert.deepEqual([...bomb.files.keys()], ["bomb.zip"]);
    assert.equal(await runCli(["extract", "bomb.zip", "out", "--max-entry-size", "nope"], bomb), 2);
    assert.match(bomb.stderr.text, /Invalid --max-entry-size: Cannot parse byte size/);
  });

  it("extract will not write into a non-empty directory without --force", async () => {
    const b = makeBundle();
    const host = memoryHost({ "b.zip": b.bytes, "out/keep.txt": strToU8("x") });
    assert.equal(await runCli(["extract", "b.zip", "out"], host), 2);
    assert.match(host.stderr.text, /not empty \(pass --force/);
    assert.equal(await runCli(["extract", "b.zip", "out", "--force"], host), 0);
    assert.ok(host.files.has("out/keep.txt") && host.files.has("out/heap.pb.gz"));
  });

  it("planExtract() keeps a non-gzip trace as it is", () => {
    const b = makeBundle({ trace });
    const bundle = readBundle(b.bytes);
    bundle.entries.set("pprof/trace", gunzipSync(bundle.entries.get("pprof/trace")!));
    const f = planExtract(bundle, { maxEntrySize: 1 << 20 }).find((x) => x.entry === "pprof/trace")!;
    assert.equal(f.path, "trace.json");
    assert.deepEqual(JSON.parse(new TextDecoder().decode(f.bytes)), trace);
  });
});
