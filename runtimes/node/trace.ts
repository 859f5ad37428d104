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
 * `NodeTracing.dataCollected` arrives in chunks: each time the agent's
 * buffer fills (65 536 events, about 10–20 MB of JSON) and at stop; never
 * at start, and not on a timer. So the byte target can only be checked
 * when a chunk arrives: its JSON size is estimated from a sample of its
 * events right then, and the trace stops at once if the total reaches the
 * target. A trace whose buffer never fills is never stopped early (it is
 * below 65 536 events), and one that is may exceed the target by what
 * arrives with the stop (less than one buffer).
 *
 * Stopping also has to dodge a data race in Node that can crash the
 * process (see `safeStop`): when buffers fill during the trace, the stop
 * is placed right after a chunk arrives. That is enough at moderate event
 * rates, not at extreme ones (see the `categories` option). The default categories leave out `node.async_hooks`
 * (one event per promise and callback: it fills buffers every second in
 * a busy process, and installs a promise hook that slows every promise);
 * ask for it with the `categories` option.
 *
 * The events are re-serialized in slices between event-loop turns and
 * gzipped by a streaming `CompressionStream` (native, off the JS thread),
 * so a large trace never blocks the loop for long. Only the CPU profile
 * events are kept as objects, to build `pprof/profile-during-trace`.
 *
 * ## CPU samples in the trace
 *
 * With `withCpuProfile`, the category `disabled-by-default-v8.cpu_profiler`
 * makes V8 run its CPU profiler inside the trace (at V8's own interval,
 * which cannot be set per trace: measured 0.18–0.2 ms on Node 20–26) and
 * stream it as
 * `Profile`/`ProfileChunk` events; they become `profileDuringTrace`.
 *
 * @module
 */
import { setImmediate as yieldToLoop } from "node:timers/promises";
import type { ChromeTraceEvent } from "../../src/pprof/cdp_types.ts";
import { cpuProfileToPprofBytes } from "../../src/pprof/from_cpu_profile.ts";
import { cpuProfileFromTraceEvents } from "../../src/pprof/from_trace_events.ts";
import { gzip } from "../../src/gzip.ts";
import type { TraceCapture, TraceCaptureOptions } from "../../src/types.ts";
import { type BusyFacts, CPU_PROFILER_TRACE_CATEGORY, cpuBusyReason, traceBusyReason } from "../_inspector/busy.ts";
import { epochNanosNow } from "../_inspector/cpu_capture.ts";
import { claim } from "../_inspector/registry.ts";
import { type InspectorLoader, InspectorSession } from "../_inspector/session.ts";
import { sleep } from "../_inspector/sleep.ts";

/**
 * Trace categories recorded by default: V8 (GC, compilation), Node's
 * bootstrap and environment, user timing marks, promise rejections, and
 * native I/O (sockets, DNS, async fs, threadpool work). `node.async_hooks`
 * is left out on purpose (volume and cost; see the module doc).
 */
export const DEFAULT_TRACE_CATEGORIES: readonly string[] = Object.freeze([
  "v8",
  "node",
  "node.perf",
  "node.promises.rejections",
  "node.net.native",
  "node.dns.native",
  "node.fs.async",
  "node.threadpoolwork.async",
]);

/** Events serialized per slice before yielding to the event loop. */
const EVENTS_PER_SLICE = 2_000;

/** Events serialized to estimate a chunk's JSON size. */
const ESTIMATE_SAMPLE = 256;

/** Longest wait past the duration for a safe moment to stop, in ms. */
const MAX_STOP_WAIT_MS = 5_000;

/** Longest wait for `NodeTracing.tracingComplete` after stopping, in ms. */
const COMPLETE_TIMEOUT_MS = 10_000;

/** Options for {@linkcode captureNodeTrace}. */
export interface NodeTraceOptions extends TraceCaptureOptions {
  /**
   * Categories to record (the CPU profiler category is added when
   * `withCpuProfile` is set).
   *
   * Beware of categories that produce tens of thousands of events per
   * second (`node.async_hooks` in promise-heavy code): at such rates
   * Node's tracing thread is still flushing one buffer when the stop
   * flushes the other, and Node's inspector trace writer, which has no
   * lock, can then send a corrupt message (an uncaught exception) or
   * crash the process (reproduced on Node 20 at about 130 000 events/s).
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
            const pprof = cpuProfileToPprofBytes(profile, { startTimeEpochNanos: result.startTimeEpochNanos });
            capture.profileDuringTrace = await gzip(pprof);
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
  const stopNow = new AbortController();
  const onAbort = (): void => stopNow.abort();
  options.signal.addEventListener("abort", onAbort, { once: true });
  if (options.signal.aborted) stopNow.abort();

  let complete!: () => void;
  const completed = new Promise<void>((resolve) => (complete = resolve));
  let stopping = false;
  // Arrival times of the chunks Node flushed while tracing (buffer full).
  const chunkTimes: number[] = [];
  // Resolved by the next chunk: the safe moment to stop (see `safeStop`).
  let onChunk: (() => void) | undefined;
  // JSON bytes of chunks not yet serialized, estimated when they arrive.
  let pendingEstimate = 0;
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
    const estimate = estimateJsonBytes(events);
    pendingEstimate += estimate;
    if (!stopping) {
      chunkTimes.push(performance.now());
      // Decide now, before the slow serialization: stopping right after a
      // flush is what keeps clear of Node's flush race.
      if (options.byteTarget > 0 && output.jsonBytes + pendingEstimate >= options.byteTarget) stopNow.abort();
      onChunk?.();
    }
    writing = writing.then(async () => {
      await output.write(events);
      pendingEstimate -= estimate;
    });
  });
  const offComplete = session.on("NodeTracing.tracingComplete", () => complete());

  try {
    const startTimeEpochNanos = epochNanosNow();
    const startedAt = performance.now();
    try {
      await session.post("NodeTracing.start", { traceConfig: { includedCategories: options.categories } });
    } catch (error) {
      if (/wasn't found|not found/i.test(error instanceof Error ? error.message : String(error))) {
        await output.abort();
        return undefined;
      }
      throw error;
    }
    if (await sleep(options.durationMs, stopNow.signal) === "elapsed") {
      await safeStop(chunkTimes, startedAt, stopNow.signal, (resolve) => (onChunk = resolve));
    }
    stopping = true;
    await session.post("NodeTracing.stop");
    // The timeout's timer must not outlive a trace that completed in time.
    const giveUp = new AbortController();
    await Promise.race([completed, sleep(COMPLETE_TIMEOUT_MS, giveUp.signal)]);
    giveUp.abort();
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
 * Picks the moment to stop at the end of the duration.
 *
 * Node (20–26) has a data race: `NodeTracing.stop` flushes the trace
 * buffers on the main thread while Node's tracing thread may be flushing
 * a full buffer, and both write into the session's unsynchronized message
 * buffer. If they overlap, a `dataCollected` message comes out as invalid
 * JSON, and `node:inspector` throws it as an uncaught exception: the
 * process dies. (Reproduced with `node.async_hooks` and a tight promise
 * loop, which fills a buffer every half second.) The tracing thread only
 * works while a full buffer is being flushed, and that flush ends with the
 * chunk it delivers; so when chunks have been arriving, wait for the next
 * one (at most two chunk intervals, capped) and stop right after it. A
 * trace that never filled a buffer is far from the next fill: stop now.
 */
async function safeStop(
  chunkTimes: readonly number[],
  startedAt: number,
  signal: AbortSignal,
  listen: (resolve: () => void) => void,
): Promise<void> {
  if (chunkTimes.length === 0) return;
  const last = chunkTimes[chunkTimes.length - 1];
  const first = chunkTimes.length > 1 ? chunkTimes[0] : startedAt;
  const interval = (last - first) / Math.max(1, chunkTimes.length - 1);
  const next = new Promise<void>((resolve) => listen(resolve));
  await Promise.race([next, sleep(Math.min(2 * interval, MAX_STOP_WAIT_MS), signal)]);
}

/**
 * Estimated JSON size of a chunk of events, from a sample of them: the
 * byte target is checked as a chunk arrives, before it is serialized.
 */
function estimateJsonBytes(events: readonly unknown[]): number {
  if (events.length === 0) return 0;
  const step = Math.max(1, Math.floor(events.length / ESTIMATE_SAMPLE));
  let bytes = 0;
  let sampled = 0;
  for (let i = 0; i < events.length; i += step) {
    bytes += (JSON.stringify(events[i]) ?? "").length + 1;
    sampled++;
  }
  return Math.round((bytes / sampled) * events.length);
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
