/**
 * Short descriptions of bundle entries and parts for `ls` and `show`:
 * which parts a bundle holds, and what is inside each entry (sample types
 * and counts of a pprof profile, the kind of trace).
 *
 * @module
 */
import { CPU, CUSTOM_DIR, EXPVAR, HEAP, META, PPROF_DIR, PROFILE_DURING_TRACE, TRACE } from "../names.ts";
import { gunzip } from "../gzip.ts";
import { decodeProfile } from "../pprof/encode.ts";
import type { Profile } from "../pprof/profile_pb.ts";

const SHORT: Record<string, string> = {
  [HEAP]: "heap",
  [CPU]: "cpu",
  [TRACE]: "trace",
  [PROFILE_DURING_TRACE]: "cpu-during-trace",
};

/**
 * The parts a bundle holds, as short words in archive order: `heap`,
 * point-in-time profile names (`allocs`, `resources`), `custom×N`, `cpu`,
 * `trace`, `cpu-during-trace`.
 *
 * @param names Entry names in archive order.
 * @returns Space-separated words.
 * @example
 * ```ts
 * import { partsLabel } from "./entry_info.ts";
 * console.log(partsLabel(["meta", "expvar", "pprof/heap", "custom/a", "custom/b", "pprof/profile"])); // "heap custom×2 cpu"
 * ```
 */
export function partsLabel(names: readonly string[]): string {
  const words: string[] = [];
  let custom = 0;
  for (const name of names) {
    if (name === META || name === EXPVAR) continue;
    if (name.startsWith(CUSTOM_DIR)) {
      custom++;
      continue;
    }
    if (custom > 0 && !words.includes(`custom×${custom}`)) words.push(`custom×${custom}`);
    words.push(SHORT[name] ?? (name.startsWith(PPROF_DIR) ? name.slice(PPROF_DIR.length) : name));
  }
  if (custom > 0 && !words.includes(`custom×${custom}`)) words.push(`custom×${custom}`);
  return words.join(" ");
}

/** Whether an entry holds gzipped pprof (every `pprof/` entry except the trace). */
export function isPprofEntry(name: string): boolean {
  return name.startsWith(PPROF_DIR) && name !== TRACE;
}

/**
 * Whether bytes start with the gzip magic number.
 *
 * @param bytes Any bytes.
 * @returns `true` for gzip data.
 * @example
 * ```ts
 * import { isGzip } from "./entry_info.ts";
 * console.log(isGzip(new Uint8Array([0x1f, 0x8b, 8]))); // true
 * ```
 */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Decodes a `pprof/` entry (gzipped or not) into a profile.
 *
 * @param bytes The entry's bytes.
 * @returns The profile.
 * @throws {Error} If the bytes are not a pprof profile.
 * @example
 * ```ts ignore
 * import { decodeEntryProfile } from "./entry_info.ts";
 * const profile = await decodeEntryProfile(bundle.entries.get("pprof/heap")!);
 * ```
 */
export async function decodeEntryProfile(bytes: Uint8Array): Promise<Profile> {
  return decodeProfile(isGzip(bytes) ? await gunzip(bytes) : bytes);
}

/**
 * The sample types of a profile as `type/unit` strings.
 *
 * @param profile A profile.
 * @returns For example `["samples/count", "cpu/nanoseconds"]`.
 * @example
 * ```ts ignore
 * import { sampleTypes } from "./entry_info.ts";
 * console.log(sampleTypes(profile));
 * ```
 */
export function sampleTypes(profile: Profile): string[] {
  return profile.sampleType.map((t) => `${profile.stringTable[Number(t.type)] ?? "?"}/${profile.stringTable[Number(t.unit)] ?? "?"}`);
}

/**
 * One line about an entry's content, for `show`.
 *
 * @param name The entry name.
 * @param bytes The entry's bytes.
 * @returns For example `pprof: samples/count, cpu/nanoseconds; 312 samples; 5.0 s`.
 * @example
 * ```ts ignore
 * import { describeEntry } from "./entry_info.ts";
 * console.log(await describeEntry("pprof/heap", bytes));
 * ```
 */
export async function describeEntry(name: string, bytes: Uint8Array): Promise<string> {
  if (name === META || name === EXPVAR) return "JSON";
  if (name === TRACE) {
    const text = isGzip(bytes) ? "gzipped " : "";
    const head = new TextDecoder().decode((isGzip(bytes) ? await gunzip(bytes) : bytes).subarray(0, 64)).trimStart();
    return head.startsWith("{") || head.startsWith("[") ? `${text}Chrome trace event JSON` : `${text}trace`;
  }
  if (isPprofEntry(name)) {
    try {
      const p = await decodeEntryProfile(bytes);
      const parts = [`pprof: ${sampleTypes(p).join(", ")}`, `${p.sample.length} samples`];
      if (p.durationNanos > 0n) parts.push(`${(Number(p.durationNanos) / 1e9).toFixed(1)} s`);
      return parts.join("; ");
    } catch (e) {
      return `not readable as pprof: ${e instanceof Error ? e.message : String(e)}`;
    }
  }
  return isGzip(bytes) ? "gzip data" : "data";
}
