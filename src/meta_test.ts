import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { RuntimeAdapter } from "./types.ts";
import { currentMeta, FORMAT_VERSION, formatTime, nextCaptureTimeMs, validateOverrides } from "./meta.ts";

const RFC3339_MS_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function adapter(over: Partial<RuntimeAdapter> = {}): RuntimeAdapter {
  return {
    runtime: "bun",
    runtimeVersion: "1.2.3",
    capabilities: () => ({ cpu: { ok: true }, trace: { ok: false, reason: "no tracer" } }),
    processInfo: () => ({ pid: 4242, hostname: "web-1", main: "api", revision: "v1.0.0" }),
    stats: () => ({}),
    ...over,
  };
}

describe("meta", () => {
  it("currentMeta() fills every field from the adapter", () => {
    const m = currentMeta(adapter());
    assert.equal(m.format_version, FORMAT_VERSION);
    assert.equal(m.format_version, 1);
    assert.equal(m.main, "api");
    assert.equal(m.revision, "v1.0.0");
    assert.equal(m.runtime, "bun");
    assert.equal(m.runtime_version, "1.2.3");
    assert.equal(m.hostname, "web-1");
    assert.deepEqual(m.capabilities, { cpu: { ok: true }, trace: { ok: false, reason: "no tracer" } });
    assert.equal(m.skipped, undefined);
    assert.equal(m.errors, undefined);
  });

  it("currentMeta() formats proc_id as 1-<init seconds hex>-<24 hex random>-<pid>", () => {
    const m = currentMeta(adapter());
    const match = /^1-([0-9a-f]{8})-([0-9a-f]{24})-4242$/.exec(m.proc_id);
    assert.ok(match, m.proc_id);
    assert.equal(parseInt(match[1], 16), Math.floor(Date.parse(m.init_time) / 1000));
  });

  it("nextCaptureTimeMs() never repeats or goes back, even when the clock does", () => {
    const a = nextCaptureTimeMs();
    const b = nextCaptureTimeMs(a); // same millisecond
    const c = nextCaptureTimeMs(a - 5_000); // clock stepped back
    assert.ok(b > a && c > b, `${a} ${b} ${c}`);
    assert.equal(currentMeta(adapter(), undefined, c).capture_time, formatTime(c));
  });

  it("currentMeta() writes times as RFC 3339 UTC with milliseconds", () => {
    const before = Date.now();
    const m = currentMeta(adapter());
    assert.match(m.init_time, RFC3339_MS_UTC);
    assert.match(m.capture_time, RFC3339_MS_UTC);
    assert.ok(Date.parse(m.init_time) <= Date.parse(m.capture_time));
    assert.ok(Date.parse(m.capture_time) >= Math.floor(before / 1000) * 1000);
  });

  it("currentMeta() keeps proc_id and init_time fixed for the process", () => {
    const a = currentMeta(adapter());
    const b = currentMeta(adapter({ processInfo: () => ({ pid: 4242, hostname: "", main: "", revision: "" }) }));
    assert.equal(a.proc_id, b.proc_id);
    assert.equal(a.init_time, b.init_time);
  });

  it("currentMeta() shares process facts with other copies of the module", async () => {
    // A second instance of the same file: what two copies of autoprof in one
    // process (two versions in node_modules, or a bundled copy) amount to.
    const ext = import.meta.url.endsWith(".ts") ? "ts" : "js";
    const copy: typeof import("./meta.ts") = await import(`./meta.${ext}?copy=${Date.now()}`);
    assert.notEqual(copy.currentMeta, currentMeta, "the import really is a second instance");
    const a = currentMeta(adapter());
    const b = copy.currentMeta(adapter());
    assert.equal(b.proc_id, a.proc_id);
    assert.equal(b.init_time, a.init_time);
  });

  it("currentMeta() applies overrides for main, revision and hostname", () => {
    const m = currentMeta(adapter(), { main: "checkout", revision: "abc123", hostname: "" });
    assert.equal(m.main, "checkout");
    assert.equal(m.revision, "abc123");
    assert.equal(m.hostname, "");
  });

  it("currentMeta() rejects overrides that are not strings", () => {
    assert.throws(() => currentMeta(adapter(), { main: 42 as unknown as string }), {
      name: "TypeError",
      message: /"main".*number/,
    });
    assert.throws(() => currentMeta(adapter(), "api" as unknown as object), TypeError);
    assert.throws(() => validateOverrides(null), TypeError);
    assert.throws(() => validateOverrides({ hostname: null }), /"hostname"/);
  });

  it("currentMeta() tolerates odd process info: missing strings become empty", () => {
    const m = currentMeta(adapter({
      processInfo: () => ({ pid: -1, hostname: undefined, main: 7, revision: null }) as never,
    }));
    assert.equal(m.main, "");
    assert.equal(m.revision, "");
    assert.equal(m.hostname, "");
    assert.match(m.proc_id, /-0$/);
  });

  it("formatTime() matches Go autoprof's rfc3339milli layout for UTC", () => {
    assert.equal(formatTime(Date.UTC(2026, 10, 25, 2, 0, 0, 7)), "2026-11-25T02:00:00.007Z");
    assert.equal(formatTime(new Date(0)), "1970-01-01T00:00:00.000Z");
  });
});
