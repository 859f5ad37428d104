/**
 * One sink that stores every bundle in several sinks at once, e.g. a local
 * directory and S3.
 *
 * @module
 */
import type { Meta } from "../types.ts";
import type { Sink, StoreResult } from "./sink.ts";

/**
 * Makes a sink that hands each bundle to all `sinks` in parallel.
 * Resolves when all succeeded, with their locations joined by `, `; rejects
 * if any failed (naming where the bundle did get stored, if anywhere).
 *
 * @param sinks The sinks; at least one.
 * @returns The combined sink.
 * @throws {RangeError} If `sinks` is empty.
 * @example
 * ```ts
 * import { fanOutSink } from "./fan_out.ts";
 * const both = fanOutSink([async () => ({ location: "a", key: "k" }), async () => ({ location: "b", key: "k" })]);
 * ```
 */
export function fanOutSink(sinks: readonly Sink[]): Sink {
  if (sinks.length === 0) throw new RangeError("Cannot combine sinks: no sinks given");
  if (sinks.length === 1) return sinks[0]!;
  return async (meta: Meta, bytes: Uint8Array): Promise<StoreResult | void> => {
    const settled = await Promise.allSettled(sinks.map((sink) => sink(meta, bytes)));
    const stored: StoreResult[] = [];
    const errors: unknown[] = [];
    for (const s of settled) {
      if (s.status === "rejected") errors.push(s.reason);
      else if (s.value) stored.push(s.value);
    }
    if (errors.length > 0) {
      const where = stored.length > 0 ? ` (stored in ${stored.map((s) => s.location).join(", ")})` : "";
      const why = errors.map((e) => (e instanceof Error ? e.message : String(e))).join("; ");
      throw new AggregateError(errors, `Cannot store bundle in every sink${where}: ${why}`);
    }
    if (stored.length === 0) return;
    return { location: stored.map((s) => s.location).join(", "), key: stored[0]!.key };
  };
}
