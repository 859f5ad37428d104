/**
 * The Node runtime adapter: everything autoprof captures on Node, through
 * `node:inspector` (CPU profile, heap sampler, trace), `node:perf_hooks`,
 * `node:v8` and `process`.
 *
 * Creating the adapter starts the isolate's sampling heap profiler (once
 * per isolate, left running: the in-use heap profile only knows objects
 * allocated while it runs) and the GC observer.
 *
 * @module
 */
import process from "node:process";
import type { Capabilities, Capability, PointInTimeProfile, RuntimeAdapter } from "../../src/types.ts";
import { DEFAULT_CPU_SAMPLING_INTERVAL_MICROS } from "../_inspector/cpu_capture.ts";
import { HeapSampler, sharedHeapSampler } from "../_inspector/heap_sampler.ts";
import { type InspectorLoader, InspectorSession } from "../_inspector/session.ts";
import { nodeBusyFacts } from "./facts.ts";
import { loadNativeHeapStarter } from "./native_heap.ts";
import { CPU_OFFLOAD_MIN_SAMPLES, nodeCpuProfile } from "./cpu.ts";
import { allocsProfile, nodeHeapProfile } from "./heap.ts";
import { nodeProcessInfo } from "./process_info.ts";
import { resourcesProfile } from "./resources.ts";
import { NodeStats } from "./stats.ts";
import { captureNodeTrace, DEFAULT_TRACE_CATEGORIES } from "./trace.ts";

/** Options for {@linkcode createNodeAdapter}. */
export interface NodeAdapterOptions {
  /**
   * Mean bytes between heap samples. Only the first adapter of an isolate
   * sets it: the sampler is shared.
   * @default {524288}
   */
  heapSamplingIntervalBytes?: number;
  /**
   * Where heap profiles come from. `"auto"`: when `@datadog/pprof` is
   * installed, its addon starts V8's sampler without the inspector's
   * forced GC on each read (see `./native_heap.ts`), else the inspector
   * starts it. `"inspector"`: always the inspector (every heap profile
   * forces a full GC; rationed to 0.5 % of run time).
   * @default {"inspector" when AUTOPROF_HEAP_SOURCE=inspector, else "auto"}
   */
  heapSource?: "auto" | "inspector";
  /**
   * CPU sampling interval in microseconds (10 000 = Go's 100 Hz).
   * @default {10_000}
   */
  cpuSamplingIntervalMicros?: number;
  /**
   * Record CPU profiles in a worker thread with its own inspector session
   * to the main thread: the profile's JSON, its conversion and gzip then
   * stay off the main event loop (only V8's start and stop run there).
   * Falls back to the main thread when no worker can start. In the main
   * thread, no worker isolate is started (about 10 MiB less peak RSS
   * during a bundle), and the profile is parsed, converted and compressed
   * in separate event-loop turns. `"auto"`: a worker only for profiles of
   * 5 000 samples or more (50 s at 10 ms), whose JSON is big enough for
   * parsing it to stall the loop (see `CPU_OFFLOAD_MIN_SAMPLES` in
   * `./cpu.ts`).
   * @default {false when AUTOPROF_CPU_OFFLOAD=0, true when 1, else "auto"}
   */
  cpuOffload?: boolean | "auto";
  /**
   * Trace categories (see the warning on `NodeTraceOptions.categories`).
   * @default {DEFAULT_TRACE_CATEGORIES}
   */
  traceCategories?: readonly string[];
  /**
   * Loads `node:inspector`; for tests that simulate a Node without it.
   * With a loader, the adapter also gets a heap sampler of its own instead
   * of the process-wide one.
   */
  load?: InspectorLoader;
}

/**
 * Creates the Node adapter. Never throws: parts this process cannot
 * capture (Node built without the inspector, say) are reported by
 * `capabilities()`.
 *
 * @param options sampling intervals and trace categories.
 * @returns the adapter.
 *
 * @example
 * ```ts ignore
 * import { createNodeAdapter } from "./adapter.ts";
 * const adapter = await createNodeAdapter();
 * console.log(adapter.capabilities());
 * ```
 */
export async function createNodeAdapter(options: NodeAdapterOptions = {}): Promise<RuntimeAdapter> {
  const cpuInterval = options.cpuSamplingIntervalMicros ?? DEFAULT_CPU_SAMPLING_INTERVAL_MICROS;
  const categories = options.traceCategories ?? DEFAULT_TRACE_CATEGORIES;
  const load = options.load;
  const inspector = await probeInspector(load);
  const heapSource = options.heapSource ?? (process.env.AUTOPROF_HEAP_SOURCE === "inspector" ? "inspector" : "auto");
  // The addon only matters for a sampler this adapter starts; tests with a
  // loader get the inspector's.
  const native = heapSource === "auto" && load === undefined
    ? loadNativeHeapStarter()
    : { ok: false as const, reason: heapSource === "inspector" ? "inspector chosen" : "custom inspector loader" };
  const samplerOptions = {
    samplingIntervalBytes: options.heapSamplingIntervalBytes,
    execArgv: process.execArgv,
    load,
    startNative: native.ok ? native.start : undefined,
  };
  const heap = load === undefined ? await sharedHeapSampler(samplerOptions) : await HeapSampler.start(samplerOptions);
  const stats = new NodeStats();

  const offload = load === undefined ? options.cpuOffload ?? offloadFromEnv(process.env.AUTOPROF_CPU_OFFLOAD) : false;
  const cpuCapability: Capability = inspector.ok
    ? {
      ok: true,
      detail: `node:inspector Profiler, sampling every ${cpuInterval / 1000} ms` + offloadDetail(offload, cpuInterval),
    }
    : { ok: false, reason: inspector.reason };
  const traceCapability: Capability = !inspector.ok
    ? { ok: false, reason: inspector.reason }
    : inspector.tracing
    ? { ok: true, detail: `node:inspector NodeTracing, categories ${categories.join(",")}` }
    : { ok: false, reason: "node:inspector has no NodeTracing domain" };
  const heapCapability: Capability = heap.ok
    ? {
      ok: true,
      detail: `V8 sampling heap profiler, ${heap.sampler.detail}` +
        (heap.sampler.forcesGc && !native.ok ? ` (no accelerated source: ${native.reason})` : ""),
    }
    : { ok: false, reason: heap.reason };
  const pointInTime: PointInTimeProfile[] = [];
  if (heap.ok) pointInTime.push(allocsProfile(heap.sampler));
  pointInTime.push(resourcesProfile());
  const capabilities: Capabilities = {
    heap: heapCapability,
    cpu: cpuCapability,
    trace: traceCapability,
    profile_during_trace: traceCapability.ok
      ? { ok: true, detail: "trace category disabled-by-default-v8.cpu_profiler (V8's own interval, about 0.2 ms)" }
      : traceCapability,
    point_in_time: {
      ok: true,
      detail: heap.ok
        ? "allocs (heap sampler bookkeeping), resources (process.getActiveResourcesInfo)"
        : `resources (process.getActiveResourcesInfo); no allocs: ${heap.reason}`,
    },
    expvar: { ok: true, detail: "memory, V8 heap, GC, event loop, resource usage" },
  };

  const adapter: RuntimeAdapter = {
    runtime: "node",
    runtimeVersion: process.version,
    capabilities: () => structuredClone(capabilities),
    processInfo: nodeProcessInfo,
    stats: () => stats.read(),
    pointInTime: () => pointInTime.slice(),
  };
  if (heap.ok) {
    const sampler = heap.sampler;
    adapter.heap = (signal, options) => nodeHeapProfile(sampler, signal, options);
  }
  if (inspector.ok) {
    adapter.cpu = (o) => nodeCpuProfile({ ...o, samplingIntervalMicros: cpuInterval, load, offload });
    if (inspector.tracing) {
      adapter.trace = (o) => captureNodeTrace({ ...o, categories, busy: nodeBusyFacts(), load });
    }
  }
  return adapter;
}

/** `AUTOPROF_CPU_OFFLOAD`: `0` off, `1` always, anything else `"auto"`. */
function offloadFromEnv(value: string | undefined): boolean | "auto" {
  return value === "0" ? false : value === "1" ? true : "auto";
}

/** What the CPU capability says about the worker. */
function offloadDetail(offload: boolean | "auto", intervalMicros: number): string {
  const where = "recorded, converted and compressed in a worker thread (main thread: V8's start and stop only)";
  if (offload === true) return `; ${where}`;
  if (offload === false) return "";
  const seconds = (CPU_OFFLOAD_MIN_SAMPLES * intervalMicros) / 1e6;
  return `; profiles of ${seconds} s or more ${where}`;
}

/** Whether sessions open, and whether `NodeTracing` exists. */
async function probeInspector(
  load: InspectorLoader | undefined,
): Promise<{ ok: true; tracing: boolean } | { ok: false; reason: string }> {
  const opened = await InspectorSession.open({ load });
  if (!opened.ok) return opened;
  try {
    await opened.session.post("NodeTracing.getCategories");
    return { ok: true, tracing: true };
  } catch {
    return { ok: true, tracing: false };
  } finally {
    opened.session.disconnect();
  }
}
