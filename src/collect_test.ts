// deno-lint-ignore-file require-await -- test doubles mirror async interfaces
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { CpuCaptureOptions, HeapCaptureOptions, RuntimeAdapter, TraceCaptureOptions } from "./types.ts";
import { collectBundle } from "./collect.ts";
import { tryAcquireCapture } from "./capture_lock.ts";
import { CaptureBusyError, PartSkippedError } from "./errors.ts";
import { addCounter, publish, unpublish } from "./expvar.ts";
import { readBundle } from "./read_bundle.ts";
import { readZip } from "./zip/reader.ts";
import { inspectZip } from "./zip/_testing.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const RFC3339_MS_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * A complete adapter whose profiles are short labelled byte strings. Tests
 * replace the parts they are about. Timed captures return at once unless
 * a test makes them wait.
 */
function testAdapter(over: Partial<RuntimeAdapter> = {}): RuntimeAdapter & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    runtime: "other",
    runtimeVersion: "test-1.0",
    capabilities: () => ({ heap: { ok: true }, cpu: { ok: true }, trace: { ok: true } }),
    processInfo: () => ({ pid: 4242, hostname: "test-host", main: "test-main", revision: "r1" }),
    stats: () => ({ rss: 1234 }),
    heap: async () => {
      calls.push("heap");
      return enc.encode("HEAP");
    },
    pointInTime: () => [
      { name: "allocs", capture: async () => (calls.push("allocs"), enc.encode("ALLOCS")) },
      { name: "a/b c", capture: async () => (calls.push("a/b c"), enc.encode("ABC")) },
    ],
    cpu: async (o: CpuCaptureOptions) => {
      calls.push(`cpu ${o.durationMs} ${o.byteTarget}`);
      return { ok: true, data: enc.encode("CPU") };
    },
    trace: async (o: TraceCaptureOptions) => {
      calls.push(`trace ${o.durationMs} ${o.byteTarget} ${o.withCpuProfile}`);
      return { ok: true, data: enc.encode("TRACE"), profileDuringTrace: o.withCpuProfile ? enc.encode("PDT") : undefined };
    },
    ...over,
  };
}

function text(bundle: { entries: Map<string, Uint8Array> }, name: string): string | undefined {
  const data = bundle.entries.get(name);
  return data === undefined ? undefined : dec.decode(data);
}

describe("collectBundle", () => {
  it("collectBundle() writes entries in Go autoprof's order", async () => {
    const adapter = testAdapter();
    const { bytes } = await collectBundle(adapter, {
      cpuProfileDuration: 60_000,
      cpuProfileByteTarget: 1 << 20,
      traceDuration: 30_000,
      traceByteTarget: 2 << 20,
      custom: { "b": () => "B", "a/b": () => enc.encode("AB") },
    });
    const bundle = readBundle(bytes);
    assert.deepEqual(bundle.names, [
      "meta",
      "expvar",
      "pprof/heap",
      "pprof/allocs",
      "pprof/a%2Fb%20c",
      "custom/a%2Fb",
      "custom/b",
      "pprof/profile",
      "pprof/trace",
      "pprof/profile-during-trace",
    ]);
    assert.equal(text(bundle, "pprof/heap"), "HEAP");
    assert.equal(text(bundle, "custom/b"), "B");
    assert.equal(text(bundle, "pprof/profile-during-trace"), "PDT");
    // CPU runs first for its whole duration, then the trace with CPU samples.
    assert.deepEqual(adapter.calls, ["heap", "allocs", "a/b c", "cpu 60000 1048576", "trace 30000 2097152 true"]);
    assert.equal(bundle.meta.skipped, undefined);
    assert.equal(bundle.meta.errors, undefined);
  });

  it("collectBundle() stores every entry uncompressed (STORE), sizes matching the data", async () => {
    const { bytes } = await collectBundle(testAdapter(), { cpuProfileDuration: 1, traceDuration: 1, custom: { x: () => "X" } });
    const raw = inspectZip(bytes);
    const entries = readZip(bytes);
    assert.equal(raw.length, 9);
    raw.forEach((e, i) => {
      assert.equal(e.localMethod, 0, e.name);
      assert.equal(e.method, 0, e.name);
      assert.equal(e.compressedSize, e.size, e.name);
      assert.equal(e.size, entries[i].data.length, e.name);
      assert.deepEqual(e.descriptor && [e.descriptor.compressedSize, e.descriptor.size], [e.size, e.size]);
    });
  });

  it("collectBundle() writes a meta with the documented field formats", async () => {
    const { meta, bytes } = await collectBundle(testAdapter(), { meta: { revision: "override" } });
    const parsed = JSON.parse(dec.decode(readZip(bytes)[0].data));
    assert.deepEqual(parsed, meta);
    assert.equal(meta.format_version, 1);
    assert.equal(meta.main, "test-main");
    assert.equal(meta.revision, "override");
    assert.equal(meta.runtime, "other");
    assert.equal(meta.runtime_version, "test-1.0");
    assert.equal(meta.hostname, "test-host");
    assert.match(meta.proc_id, /^1-[0-9a-f]{8}-[0-9a-f]{24}-4242$/);
    assert.match(meta.init_time, RFC3339_MS_UTC);
    assert.match(meta.capture_time, RFC3339_MS_UTC);
    assert.deepEqual(meta.capabilities, { heap: { ok: true }, cpu: { ok: true }, trace: { ok: true } });
    // Every entry carries the capture time (to the second).
    for (const e of readZip(bytes)) {
      assert.equal(e.modified.getTime(), Math.floor(Date.parse(meta.capture_time) / 1000) * 1000);
    }
  });

  it("collectBundle() escapes custom names and sorts them byte-wise like Go", async () => {
    const src = () => "x";
    const { bytes } = await collectBundle(testAdapter({ pointInTime: undefined }), {
      custom: { "b": src, "\u{1F600}": src, "\ufffd": src, "Z": src, "a/b": src, "a b?": src },
    });
    assert.deepEqual(readBundle(bytes).names.slice(3), [
      "custom/Z",
      "custom/a%20b%3F",
      "custom/a%2Fb",
      "custom/b",
      "custom/%EF%BF%BD",
      "custom/%F0%9F%98%80",
    ]);
  });

  it("collectBundle() reads custom sources: strings as UTF-8, bytes, promises and streams", async () => {
    let seenSignal: AbortSignal | undefined;
    const { bytes } = await collectBundle(testAdapter(), {
      custom: {
        text: (signal) => {
          seenSignal = signal;
          return "héllo";
        },
        bytes: () => new Uint8Array([1, 2, 3]),
        later: async () => "later",
        stream: new ReadableStream<Uint8Array>({
          start(c) {
            c.enqueue(enc.encode("chunk1,"));
            c.enqueue(enc.encode("chunk2"));
            c.close();
          },
        }),
      },
    });
    const bundle = readBundle(bytes);
    assert.equal(text(bundle, "custom/text"), "héllo");
    assert.deepEqual([...bundle.entries.get("custom/bytes")!], [1, 2, 3]);
    assert.equal(text(bundle, "custom/later"), "later");
    assert.equal(text(bundle, "custom/stream"), "chunk1,chunk2");
    assert.ok(seenSignal instanceof AbortSignal);
  });

  it("collectBundle() keeps the bundle when a profile source fails, recording the error in meta.errors", async () => {
    const { meta, bytes } = await collectBundle(
      testAdapter({
        heap: () => Promise.reject(new Error("heap profiler crashed")),
        pointInTime: () => [{ name: "allocs", capture: () => Promise.reject(new TypeError("no allocs")) }],
      }),
      {
        custom: {
          bad: () => {
            throw new RangeError("custom broke");
          },
          wrong: () => 42 as unknown as string,
          good: () => "fine",
        },
        cpuProfileDuration: 1,
      },
    );
    const bundle = readBundle(bytes);
    assert.deepEqual(bundle.names, ["meta", "expvar", "custom/good", "pprof/profile"]);
    assert.deepEqual(meta.errors, {
      "pprof/heap": "Error: heap profiler crashed",
      "pprof/allocs": "TypeError: no allocs",
      "custom/bad": "RangeError: custom broke",
      "custom/wrong": "TypeError: Custom source returned number: expected a string or a Uint8Array",
    });
    assert.deepEqual(bundle.meta.errors, meta.errors);
  });

  it("collectBundle() records a heap profile the adapter skipped on purpose in meta.skipped, not meta.errors", async () => {
    const { meta, bytes } = await collectBundle(
      testAdapter({ heap: () => Promise.reject(new PartSkippedError("heap profile deferred: due in 40 s")) }),
    );
    assert.ok(!readBundle(bytes).names.includes("pprof/heap"));
    assert.deepEqual(meta.skipped, { heap: "heap profile deferred: due in 40 s" });
    assert.equal(meta.errors, undefined);
  });

  it("collectBundle() with forceHeap asks the adapter for a heap profile it may not defer", async () => {
    const asked: Array<HeapCaptureOptions | undefined> = [];
    const adapter = testAdapter({
      heap: (_signal: AbortSignal, options?: HeapCaptureOptions) => {
        asked.push(options);
        return options?.force ? Promise.resolve(new TextEncoder().encode("HEAP")) : Promise.reject(new PartSkippedError("deferred"));
      },
    });
    const deferred = await collectBundle(adapter);
    assert.deepEqual(deferred.meta.skipped, { heap: "deferred" });
    const forced = await collectBundle(adapter, { forceHeap: true });
    assert.equal(forced.meta.skipped, undefined);
    assert.ok(readBundle(forced.bytes).names.includes("pprof/heap"));
    assert.deepEqual(asked, [undefined, { force: true }]);
    await assert.rejects(collectBundle(adapter, { forceHeap: "yes" } as never), /Invalid option "forceHeap": expected true or false: got string/);
  });

  it("collectBundle() recognises a skip from another copy of autoprof by its code", async () => {
    const foreign = Object.assign(new Error("deferred elsewhere"), { code: "ERR_AUTOPROF_SKIPPED" });
    const { meta } = await collectBundle(testAdapter({ heap: () => Promise.reject(foreign) }));
    assert.deepEqual(meta.skipped, { heap: "deferred elsewhere" });
    assert.equal(meta.errors, undefined);
  });

  it("collectBundle() leaves out parts the runtime cannot capture and says why in meta.skipped", async () => {
    const adapter = testAdapter({
      capabilities: () => ({ trace: { ok: false, reason: "no tracer on this runtime" } }),
      heap: undefined,
      cpu: async () => ({ ok: false, skipped: "another CPU profile is running" }),
    });
    const { meta, bytes } = await collectBundle(adapter, { cpuProfileDuration: 1000, traceDuration: 1000 });
    assert.deepEqual(readBundle(bytes).names, ["meta", "expvar", "pprof/allocs", "pprof/a%2Fb%20c"]);
    assert.deepEqual(meta.skipped, {
      heap: "the runtime adapter has no heap profiler",
      cpu: "another CPU profile is running",
      trace: "no tracer on this runtime",
      profile_during_trace: "no tracer on this runtime",
    });
    assert.ok(!adapter.calls.some((c) => c.startsWith("trace")), "an unsupported part is not attempted");
  });

  it("collectBundle() skips only the CPU profile during the trace when the runtime records none", async () => {
    const { meta, bytes } = await collectBundle(
      testAdapter({ trace: async () => ({ ok: true, data: enc.encode("T") }) }),
      { cpuProfileDuration: 5, traceDuration: 5 },
    );
    assert.deepEqual(readBundle(bytes).names.slice(-2), ["pprof/profile", "pprof/trace"]);
    assert.deepEqual(meta.skipped, { profile_during_trace: "the runtime recorded no CPU profile during the trace" });
  });

  it("collectBundle() passes on the adapter's reason for a missing CPU profile during the trace", async () => {
    const { meta } = await collectBundle(
      testAdapter({
        trace: () => Promise.resolve({ ok: true, data: enc.encode("T"), profileDuringTraceSkipped: "CPU profiler busy" }),
      }),
      { cpuProfileDuration: 5, traceDuration: 5 },
    );
    assert.deepEqual(meta.skipped, { profile_during_trace: "CPU profiler busy" });
  });

  it("collectBundle() asks for a trace without CPU samples when no CPU profile is requested", async () => {
    const adapter = testAdapter();
    const { bytes } = await collectBundle(adapter, { traceDuration: 5 });
    assert.deepEqual(readBundle(bytes).names.slice(-1), ["pprof/trace"]);
    assert.deepEqual(adapter.calls.slice(-1), ["trace 5 0 false"]);
  });

  it("collectBundle() records a busy tracer as skipped for the trace and its CPU profile", async () => {
    const { meta } = await collectBundle(
      testAdapter({ trace: async () => ({ ok: false, skipped: "a trace is already running" }) }),
      { cpuProfileDuration: 5, traceDuration: 5 },
    );
    assert.deepEqual(meta.skipped, {
      trace: "a trace is already running",
      profile_during_trace: "a trace is already running",
    });
  });

  it("collectBundle() ends a timed capture at its duration through the adapter's signal", async () => {
    let reason: unknown;
    const { bytes } = await collectBundle(
      testAdapter({
        cpu: (o) =>
          new Promise((resolve) => {
            o.signal.addEventListener("abort", () => {
              reason = o.signal.reason;
              resolve({ ok: true, data: enc.encode("until the deadline") });
            });
          }),
      }),
      { cpuProfileDuration: 5 },
    );
    assert.equal((reason as DOMException).name, "TimeoutError");
    assert.equal(text(readBundle(bytes), "pprof/profile"), "until the deadline");
  });

  it("collectBundle() aborted during the CPU profile still returns a valid bundle with what was captured", async () => {
    const controller = new AbortController();
    let cpuStarted!: () => void;
    const started = new Promise<void>((r) => (cpuStarted = r));
    let cpuReason: unknown;
    const adapter = testAdapter({
      cpu: (o) =>
        new Promise((resolve) => {
          cpuStarted();
          o.signal.addEventListener("abort", () => {
            cpuReason = o.signal.reason;
            resolve({ ok: true, data: enc.encode("partial CPU") });
          });
        }),
    });
    const pending = collectBundle(adapter, { cpuProfileDuration: 600_000, traceDuration: 600_000, signal: controller.signal });
    await started;
    const reason = new DOMException("shutting down", "AbortError");
    controller.abort(reason);
    const { meta, bytes } = await pending;
    assert.equal(cpuReason, reason);
    const bundle = readBundle(bytes);
    assert.deepEqual(bundle.names, ["meta", "expvar", "pprof/heap", "pprof/allocs", "pprof/a%2Fb%20c", "pprof/profile"]);
    assert.equal(text(bundle, "pprof/profile"), "partial CPU");
    assert.match(meta.skipped!.trace!, /^aborted before the trace started: AbortError: shutting down$/);
    assert.equal(meta.skipped!.profile_during_trace, meta.skipped!.trace);
    assert.ok(!adapter.calls.some((c) => c.startsWith("trace")));
  });

  it("collectBundle() rejects with the signal's reason if aborted before anything is captured", async () => {
    const reason = new DOMException("not now", "AbortError");
    const adapter = testAdapter();
    await assert.rejects(collectBundle(adapter, { signal: AbortSignal.abort(reason) }), (e) => e === reason);
    assert.deepEqual(adapter.calls, []);
    const free = tryAcquireCapture();
    assert.ok(free, "the lock was not left taken");
    free();
  });

  it("collectBundle() waits for the capture lock by default and can give up through its signal", async () => {
    const release = tryAcquireCapture();
    assert.ok(release);
    let done = false;
    const waiting = collectBundle(testAdapter()).then((b) => {
      done = true;
      return b;
    });
    const controller = new AbortController();
    const givingUp = collectBundle(testAdapter(), { signal: controller.signal });
    await new Promise((r) => setTimeout(r, 0));
    assert.equal(done, false, "waits while another capture runs");
    const reason = new Error("waited long enough");
    controller.abort(reason);
    await assert.rejects(givingUp, (e) => e === reason);
    release();
    const { bytes } = await waiting;
    assert.equal(readBundle(bytes).names[0], "meta");
  });

  it("collectBundle() with ifBusy: \"reject\" fails fast with CaptureBusyError while another capture runs", async () => {
    const release = tryAcquireCapture();
    assert.ok(release);
    try {
      await assert.rejects(collectBundle(testAdapter(), { ifBusy: "reject" }), (e: unknown) => {
        assert.ok(e instanceof CaptureBusyError);
        assert.equal(e.code, "ERR_AUTOPROF_BUSY");
        assert.equal(e.name, "CaptureBusyError");
        return true;
      });
    } finally {
      release();
    }
    const { bytes } = await collectBundle(testAdapter(), { ifBusy: "reject" });
    assert.ok(bytes.length > 0);
  });

  it("collectBundle() releases the lock when a required step fails", async () => {
    const broken = testAdapter({
      processInfo: () => {
        throw new Error("adapter bug");
      },
    });
    await assert.rejects(collectBundle(broken), /adapter bug/);
    const free = tryAcquireCapture();
    assert.ok(free);
    free();
  });

  it("collectBundle() rejects invalid options before starting", async () => {
    const adapter = testAdapter();
    const bad: Array<[unknown, new (...a: never[]) => Error, RegExp]> = [
      [{ cpuProfileDuration: -1 }, RangeError, /cpuProfileDuration.*-1/],
      [{ cpuProfileDuration: NaN }, RangeError, /NaN/],
      [{ traceDuration: Infinity }, RangeError, /traceDuration/],
      [{ traceDuration: "5s" }, TypeError, /traceDuration.*string/],
      [{ cpuProfileByteTarget: -5 }, RangeError, /cpuProfileByteTarget/],
      [{ traceByteTarget: 1n }, TypeError, /traceByteTarget/],
      [{ custom: { x: 42 } }, TypeError, /custom source "x".*number/],
      [{ custom: [] }, TypeError, /"custom"/],
      [{ custom: { "": () => "" } }, TypeError, /must not be empty/],
      [{ custom: { "..": () => "" } }, TypeError, /"\.\."/],
      [{ custom: { "a\ud800": () => "" } }, TypeError, /lone surrogate/],
      [{ signal: {} }, TypeError, /"signal"/],
      [{ ifBusy: "later" }, TypeError, /ifBusy/],
      [{ meta: { main: 1 } }, TypeError, /"main"/],
      [42, TypeError, /options/],
    ];
    for (const [i, [options, type, message]] of bad.entries()) {
      await assert.rejects(collectBundle(adapter, options as never), (e: unknown) => {
        assert.ok(e instanceof type, `case ${i}: got ${String(e)}`);
        assert.match((e as Error).message, message);
        return true;
      });
    }
    assert.deepEqual(adapter.calls, []);
  });

  it("collectBundle() fills expvar with published vars, runtime stats and autoprof counters", async () => {
    publish("test.collect.queue", () => ({ depth: 3 }));
    addCounter("autoprof.test.collect", 1);
    try {
      const { bytes } = await collectBundle(testAdapter());
      const expvar = JSON.parse(text(readBundle(bytes), "expvar")!);
      assert.deepEqual(expvar["test.collect.queue"], { depth: 3 });
      assert.deepEqual(expvar.runtime, { rss: 1234 });
      assert.ok(expvar.autoprof["autoprof.test.collect"] >= 1);
    } finally {
      unpublish("test.collect.queue");
    }
  });

  it("collectBundle() reports adapter point-in-time names that cannot be entries", async () => {
    const { meta, bytes } = await collectBundle(
      testAdapter({
        pointInTime: () => [
          { name: "heap", capture: async () => enc.encode("dup heap") },
          { name: "goroutine", capture: async () => enc.encode("G") },
          { name: "goroutine", capture: async () => enc.encode("G2") },
        ],
      }),
    );
    assert.deepEqual(readBundle(bytes).names, ["meta", "expvar", "pprof/heap", "pprof/goroutine"]);
    assert.match(meta.errors!.point_in_time, /goroutine/);
  });
});
