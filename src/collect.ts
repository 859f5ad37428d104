/**
 * Collects one bundle: the order of entries, what happens when a part
 * fails or is unavailable, and how aborting works. Runtime-agnostic: every
 * profile comes from the injected {@linkcode RuntimeAdapter}.
 *
 * Order, as Go autoprof's collector writes it: `meta`, `expvar`,
 * `pprof/heap`, the adapter's other point-in-time profiles (in its order),
 * `custom/<name>` sorted byte-wise by name, then the CPU profile
 * (`pprof/profile`, running for `cpuProfileDuration`), then the trace
 * (`pprof/trace`) and, if a CPU profile was requested too, the CPU profile
 * recorded around the trace (`pprof/profile-during-trace`).
 *
 * Because `meta` comes first but records what was skipped, every part is
 * captured first and the zip is written once at the end (one copy of the
 * data, into the final buffer).
 *
 * Failures:
 * - Required steps (building `meta`, writing the zip) are sticky: the
 *   first failure stops the collection and the promise rejects.
 * - A part the runtime cannot provide, or that is busy (another profiler
 *   is running), is left out and recorded in `meta.skipped` with the
 *   reason: never an empty placeholder.
 * - A part that throws (the heap profiler crashes, a custom source throws)
 *   is left out and its error recorded in `meta.errors` under the entry
 *   name; the rest of the bundle is kept. Go autoprof fails the whole
 *   bundle instead; losing the other profiles helps nobody.
 *
 * @module
 */
import type {
  Capabilities,
  CollectOptions,
  CustomSource,
  Meta,
  PartName,
  PointInTimeProfile,
  RuntimeAdapter,
} from "./types.ts";
import { acquireCapture, tryAcquireCapture } from "./capture_lock.ts";
import { CaptureBusyError, describeError, isPartSkipped } from "./errors.ts";
import { renderExpvar } from "./expvar.ts";
import { currentMeta, nextCaptureTimeMs, validateOverrides } from "./meta.ts";
import {
  compareNames,
  CPU,
  customEntryName,
  EXPVAR,
  HEAP,
  META,
  pprofEntryName,
  PROFILE_DURING_TRACE,
  TRACE,
} from "./names.ts";
import { BundleWriter } from "./zip/writer.ts";

/** Options for {@linkcode collectBundle}. */
export interface CollectBundleOptions extends CollectOptions {
  /**
   * What to do when another capture in this process holds the capture
   * lock: wait for it (served in arrival order, abortable with `signal`),
   * or reject at once with a {@linkcode CaptureBusyError}.
   * @default {"wait"}
   */
  ifBusy?: "wait" | "reject";
}

/** A finished bundle and its meta (which says what was skipped and why). */
export interface CollectedBundle {
  /** The bundle's `meta` entry, as written. */
  meta: Meta;
  /** The bundle: an uncompressed zip. */
  bytes: Uint8Array;
}

// setTimeout's limit; longer captures make no sense anyway.
const MAX_DURATION_MS = 2 ** 31 - 1;
const encoder = new TextEncoder();

/**
 * Collects one bundle from a runtime adapter.
 *
 * @param adapter The runtime's capabilities.
 * @param options What to capture; see {@linkcode CollectBundleOptions}.
 * @returns The bundle bytes and its meta.
 * @throws {TypeError} / {RangeError} For invalid options (before anything starts).
 * @throws {CaptureBusyError} With `ifBusy: "reject"` when another capture runs.
 * @throws The signal's reason if it aborts before the capture starts.
 * @example A bundle with a 1 s CPU profile and a custom entry
 * ```ts ignore
 * import { collectBundle } from "./collect.ts";
 * import { loadAdapter } from "../runtimes/detect.ts";
 * const { meta, bytes } = await collectBundle(await loadAdapter(), {
 *   cpuProfileDuration: 1000,
 *   custom: { "config.json": () => JSON.stringify({ workers: 4 }) },
 * });
 * console.log(meta.skipped, bytes.length);
 * ```
 */
export async function collectBundle(
  adapter: RuntimeAdapter,
  options: CollectBundleOptions = {},
): Promise<CollectedBundle> {
  const opts = resolveOptions(options);
  opts.signal?.throwIfAborted();
  let release: () => void;
  if (opts.ifBusy === "reject") {
    const r = tryAcquireCapture();
    if (r === undefined) throw new CaptureBusyError();
    release = r;
  } else {
    release = await acquireCapture(opts.signal);
  }
  try {
    // Waiting for the lock may have taken a while.
    opts.signal?.throwIfAborted();
    return await capture(adapter, opts);
  } finally {
    release();
  }
}

interface ResolvedOptions {
  cpuProfileDuration: number;
  cpuProfileByteTarget: number;
  traceDuration: number;
  traceByteTarget: number;
  custom: Array<[name: string, entry: string, source: CustomSource]>;
  signal: AbortSignal | undefined;
  meta: CollectOptions["meta"];
  ifBusy: "wait" | "reject";
  forceHeap: boolean;
}

function resolveOptions(options: unknown): ResolvedOptions {
  if (options === undefined) options = {};
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new TypeError(`Invalid collect options: expected an object: got ${typeName(options)}`);
  }
  const o = options as Record<string, unknown>;
  validateOverrides(o.meta);
  const ifBusy = o.ifBusy ?? "wait";
  if (ifBusy !== "wait" && ifBusy !== "reject") {
    throw new TypeError(`Invalid option "ifBusy": expected "wait" or "reject": got ${JSON.stringify(ifBusy) ?? typeName(ifBusy)}`);
  }
  const signal = o.signal;
  if (signal !== undefined && !isAbortSignal(signal)) {
    throw new TypeError(`Invalid option "signal": expected an AbortSignal: got ${typeName(signal)}`);
  }
  return {
    cpuProfileDuration: duration(o, "cpuProfileDuration"),
    cpuProfileByteTarget: byteTarget(o, "cpuProfileByteTarget"),
    traceDuration: duration(o, "traceDuration"),
    traceByteTarget: byteTarget(o, "traceByteTarget"),
    custom: customSources(o.custom),
    signal,
    meta: o.meta as CollectOptions["meta"],
    ifBusy,
    forceHeap: flag(o, "forceHeap"),
  };
}

function flag(o: Record<string, unknown>, key: string): boolean {
  const v = o[key];
  if (v === undefined) return false;
  if (typeof v !== "boolean") throw new TypeError(`Invalid option "${key}": expected true or false: got ${typeName(v)}`);
  return v;
}

function duration(o: Record<string, unknown>, key: string): number {
  const v = o[key];
  if (v === undefined) return 0;
  if (typeof v !== "number") throw new TypeError(`Invalid option "${key}": expected milliseconds as a number: got ${typeName(v)}`);
  if (!(v >= 0 && v <= MAX_DURATION_MS)) {
    throw new RangeError(`Invalid option "${key}": must be between 0 and ${MAX_DURATION_MS} ms: got ${v}`);
  }
  return v;
}

function byteTarget(o: Record<string, unknown>, key: string): number {
  const v = o[key];
  if (v === undefined) return 0;
  if (typeof v !== "number") throw new TypeError(`Invalid option "${key}": expected bytes as a number: got ${typeName(v)}`);
  if (!(v >= 0 && Number.isFinite(v))) throw new RangeError(`Invalid option "${key}": must be a finite number >= 0: got ${v}`);
  return v;
}

function customSources(custom: unknown): ResolvedOptions["custom"] {
  if (custom === undefined) return [];
  if (typeof custom !== "object" || custom === null || Array.isArray(custom)) {
    throw new TypeError(`Invalid option "custom": expected an object of data sources: got ${typeName(custom)}`);
  }
  const out: ResolvedOptions["custom"] = [];
  for (const name of Object.keys(custom).sort(compareNames)) {
    const source = (custom as Record<string, unknown>)[name];
    if (typeof source !== "function" && !isReadableStream(source)) {
      throw new TypeError(
        `Invalid custom source ${JSON.stringify(name)}: expected a function or a ReadableStream: got ${typeName(source)}`,
      );
    }
    const problem = nameProblem(name);
    if (problem !== undefined) throw new TypeError(`Invalid custom source name ${JSON.stringify(name)}: ${problem}`);
    out.push([name, customEntryName(name), source as CustomSource]);
  }
  return out;
}

/** Names that would escape to an unusable entry name (Go would write them; readers then refuse the zip). */
function nameProblem(name: string): string | undefined {
  if (name === "") return "must not be empty";
  if (name === "." || name === "..") return 'must not be "." or ".."';
  if (/\p{Cs}/u.test(name)) return "has a lone surrogate (no UTF-8 form)";
  return undefined;
}

function isAbortSignal(v: unknown): v is AbortSignal {
  if (typeof AbortSignal === "function" && v instanceof AbortSignal) return true;
  const s = v as { aborted?: unknown; addEventListener?: unknown; throwIfAborted?: unknown } | null;
  return typeof s === "object" && s !== null && typeof s.aborted === "boolean" &&
    typeof s.addEventListener === "function" && typeof s.throwIfAborted === "function";
}

function isReadableStream(v: unknown): v is ReadableStream<Uint8Array> {
  return typeof v === "object" && v !== null && typeof (v as { getReader?: unknown }).getReader === "function";
}

function typeName(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  return typeof v;
}

/** Everything after the lock: capture each part, then write the zip once. */
async function capture(adapter: RuntimeAdapter, opts: ResolvedOptions): Promise<CollectedBundle> {
  // Parts that never abort get a signal that never fires.
  const signal = opts.signal ?? new AbortController().signal;
  const meta = currentMeta(adapter, opts.meta, nextCaptureTimeMs());
  const caps: Capabilities = meta.capabilities ?? {};
  const skipped: Partial<Record<PartName, string>> = {};
  const errors: Record<string, string> = {};
  const parts: Array<[entry: string, data: Uint8Array | Uint8Array[]]> = [];

  /** Runs one source; its failure is recorded, never thrown. */
  const take = async (entry: string, produce: () => Promise<Uint8Array | Uint8Array[]>) => {
    try {
      parts.push([entry, checkBytes(await produce(), entry)]);
    } catch (e) {
      errors[entry] = describeError(e);
    }
  };

  const expvar = encoder.encode(await renderExpvar(adapter, { signal }));

  // The heap profile goes first so that it is always in the same place.
  const heapMissing = unavailable(caps, "heap", adapter.heap, "the runtime adapter has no heap profiler");
  if (heapMissing !== undefined) {
    skipped.heap = heapMissing;
  } else {
    try {
      const heap = await adapter.heap!(signal, opts.forceHeap ? { force: true } : undefined);
      parts.push([HEAP, checkBytes(heap, HEAP)]);
    } catch (e) {
      // The adapter left the heap profile out on purpose (rationed).
      if (isPartSkipped(e)) skipped.heap = e.message;
      else errors[HEAP] = describeError(e);
    }
  }

  const seen = new Set<string>();
  for (const profile of pointInTimeProfiles(adapter, errors)) {
    const entry = pprofEntryName(profile.name);
    if (seen.has(entry)) {
      errors.point_in_time = `Duplicate point-in-time profile name: ${JSON.stringify(profile.name)}`;
      continue;
    }
    seen.add(entry);
    await take(entry, () => profile.capture(signal));
  }

  for (const [, entry, source] of opts.custom) {
    await take(entry, () => readCustom(source, signal));
  }

  const cpuMs = opts.cpuProfileDuration;
  const traceMs = opts.traceDuration;
  if (cpuMs > 0) {
    const missing = aborted(signal, "the CPU profile") ??
      unavailable(caps, "cpu", adapter.cpu, "the runtime adapter has no CPU profiler");
    if (missing !== undefined) {
      skipped.cpu = missing;
    } else {
      await withDeadline(signal, cpuMs, async (timed) => {
        try {
          const r = await adapter.cpu!({ durationMs: cpuMs, byteTarget: opts.cpuProfileByteTarget, signal: timed });
          if (r.ok) parts.push([CPU, checkBytes(r.data, CPU)]);
          else skipped.cpu = r.skipped;
        } catch (e) {
          errors[CPU] = describeError(e);
        }
      });
    }
  }

  if (traceMs > 0) {
    const withCpuProfile = cpuMs > 0;
    const missing = aborted(signal, "the trace") ??
      unavailable(caps, "trace", adapter.trace, "the runtime adapter has no tracer");
    if (missing !== undefined) {
      skipped.trace = missing;
      if (withCpuProfile) skipped.profile_during_trace = missing;
    } else {
      await withDeadline(signal, traceMs, async (timed) => {
        try {
          const r = await adapter.trace!({
            durationMs: traceMs,
            byteTarget: opts.traceByteTarget,
            withCpuProfile,
            signal: timed,
          });
          if (!r.ok) {
            skipped.trace = r.skipped;
            if (withCpuProfile) skipped.profile_during_trace = r.skipped;
            return;
          }
          parts.push([TRACE, checkBytes(r.data, TRACE)]);
          if (!withCpuProfile) return;
          if (r.profileDuringTrace !== undefined) {
            parts.push([PROFILE_DURING_TRACE, checkBytes(r.profileDuringTrace, PROFILE_DURING_TRACE)]);
          } else {
            skipped.profile_during_trace = r.profileDuringTraceSkipped ??
              "the runtime recorded no CPU profile during the trace";
          }
        } catch (e) {
          errors[TRACE] = describeError(e);
          if (withCpuProfile) errors[PROFILE_DURING_TRACE] = errors[TRACE];
        }
      });
    }
  }

  if (Object.keys(skipped).length > 0) meta.skipped = skipped;
  if (Object.keys(errors).length > 0) meta.errors = errors;

  const writer = new BundleWriter({ mtime: Date.parse(meta.capture_time) });
  writer.add(META, encoder.encode(JSON.stringify(meta)));
  writer.add(EXPVAR, expvar);
  for (const [entry, data] of parts) writer.add(entry, data);
  return { meta, bytes: writer.finish() };
}

/** Why a part cannot be captured on this runtime, or `undefined` if it can. */
function unavailable(caps: Capabilities, part: PartName, method: unknown, fallback: string): string | undefined {
  const cap = caps[part];
  if (cap !== undefined && cap.ok === false) return cap.reason;
  if (typeof method !== "function") return fallback;
  return undefined;
}

function aborted(signal: AbortSignal, what: string): string | undefined {
  return signal.aborted ? `aborted before ${what} started: ${describeError(signal.reason)}` : undefined;
}

/** The adapter's point-in-time profiles, minus names that cannot be entries. */
function pointInTimeProfiles(adapter: RuntimeAdapter, errors: Record<string, string>): PointInTimeProfile[] {
  if (typeof adapter.pointInTime !== "function") return [];
  let list: PointInTimeProfile[];
  try {
    list = adapter.pointInTime();
  } catch (e) {
    errors.point_in_time = describeError(e);
    return [];
  }
  const reserved = new Set([HEAP, CPU, TRACE, PROFILE_DURING_TRACE]);
  const out: PointInTimeProfile[] = [];
  for (const p of Array.isArray(list) ? list : []) {
    const problem = typeof p?.name !== "string" ? "name is not a string" : nameProblem(p.name);
    if (problem !== undefined || typeof p.capture !== "function") {
      errors.point_in_time = `Invalid point-in-time profile ${JSON.stringify(p?.name) ?? ""}: ${
        problem ?? "capture is not a function"
      }`;
      continue;
    }
    if (reserved.has(pprofEntryName(p.name))) {
      errors.point_in_time = `Invalid point-in-time profile ${JSON.stringify(p.name)}: the name is reserved`;
      continue;
    }
    out.push(p);
  }
  return out;
}

function checkBytes(data: unknown, entry: string): Uint8Array | Uint8Array[] {
  if (data instanceof Uint8Array) return data;
  if (Array.isArray(data) && data.every((c) => c instanceof Uint8Array)) return data;
  throw new TypeError(`Invalid data for ${entry}: expected a Uint8Array: got ${typeName(data)}`);
}

/** Reads a custom source fully; a stream is cancelled if the signal aborts. */
async function readCustom(source: CustomSource, signal: AbortSignal): Promise<Uint8Array | Uint8Array[]> {
  if (typeof source === "function") {
    const value = await source(signal);
    if (typeof value === "string") return encoder.encode(value);
    if (value instanceof Uint8Array) return value;
    throw new TypeError(`Custom source returned ${typeName(value)}: expected a string or a Uint8Array`);
  }
  const reader = source.getReader();
  const onAbort = () => {
    reader.cancel(signal.reason).catch(() => {});
  };
  signal.addEventListener("abort", onAbort, { once: true });
  const chunks: Uint8Array[] = [];
  try {
    if (signal.aborted) onAbort();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!(value instanceof Uint8Array)) {
        await reader.cancel().catch(() => {});
        throw new TypeError(`Custom stream produced ${typeName(value)}: expected Uint8Array chunks`);
      }
      chunks.push(value);
    }
  } finally {
    signal.removeEventListener("abort", onAbort);
    reader.releaseLock();
  }
  if (signal.aborted) throw new Error(`Aborted while reading the stream: ${describeError(signal.reason)}`);
  return chunks;
}

/**
 * Runs a timed capture with a signal that fires at the end of `ms` or when
 * `parent` aborts, whichever comes first.
 */
async function withDeadline(parent: AbortSignal, ms: number, run: (signal: AbortSignal) => Promise<void>): Promise<void> {
  const controller = new AbortController();
  const onAbort = () => controller.abort(parent.reason);
  parent.addEventListener("abort", onAbort, { once: true });
  const timer = setTimeout(
    () => controller.abort(new DOMException(`Capture duration of ${ms} ms elapsed`, "TimeoutError")),
    ms,
  );
  try {
    await run(controller.signal);
  } finally {
    clearTimeout(timer);
    parent.removeEventListener("abort", onAbort);
  }
}
