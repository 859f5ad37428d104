/**
 * Collects one bundle and hands it to a sink, never rejecting: the step
 * shared by sampled requests, cron-triggered bundles and bundles served
 * over HTTP. Outcomes go to hooks and to autoprof's expvar counters
 * (`<prefix>.stored`, `.skipped_busy`, `.collect_errors`, `.store_errors`).
 *
 * @module
 */
import type { CollectOptions, Meta, MetaOverrides, RuntimeAdapter } from "../types.ts";
import type { FlushResult, PeriodicErrorContext } from "../periodic.ts";
import type { Sink, StoreResult } from "../sinks/sink.ts";
import { collectBundle } from "../collect.ts";
import { addCounter } from "../expvar.ts";

/** Hooks and bundle options shared by the edge helpers. */
export interface EdgeBundleOptions {
  /** Extra `custom/<name>` entries for every bundle (give functions, not streams). */
  custom?: CollectOptions["custom"];
  /** Overrides for `meta` fields (`main`, `revision`, `hostname`). */
  meta?: MetaOverrides;
  /**
   * Called for every failure (a capture that threw, a sink that rejected);
   * an exception here is swallowed. A bundle skipped because another
   * capture was running is only counted.
   * @default {console.error}
   */
  onError?: (error: unknown, context: PeriodicErrorContext) => void;
  /** Called after each bundle is stored. */
  onStored?: (result: StoreResult | undefined, meta: Meta) => void;
}

/** Options for {@linkcode flushBundle}. */
export interface FlushBundleOptions extends EdgeBundleOptions {
  /** Counter name prefix, e.g. `autoprof.sampled`. */
  counterPrefix: string;
  /** Wait for another capture (`"wait"`) or give up at once (`"reject"`). */
  ifBusy: "wait" | "reject";
}

/**
 * Collects a bundle with `adapter` and stores it with `sink`.
 *
 * @param adapter The runtime's adapter.
 * @param sink Where the bundle goes.
 * @param options Counters, hooks and bundle options.
 * @returns What happened; never rejects.
 * @example
 * ```ts
 * import { flushBundle } from "./flush_bundle.ts";
 * const adapter = {
 *   runtime: "other" as const, runtimeVersion: "1", capabilities: () => ({}),
 *   processInfo: () => ({ pid: 1, hostname: "", main: "demo", revision: "" }), stats: () => ({}),
 * };
 * const result = await flushBundle(adapter, async () => {}, { counterPrefix: "autoprof.example", ifBusy: "wait" });
 * console.log(result.ok); // true
 * ```
 */
export async function flushBundle(adapter: RuntimeAdapter, sink: Sink, options: FlushBundleOptions): Promise<FlushResult> {
  const count = (what: string) => addCounter(`${options.counterPrefix}.${what}`, 1);
  const report = (error: unknown, context: PeriodicErrorContext) => {
    try {
      (options.onError ?? defaultOnError)(error, context);
    } catch {
      // A faulty hook must not break the app.
    }
  };
  let collected: { meta: Meta; bytes: Uint8Array };
  try {
    collected = await collectBundle(adapter, { custom: options.custom, meta: options.meta, ifBusy: options.ifBusy });
  } catch (error) {
    if ((error as { code?: unknown } | null)?.code === "ERR_AUTOPROF_BUSY") count("skipped_busy");
    else {
      count("collect_errors");
      report(error, { phase: "collect" });
    }
    return { ok: false, error };
  }
  const { meta, bytes } = collected;
  try {
    const stored = (await sink(meta, bytes)) ?? undefined;
    count("stored");
    try {
      options.onStored?.(stored, meta);
    } catch {
      // As above.
    }
    return { ok: true, meta, stored };
  } catch (error) {
    count("store_errors");
    report(error, { phase: "store", meta });
    return { ok: false, error };
  }
}

function defaultOnError(error: unknown, context: PeriodicErrorContext): void {
  console.error(`autoprof: cannot ${context.phase} bundle:`, error);
}
