/**
 * A timed trace through the inspector's `NodeTracing` domain, stored as a
 * gzipped Chrome trace (`{"traceEvents":[...]}`, what `chrome://tracing`,
 * Perfetto and speedscope open) for `pprof/trace`.
 *
 * ## How Node delivers trace data (measured, Node 20–26)
 *
 * All tracers of a process (inspector sessions, `trace_events.createTracing`,
 * `--trace-events-enabled`) share one agent: every tracer receives the
 * events of the union of everyone's categories, and each change of a
 * tracer's categories stops and restarts V8 tracing (which also restarts
 * a CPU profile streamed into a trace). So a trace is only taken when no
 * other tracer is active (`trace_events.getEnabledCategories()` is empty);
 * otherwise it is skipped, leaving the running one untouched.
 *
 * `NodeTracing.dataCollected` arrives in chunks: once right after start
 * (metadata), then each time the agent's buffer fills (65 536 events,
 * about 10–20 MB of JSON), and at stop. So the byte target is checked per
 * chunk as it arrives: the trace stops as soon as the JSON collected
 * reaches the target, and may exceed it by up to one buffer, which
 * arrives with the stop.
 *
 * The events are re-serialized in slices between event-loop turns and
 * gzipped by a streaming `CompressionStream` (native, off the JS thread),
 * so a large trace never blocks the loop for long. Only the CPU profile
 * events are kept as objects, to build `pprof/profile-during-trace`.
 *
 * ## CPU samples in the trace
 *
 * With `withCpuProfile`, the category `disabled-by-default-v8.cpu_profiler`
 * makes V8 run its CPU profiler inside the trace (at V8's own default
 * interval, 1 ms, which cannot be set per trace) and stream it as
 * `Profile`/`ProfileChunk` events; they become `profileDuringTrace`.
 *
 * @module
 */
import { setImmediate as yieldToLoop } from "node:timers/promises";
import type { ChromeTraceEvent } from "../../src/pprof/cdp_types.ts";
import { cpuProfileToPprof } from "../../src/pprof/from_cpu_profile.ts";
import { cpuProfileFromTraceEvents } from "../../src/pprof/from_trace_events.ts";
import { encodeProfile } from "../../src/pprof/encode.ts";
import { gzip } from "../../src/gzip.ts";
import type { TraceCapture, TraceCaptureOptions } from "../../src/types.ts";
import { type BusyFacts, CPU_PROFILER_TRACE_CATEGORY, cpuBusyReason, traceBusyReason } from "../_inspector/busy.ts";
import { epochNanosNow } from "../_inspector/cpu_capture.ts";
import { claim } from "../_inspector/registry.ts";
import { type InspectorLoader, InspectorSession } from "../_inspector/session.ts";
import { sleep } from "../_inspector/sleep.ts";

/**
 * Trace categories recorded by default: V8 (GC, compilation), Node's
 * bootstrap and environment, async resources (what runs after what, the
 * closest thing to Go's goroutine events; it installs an async hook for
 * the trace's length), user timing marks, and native I/O.
 */
export const DEFAULT_TRACE_CATEGORIES: readonly string[] = Object.freeze([
  "v8",
  "node",
  "node.async_hooks",
  "node.perf",
  "node.promises.rejections",
  "node.net.native",
  "node.dns.native",
  "node.fs.async",
  "node.threadpoolwork.async",
]);

/** Events serialized per slice before yielding to the event loop. */
const EVENTS_PER_SLICE = 2_000;

/** Longest wait for `NodeTracing.tracingComplete` after stopping, in ms. */
const COMPLETE_TIMEOUT_MS = 10_000;

/** Options for {@linkcode captureNodeTrace}. */
export interface NodeTraceOptions extends TraceCaptureOptions {
  /**
   * Categories to record (the CPU profiler category is added when
   * `withCpuProfile` is set).
   * @default {DEFAULT_TRACE_CATEGORIES}
   */
  categories?: readonly string[];
  /** Process facts for the busy checks. */
  busy?: BusyFacts;
  /** Loads `node:inspector`; for tests. */
  load?: InspectorLoader;
}

/**
 * Runs a trace for `durationMs` (or until `signal` aborts, or the JSON
 * reaches `byteTarget`) and returns it gzipped, with the CPU profile
 * recorded alongside when asked; or says why it was skipped.
 *
 * @param options duration, byte target, CPU samples, signal, categories.
 * @returns the gzipped trace (and CPU profile), or the skip reason.
 * @throws {RangeError} (as a rejection) if `durationMs` is not > 0.
 *
 * @example
 * ```ts ignore
 * import { captureNodeTrace } from "./trace.ts";
 * const result = await captureNodeTrace({
 *   durationMs: 1000, byteTarget: 0, withCpuProfile: true, signal: new AbortController().signal,
 * });
 * if (result.ok) console.log(result.data.length, result.profileDuringTrace?.length);
 * ```
 */
export async function captureNodeTrace(options: NodeTraceOptions): Promise<TraceCapture> {
  const { durationMs, byteTarget, signal } = options;
  if (!(durationMs > 0)) {
    throw new RangeError(`Cannot start trace: duration must be > 0: got ${durationMs}`);
  }
  const busy = traceBusyReason(options.busy);
  if (busy !== undefined) return { ok: false, skipped: busy };
  const releaseTrace = claim("trace", "an autoprof trace");
  if (typeof releaseTrace === "string") return { ok: false, skipped: releaseTrace };

  let releaseCpu: (() => void) | undefined;
  let cpuSkipped: string | undefined;
  if (options.withCpuProfile) {
    const cpuBusy = cpuBusyReason(options.busy);
    const claimed = cpuBusy === undefined ? claim("cpu", "an autoprof trace's CPU profile") : cpuBusy;
    if (typeof claimed === "string") cpuSkipped = claimed;
    else releaseCpu = claimed;
  }
  try {
    const opened = await InspectorSession.open({ load: options.load });
    if (!opened.ok) return { ok: false, skipped: opened.reason };
    const session = opened.session;
    try {
      const categories = [...(options.categories ?? DEFAULT_TRACE_CATEGORIES)];
      if (releaseCpu !== undefined && !categories.includes(CPU_PROFILER_TRACE_CATEGORY)) {
        categories.push(CPU_PROFILER_TRACE_CATEGORY);
      }
      const result = await record(session, { durationMs, byteTarget, signal, categories });
      if (result === undefined) {
        return { ok: false, skipped: "NodeTracing is not available in this runtime" };
      }
      const capture: TraceCapture & { ok: true } = { ok: true, data: result.data };
      if (options.withCpuProfile) {
        if (cpuSkipped !== undefined) {
          capture.profileDuringTraceSkipped = cpuSkipped;
        } else {
          const profile = cpuProfileFromTraceEvents(result.profileEvents);
          if (profile === undefined) {
            capture.profileDuringTraceSkipped = "the trace holds no CPU profile events";
          } else {
            const pprof = cpuProfileToPprof(profile, { startTimeEpochNanos: result.startTimeEpochNanos });
            capture.profileDuringTrace = await gzip(encodeProfile(pprof));
          }
        }
      }
      return capture;
    } finally {
      session.disconnect();
    }
  } finally {
    releaseCpu?.();
    releaseTrace();
  }
}

interface Recorded {
  data: Uint8Array;
  profileEvents: ChromeTraceEvent[];
  startTimeEpochNanos: bigint;
}

/**
 * Starts tracing, waits, stops, and streams everything into gzip.
 * Returns `undefined` if the runtime has no `NodeTracing` domain.
 */
async function record(
  session: InspectorSession,
  options: { durationMs: number; byteTarget: number; signal: AbortSignal; categories: string[] },
): Promise<Recorded | undefined> {
  const output = new TraceWriter();
  const profileEvents: ChromeTraceEvent[] = [];
  const stopEarly = new AbortController();
  const onAbort = (): void => stopEarly.abort();
  options.signal.addEventListener("abort", onAbort, { once: true });
  if (options.signal.aborted) stopEarly.abort();

  let complete!: () => void;
  const completed = new Promise<void>((resolve) => (complete = resolve));
  // Chunks are written in arrival order, one after the other.
  let writing: Promise<void> = Promise.resolve();
  const offData = session.on("NodeTracing.dataCollected", (params) => {
    const events = (params as { value?: unknown } | undefined)?.value;
    if (!Array.isArray(events)) return;
    for (const e of events as ChromeTraceEvent[]) {
      if (e !== null && typeof e === "object" && (e.name === "Profile" || e.name === "ProfileChunk")) {
        profileEvents.push(e);
      }
    }
    writing = writing.then(async () => {
      await output.write(events);
      if (options.byteTarget > 0 && output.jsonBytes >= options.byteTarget) stopEarly.abort();
    });
  });
  const offComplete = session.on("NodeTracing.tracingComplete", () => complete());

  try {
    const startTimeEpochNanos = epochNanosNow();
    try {
      await session.post("NodeTracing.start", { traceConfig: { includedCategories: options.categories } });
    } catch (error) {
      if (/wasn't found|not found/i.test(error instanceof Error ? error.message : String(error))) {
        await output.abort();
        return undefined;
      }
      throw error;
    }
    await sleep(options.durationMs, stopEarly.signal);
    await session.post("NodeTracing.stop");
    await Promise.race([completed, sleep(COMPLETE_TIMEOUT_MS)]);
    await writing;
    return { data: await output.finish(), profileEvents, startTimeEpochNanos };
  } catch (error) {
    await output.abort();
    throw error;
  } finally {
    options.signal.removeEventListener("abort", onAbort);
    offData();
    offComplete();
  }
}

/**
 * Writes `{"traceEvents":[...]}` into a gzip stream, a slice of events at
 * a time, and counts the JSON bytes.
 */
class TraceWriter {
  #encoder = new TextEncoder();
  #stream = new CompressionStream("gzip");
  #writer = this.#stream.writable.getWriter();
  #chunks: Uint8Array[] = [];
  #reading: Promise<void>;
  #first = true;
  #bytes = 0;

  constructor() {
    const reader = this.#stream.readable.getReader();
    // Read concurrently with writing, or the stream's queue fills and
    // writes stall.
    this.#reading = (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        this.#chunks.push(value);
      }
    })();
    this.#reading.catch(() => {});
    this.#put('{"traceEvents":[').catch(() => {});
  }

  /** JSON bytes written so far. */
  get jsonBytes(): number {
    return this.#bytes;
  }

  async write(events: readonly unknown[]): Promise<void> {
    for (let i = 0; i < events.length; i += EVENTS_PER_SLICE) {
      if (i > 0) await yieldToLoop();
      const parts: string[] = [];
      const end = Math.min(events.length, i + EVENTS_PER_SLICE);
      for (let j = i; j < end; j++) {
        const json = JSON.stringify(events[j]);
        if (json === undefined) continue;
        parts.push(this.#first ? json : "," + json);
        this.#first = false;
      }
      if (parts.length > 0) await this.#put(parts.join(""));
    }
  }

  async finish(): Promise<Uint8Array> {
    await this.#put("]}\n");
    await this.#writer.close();
    await this.#reading;
    let length = 0;
    for (const c of this.#chunks) length += c.length;
    const out = new Uint8Array(length);
    let offset = 0;
    for (const c of this.#chunks) {
      out.set(c, offset);
      offset += c.length;
    }
    return out;
  }

  async abort(): Promise<void> {
    try {
      await this.#writer.abort();
    } catch {
      // Already closed.
    }
  }

  #put(text: string): Promise<void> {
    const bytes = this.#encoder.encode(text);
    this.#bytes += bytes.length;
    return this.#writer.write(bytes);
  }
}
