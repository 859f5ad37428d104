import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { COMMANDS, runCli } from "./main.ts";
import { parseTimeOption } from "./locate.ts";
import { printable } from "./table.ts";
import { cpuSpec, makeBundle } from "./testdata/bundles.ts";
import { memoryHost } from "./testdata/memory_host.ts";

function store() {
  const a = makeBundle({ meta: { capture_time: "2026-11-25T01:00:00.000Z" } });
  const b = makeBundle({ meta: { capture_time: "2026-11-25T02:30:00.000Z", hostname: "web-2", runtime: "deno", runtime_version: "2.9.6" }, cpu: cpuSpec([[["main", "work"], 4]]) });
  const c = makeBundle({ meta: { main: "worker", capture_time: "2026-11-25T02:00:00.000Z", hostname: "\x1b[31mred" } });
  return { a, b, c, files: { [`profiles/${a.key}`]: a.bytes, [`profiles/${b.key}`]: b.bytes, [`profiles/${c.key}`]: c.bytes } };
}

describe("autoprof CLI", () => {
  it("every command answers --help with its usage, and autoprof --help lists them all", async () => {
    for (const c of COMMANDS) {
      const host = memoryHost();
      assert.equal(await runCli([c.name, "--help"], host), 0);
      assert.ok(host.stdout.text.startsWith(`Usage: autoprof ${c.name}`), host.stdout.text);
      assert.match(host.stdout.text, /-h, --help/);
    }
    const host = memoryHost();
    assert.equal(await runCli(["--help"], host), 0);
    for (const c of COMMANDS) assert.match(host.stdout.text, new RegExp(`\\n  ${c.name} +\\S`));
    const none = memoryHost();
    assert.equal(await runCli([], none), 2);
    assert.match(none.stderr.text, /^Usage: autoprof COMMAND/);
  });

  it("an unknown command or option exits 2 and points at --help", async () => {
    const host = memoryHost();
    assert.equal(await runCli(["lss"], host), 2);
    assert.match(host.stderr.text, /unknown command "lss": expected one of ls, show, extract, merge, view/);
    const h2 = memoryHost();
    assert.equal(await runCli(["ls", "--colour"], h2), 2);
    assert.equal(h2.stderr.text, "autoprof ls: Unknown option: --colour\nRun autoprof ls --help for usage.\n");
  });

  it("ls lists bundles oldest first with runtime, size, parts and key, and filters by main, host and time", async () => {
    const s = store();
    const host = memoryHost(s.files);
    assert.equal(await runCli(["ls"], host), 0, host.stderr.text);
    const lines = host.stdout.text.trimEnd().split("\n");
    assert.match(lines[0]!, /^CAPTURED +RUNTIME +SIZE +PARTS +KEY$/);
    assert.equal(lines.length, 4);
    assert.ok(lines[1]!.startsWith("2026-11-25T01:00:00.000Z  node v24.1.0"));
    assert.ok(lines[2]!.startsWith("2026-11-25T02:00:00.000Z"));
    assert.match(lines[3]!, /^2026-11-25T02:30:00\.000Z +deno 2\.9\.6 +\d+\.\d KiB +heap cpu +pprof\/api\/web-2\//);
    assert.ok(!host.stdout.text.includes("\x1b"), "control characters from meta are escaped");

    const f = memoryHost(s.files);
    assert.equal(await runCli(["ls", "--main", "api", "--since", "2026-11-25T01:30Z", "--json"], f), 0);
    const rows = JSON.parse(f.stdout.text);
    assert.deepEqual(rows.map((r: { key: string }) => r.key), [s.b.key]);
    assert.deepEqual(rows[0].entries, ["meta", "expvar", "pprof/heap", "pprof/profile"]);
    assert.equal(rows[0].runtime, "deno");

    const h = memoryHost(s.files);
    assert.equal(await runCli(["ls", "--host", "web-2", "--fast", "--until", "20m"], h), 0);
    assert.equal(h.stdout.text.trimEnd().split("\n").length, 2, "web-2's bundle is from 30 min ago");
    const h1 = memoryHost(s.files);
    assert.equal(await runCli(["ls", "--host", "web-2", "--until", "40m"], h1), 0);
    assert.equal(h1.stdout.text, "");
    assert.equal(h1.stderr.text, "No bundles in ./profiles match the filter\n");

    const empty = memoryHost({});
    assert.equal(await runCli(["ls", "--store", "nowhere"], empty), 0);
    assert.equal(empty.stderr.text, "No bundles in nowhere\n");
  });

  it("show prints meta, expvar highlights and entries, or JSON, for a bundle named by any unique part of its key", async () => {
    const s = store();
    const host = memoryHost(s.files);
    assert.equal(await runCli(["show", "T02:30"], host), 0, host.stderr.text);
    assert.match(host.stdout.text, /^bundle +\.\/profiles\/pprof\/api\/web-2\/.*2026-11-25T02:30:00\.000Z\.zip \(\d/);
    assert.match(host.stdout.text, /\nruntime +deno 2\.9\.6\n/);
    assert.match(host.stdout.text, /runtime\.memory\.rss +1\.0 MiB/);
    assert.match(host.stdout.text, /pprof\/profile +\d+ B +pprof: samples\/count, cpu\/nanoseconds; 1 samples; 1\.0 s/);

    const j = memoryHost(s.files);
    assert.equal(await runCli(["show", "--json", s.b.key], j), 0);
    const out = JSON.parse(j.stdout.text);
    assert.deepEqual(out.meta, s.b.meta);
    assert.deepEqual(out.entries.map((e: { name: string }) => e.name), ["meta", "expvar", "pprof/heap", "pprof/profile"]);

    const many = memoryHost(s.files);
    assert.equal(await runCli(["show", "2026-11-25"], many), 2);
    assert.match(many.stderr.text, /3 bundles match "2026-11-25": give more of the key:\n {2}pprof\//);
    const none = memoryHost(s.files);
    assert.equal(await runCli(["show", "nope"], none), 2);
    assert.match(none.stderr.text, /No bundle matches "nope": not a file, and no key in \.\/profiles contains it \(3 bundles there/);
  });

  it("an S3 store without credentials is a usage error that names the variables", async () => {
    const host = memoryHost({}, {});
    assert.equal(await runCli(["ls", "--store", "s3://profiles/team"], host), 2);
    assert.match(host.stderr.text, /Cannot open S3 store "s3:\/\/profiles\/team": .*AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must both be set/);
  });

  it("parseTimeOption() reads RFC 3339 times, dates and durations before now", () => {
    const now = Date.parse("2026-11-25T03:00:00Z");
    assert.equal(parseTimeOption("since", "2026-11-25", now), "2026-11-25T00:00:00.000Z");
    assert.equal(parseTimeOption("since", "2026-11-25T02:00:00+01:00", now), "2026-11-25T01:00:00.000Z");
    assert.equal(parseTimeOption("since", "90m", now), "2026-11-25T01:30:00.000Z");
    assert.throws(() => parseTimeOption("until", "yesterday", now), /Invalid --until: expected an RFC 3339 time/);
  });

  it("printable() escapes terminal control sequences and bidi overrides", () => {
    assert.equal(printable("a\x1b[2Jb\u202ec\u0007"), "a\\u{1b}[2Jb\\u{202e}c\\u{7}");
  });
});
