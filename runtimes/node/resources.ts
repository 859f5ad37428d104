/**
 * `pprof/resources`: what keeps the event loop busy right now, from
 * `process.getActiveResourcesInfo()` (no async_hooks, nothing installed):
 * one sample per resource type (`TCPWrap`, `Timeout`, `FSReqCallback`,
 * ...) whose "stack" is a single frame named after the type, with sample
 * type `resources/count`. `go tool pprof -top` then lists the types by
 * count, and comparing two bundles (`-diff_base`) shows a leak's type.
 *
 * @module
 */
import process from "node:process";
import { ProfileBuilder } from "../../src/pprof/_builder.ts";
import { gzip } from "../../src/gzip.ts";
import type { PointInTimeProfile } from "../../src/types.ts";
import { epochNanosNow } from "../_inspector/cpu_capture.ts";

/**
 * Builds the resources profile from a list of resource type names (one
 * entry per active resource).
 *
 * @param types e.g. `process.getActiveResourcesInfo()`.
 * @param timeNanos when the list was taken, nanoseconds since the epoch.
 * @returns pprof protobuf bytes (not gzipped): one sample per distinct
 * type, sorted by name.
 *
 * @example
 * ```ts
 * import { resourcesToPprofBytes } from "./resources.ts";
 * const bytes = resourcesToPprofBytes(["Timeout", "TCPWrap", "Timeout"], 0n);
 * console.assert(bytes.length > 0);
 * ```
 */
export function resourcesToPprofBytes(types: readonly string[], timeNanos: bigint): Uint8Array {
  const counts = new Map<string, number>();
  for (const t of types) counts.set(String(t), (counts.get(String(t)) ?? 0) + 1);
  const builder = new ProfileBuilder(1);
  for (const type of [...counts.keys()].sort()) {
    const location = builder.location({ functionName: type, scriptId: "0", url: "", lineNumber: -1, columnNumber: -1 });
    builder.add(builder.stack(0, location), [counts.get(type)!]);
  }
  return builder.encode({
    sampleTypes: [["resources", "count"]],
    periodType: ["resources", "count"],
    period: 1n,
    timeNanos,
    durationNanos: 0n,
  });
}

/**
 * The `resources` point-in-time profile of this process.
 *
 * @returns the profile for `pprof/resources`.
 *
 * @example
 * ```ts ignore
 * import { resourcesProfile } from "./resources.ts";
 * const bytes = await resourcesProfile().capture(new AbortController().signal);
 * ```
 */
export function resourcesProfile(): PointInTimeProfile {
  return {
    name: "resources",
    async capture(): Promise<Uint8Array> {
      const info = typeof process.getActiveResourcesInfo === "function" ? process.getActiveResourcesInfo() : [];
      return await gzip(resourcesToPprofBytes(info, epochNanosNow()));
    },
  };
}
