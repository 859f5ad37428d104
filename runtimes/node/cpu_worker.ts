/**
 * Worker-thread side of the Node adapter's off-main-thread CPU profile
 * (see `./cpu_offload.ts`): opens an inspector session to the main
 * thread (`Session.connectToMainThread()`), records the profile there, and
 * posts back gzipped pprof. The profile's JSON is parsed, converted and
 * compressed in this worker; the main thread only runs V8's own start and
 * stop of its profiler. The converter (protobuf-es and friends) is loaded
 * only once the profiler runs, so loading it does not shorten the profile.
 *
 * Messages in: `{ type: "abort" }`. Messages out, in order:
 * `{ type: "started" }` once the profiler runs, then one of
 * `{ type: "result", result }` (a `TimedCapture`),
 * `{ type: "unavailable", reason }` (nothing was started), or
 * `{ type: "error", message }`.
 *
 * @module
 */
import { parentPort, workerData } from "node:worker_threads";
import type { CdpCpuProfile } from "../../src/pprof/cdp_types.ts";
import { type CpuPprofEncodeOptions, recordCpuProfile } from "../_inspector/cpu_record.ts";
import { InspectorSession } from "../_inspector/session.ts";

/** What the main thread passes as `workerData`. */
export interface CpuWorkerTask {
  /** How long to profile, ms. */
  durationMs: number;
  /** Soft size cap in bytes (0: none). */
  byteTarget: number;
  /** Sampling interval, µs. */
  intervalMicros: number;
  /** Collect the main thread's garbage before the profiler starts. */
  collectGarbageFirst?: boolean;
}

async function run(): Promise<void> {
  const port = parentPort;
  if (port === null) throw new Error("cpu_worker.ts runs only as a worker thread");
  const task = workerData as CpuWorkerTask;
  const controller = new AbortController();
  port.on("message", (m: { type?: string }) => {
    if (m?.type === "abort") controller.abort();
  });
  const opened = await InspectorSession.open({ toMainThread: true });
  if (!opened.ok) {
    port.postMessage({ type: "unavailable", reason: opened.reason });
    return;
  }
  let converter: Promise<typeof import("../_inspector/cpu_encode.ts")> | undefined;
  const encode = async (profile: CdpCpuProfile, options: CpuPprofEncodeOptions): Promise<Uint8Array> => {
    converter ??= import("../_inspector/cpu_encode.ts");
    return (await converter).encodeCpuProfile(profile, options);
  };
  try {
    const recorded = await recordCpuProfile(opened.session, {
      ...task,
      signal: controller.signal,
      encode,
      onStarted: () => {
        port.postMessage({ type: "started" });
        converter ??= import("../_inspector/cpu_encode.ts");
      },
    });
    const result = recorded.ok ? recorded : { ok: false, skipped: recorded.skipped };
    port.postMessage({ type: "result", result });
  } catch (error) {
    port.postMessage({ type: "error", message: error instanceof Error ? error.message : String(error) });
  } finally {
    opened.session.disconnect();
    port.close();
  }
}

await run();
