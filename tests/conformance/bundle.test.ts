/**
 * Conformance: the bundle format, identical on every runtime. Entry order,
 * STORE in every header, `meta` fields and their formats, `expvar`, and
 * custom entries escaped like Go's `url.PathEscape` and sorted byte-wise.
 * Raw zip headers are read with a parser that shares no code with the
 * library's reader.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as os from "node:os";
import { collect, FORMAT_VERSION, publish, readBundle, unpublish } from "../../mod.ts";
import { inspectZip } from "../../src/zip/_testing.ts";
import {
  compareBytes,
  entryPhase,
  familyOf,
  goPathEscape,
  ownPid,
  PROC_ID,
  RFC3339_MS_UTC,
  runningFamily,
  runningVersion,
  testRuntimeId,
} from "./_support.ts";

const encoder = new TextEncoder();
// Names chosen to exercise escaping and byte-wise order: upper before
// lower case, "/" and space and "%" escaped, non-ASCII last.
const CUSTOM: Record<string, () => string | Uint8Array> = {
  "zeta": () => "z",
  "Alpha": () => "A",
  "a b": () => "space",
  "a/b": () => encoder.encode("slash"),
  "é": () => "e-acute",
  "%": () => "percent",
  "x$&+:=@y": () => "kept",
  "(q),;?": () => "escaped",
};
const EXPECTED_CUSTOM_ENTRIES = [
  "custom/%25",
  "custom/%28q%29%2C%3B%3F",
  "custom/Alpha",
  "custom/a%20b",
  "custom/a%2Fb",
  "custom/x$&+:=@y",
  "custom/zeta",
  "custom/%C3%A9",
];

publish("conformance_answer", () => 42);
const before = Date.now();
const bytes = await collect({
  custom: {
    ...CUSTOM,
    "stream": new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode("chunk1,"));
        controller.enqueue(encoder.encode("chunk2"));
        controller.close();
      },
    }),
  },
  meta: { revision: "conformance-rev" },
});
const after = Date.now();
unpublish("conformance_answer");
const raw = inspectZip(bytes);
const { meta, names, entries } = readBundle(bytes);

test("the test runs on the runtime scripts/test.sh named", () => {
  assert.equal(familyOf(testRuntimeId()), runningFamily());
});

test("every entry is STORE (method 0) in its local header and central directory record", () => {
  assert.ok(raw.length >= 2);
  for (const e of raw) {
    assert.equal(e.method, 0, `${e.name}: central directory method ${e.method}`);
    assert.equal(e.localMethod, 0, `${e.name}: local header method ${e.localMethod}`);
    assert.equal(e.compressedSize, e.size, `${e.name}: stored sizes differ`);
    assert.equal(e.localName, e.name);
  }
  assert.deepEqual(raw.map((e) => e.name), names);
});

test("entries come in bundle order: meta, expvar, heap, other pprof, custom, timed profiles", () => {
  assert.equal(names[0], "meta");
  assert.equal(names[1], "expvar");
  const phases = names.map(entryPhase);
  for (let i = 0; i < names.length; i++) assert.ok(phases[i] >= 0, `unexpected entry name ${names[i]}`);
  for (let i = 1; i < names.length; i++) {
    assert.ok(phases[i - 1] <= phases[i], `${names[i - 1]} before ${names[i]}`);
  }
  assert.equal(new Set(names).size, names.length, "duplicate entry names");
});

test("custom entries are escaped like Go's url.PathEscape and sorted byte-wise by name", () => {
  const custom = names.filter((n) => n.startsWith("custom/"));
  const expected = [...Object.keys(CUSTOM), "stream"].sort(compareBytes).map((n) => `custom/${goPathEscape(n)}`);
  assert.deepEqual(custom, expected);
  // And the hand-written expectation, in case the helpers share a mistake.
  assert.deepEqual(custom.filter((n) => n !== "custom/stream"), EXPECTED_CUSTOM_ENTRIES);
  const text = (n: string) => new TextDecoder().decode(entries.get(n));
  assert.equal(text("custom/a%2Fb"), "slash");
  assert.equal(text("custom/%C3%A9"), "e-acute");
  assert.equal(text("custom/stream"), "chunk1,chunk2");
});

test("meta has Go autoprof's fields in the right formats", () => {
  assert.equal(meta.format_version, FORMAT_VERSION);
  assert.equal(meta.format_version, 1);
  for (const key of ["main", "revision", "hostname", "proc_id", "init_time", "capture_time", "runtime", "runtime_version"] as const) {
    assert.equal(typeof meta[key], "string", `meta.${key}`);
  }
  assert.ok(meta.main !== "", "meta.main is empty");
  assert.equal(meta.revision, "conformance-rev", "meta overrides apply");
  assert.match(meta.init_time, RFC3339_MS_UTC);
  assert.match(meta.capture_time, RFC3339_MS_UTC);
  assert.equal(new Date(Date.parse(meta.capture_time)).toISOString(), meta.capture_time);
  const capture = Date.parse(meta.capture_time);
  assert.ok(capture >= before && capture <= after, `capture_time ${meta.capture_time} outside the collect() call`);
  assert.ok(Date.parse(meta.init_time) <= capture, "init_time after capture_time");
  const m = PROC_ID.exec(meta.proc_id);
  assert.ok(m !== null, `proc_id ${meta.proc_id}`);
  assert.equal(parseInt(m[1], 16), Math.floor(Date.parse(meta.init_time) / 1000), "proc_id's time is init_time in seconds");
  assert.equal(Number(m[3]), ownPid(), "proc_id ends in the pid");
});

test("meta names the runtime running the test, with its version and hostname", () => {
  assert.equal(meta.runtime, runningFamily());
  assert.equal(meta.runtime_version, runningVersion());
  let hostname = "";
  try {
    hostname = os.hostname();
  } catch {
    // not allowed: then meta must say "" too
  }
  assert.equal(meta.hostname, hostname);
});

test("expvar is a JSON object with published vars, runtime stats and autoprof counters", () => {
  const text = new TextDecoder().decode(entries.get("expvar"));
  const expvar = JSON.parse(text);
  assert.equal(expvar.conformance_answer, 42);
  assert.equal(typeof expvar.autoprof, "object");
  assert.equal(typeof expvar.runtime, "object");
  const keys = Object.keys(expvar);
  assert.deepEqual(keys, [...keys].sort(compareBytes), "expvar keys in byte-wise order");
  if (meta.capabilities.expvar?.ok) {
    assert.ok(expvar.runtime.memory?.rss > 0, "runtime.memory.rss");
    assert.equal(expvar.runtime.pid, ownPid());
  }
});

test("two bundles of one process share proc_id and init_time", async () => {
  const again = readBundle(await collect()).meta;
  assert.equal(again.proc_id, meta.proc_id);
  assert.equal(again.init_time, meta.init_time);
  assert.ok(again.capture_time >= meta.capture_time);
});
