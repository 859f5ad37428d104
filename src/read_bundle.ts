/**
 * Reads and checks a bundle: a zip whose entries follow docs/FORMAT.md.
 *
 * @module
 */
import type { Meta } from "./types.ts";
import { BundleFormatError } from "./errors.ts";
import { compareNames, CPU, EXPVAR, escapeEntryName, HEAP, META, parseEntryName, PROFILE_DURING_TRACE, TRACE } from "./names.ts";
import { FORMAT_VERSION } from "./meta.ts";
import { readZip, type ZipLimits } from "./zip/reader.ts";

/** A parsed bundle. */
export interface Bundle {
  /** The parsed `meta` entry. */
  meta: Meta;
  /** Entry names in archive order (`meta`, `expvar`, ...). */
  names: string[];
  /** Entry name → bytes (views into the input for STORE entries: do not modify). */
  entries: Map<string, Uint8Array>;
}

/** Options for {@linkcode readBundle}. */
export interface ReadBundleOptions {
  /** Caps on entries and sizes (see `DEFAULT_ZIP_LIMITS`). */
  limits?: ZipLimits;
}

// Where each kind of entry sits; a bundle's phases never go backwards.
const Phase = {
  Heap: 2,
  PointInTime: 3,
  Custom: 4,
  Cpu: 5,
  Trace: 6,
  ProfileDuringTrace: 7,
} as const;
type Phase = typeof Phase[keyof typeof Phase];

const FIXED_PHASES: Record<string, Phase> = {
  [HEAP]: Phase.Heap,
  [CPU]: Phase.Cpu,
  [TRACE]: Phase.Trace,
  [PROFILE_DURING_TRACE]: Phase.ProfileDuringTrace,
};

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Parses a bundle and checks its structure: `meta` first (valid JSON with
 * the required fields and a known `format_version`), `expvar` second (a
 * JSON object), then `pprof/heap`, other `pprof/` entries, `custom/`
 * entries in byte-wise name order, `pprof/profile`, `pprof/trace`,
 * `pprof/profile-during-trace`, each optional, with names escaped like
 * Go's `url.PathEscape`. Entry contents other than `meta` and `expvar` are
 * not decoded.
 *
 * @param bytes The bundle.
 * @param options Zip limits.
 * @returns Meta, names in order, and the entries.
 * @throws {BundleFormatError} With a `code` naming what is wrong.
 * @example
 * ```ts ignore
 * import { readBundle } from "./read_bundle.ts";
 * const { meta, names, entries } = readBundle(await Deno.readFile("bundle.zip"));
 * console.log(meta.proc_id, names, entries.get("pprof/heap")?.length);
 * ```
 */
export function readBundle(bytes: Uint8Array, options: ReadBundleOptions = {}): Bundle {
  const zipEntries = readZip(bytes, options.limits);
  const first = zipEntries[0];
  if (first === undefined || first.name !== META) {
    throw new BundleFormatError(
      "ERR_AUTOPROF_BUNDLE_META",
      first === undefined
        ? 'Not an autoprof bundle: the archive is empty (the first entry must be "meta")'
        : `Not an autoprof bundle: the first entry must be "meta": got ${JSON.stringify(first.name)}`,
    );
  }
  const meta = parseMeta(first.data);
  const second = zipEntries[1];
  if (second === undefined || second.name !== EXPVAR) {
    throw new BundleFormatError(
      "ERR_AUTOPROF_BUNDLE_EXPVAR",
      second === undefined
        ? 'Invalid bundle: the second entry must be "expvar": the archive ends after "meta"'
        : `Invalid bundle: the second entry must be "expvar": got ${JSON.stringify(second.name)}`,
    );
  }
  let expvar: unknown;
  try {
    expvar = parseJson(second.data);
  } catch (e) {
    throw new BundleFormatError(
      "ERR_AUTOPROF_BUNDLE_EXPVAR",
      `Invalid expvar entry: not UTF-8 JSON: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  if (typeof expvar !== "object" || expvar === null || Array.isArray(expvar)) {
    throw new BundleFormatError("ERR_AUTOPROF_BUNDLE_EXPVAR", "Invalid expvar entry: expected a JSON object");
  }

  let phase = 0;
  let previous = EXPVAR;
  let lastCustom: string | undefined;
  for (const { name } of zipEntries.slice(2)) {
    const p = phaseOf(name);
    if (p < phase || (p === phase && p !== Phase.PointInTime && p !== Phase.Custom)) {
      throw new BundleFormatError(
        "ERR_AUTOPROF_BUNDLE_ORDER",
        `Bundle entries out of order: ${JSON.stringify(name)} comes after ${JSON.stringify(previous)}`,
      );
    }
    if (p === Phase.Custom) {
      const custom = parseEntryName(name)!.name;
      if (lastCustom !== undefined && compareNames(lastCustom, custom) >= 0) {
        throw new BundleFormatError(
          "ERR_AUTOPROF_BUNDLE_ORDER",
          `Bundle entries out of order: custom entries must be sorted by name: ${JSON.stringify(name)} comes after ${
            JSON.stringify(previous)
          }`,
        );
      }
      lastCustom = custom;
    }
    phase = p;
    previous = name;
  }

  const entries = new Map<string, Uint8Array>();
  for (const e of zipEntries) entries.set(e.name, e.data);
  return { meta, names: zipEntries.map((e) => e.name), entries };
}

function phaseOf(name: string): Phase {
  const fixed = FIXED_PHASES[name];
  if (fixed !== undefined) return fixed;
  let parsed;
  try {
    parsed = parseEntryName(name);
  } catch (e) {
    throw new BundleFormatError(
      "ERR_AUTOPROF_BUNDLE_ENTRY_NAME",
      `Invalid bundle entry name: ${JSON.stringify(name)}: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  if (parsed === undefined) {
    throw new BundleFormatError(
      "ERR_AUTOPROF_BUNDLE_ENTRY_NAME",
      `Unknown bundle entry: ${JSON.stringify(name)} (expected "pprof/<name>" or "custom/<name>")`,
    );
  }
  const escaped = name.slice(name.indexOf("/") + 1);
  if (escapeEntryName(parsed.name) !== escaped) {
    throw new BundleFormatError(
      "ERR_AUTOPROF_BUNDLE_ENTRY_NAME",
      `Invalid bundle entry name: ${JSON.stringify(name)}: not escaped like url.PathEscape (expected ${
        JSON.stringify(escapeEntryName(parsed.name))
      })`,
    );
  }
  return parsed.dir === "custom" ? Phase.Custom : Phase.PointInTime;
}

function parseJson(data: Uint8Array): unknown {
  // Callers turn a failure into the right error code.
  return JSON.parse(utf8.decode(data));
}

const REQUIRED_STRINGS = [
  "main",
  "revision",
  "runtime",
  "runtime_version",
  "hostname",
  "proc_id",
  "init_time",
  "capture_time",
] as const;

function parseMeta(data: Uint8Array): Meta {
  let m: unknown;
  try {
    m = parseJson(data);
  } catch (e) {
    throw new BundleFormatError(
      "ERR_AUTOPROF_BUNDLE_META",
      `Invalid meta entry: not UTF-8 JSON: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  if (typeof m !== "object" || m === null || Array.isArray(m)) {
    throw new BundleFormatError("ERR_AUTOPROF_BUNDLE_META", "Invalid meta entry: expected a JSON object");
  }
  const o = m as Record<string, unknown>;
  if (o.format_version === undefined && typeof o.go_version === "string") {
    throw new BundleFormatError(
      "ERR_AUTOPROF_BUNDLE_VERSION",
      `Unsupported bundle: a Go autoprof bundle (go_version ${JSON.stringify(o.go_version)}, no format_version); this reader knows format_version ${FORMAT_VERSION}`,
    );
  }
  if (typeof o.format_version !== "number" || !Number.isInteger(o.format_version)) {
    throw new BundleFormatError(
      "ERR_AUTOPROF_BUNDLE_META",
      `Invalid meta entry: "format_version" must be an integer: got ${JSON.stringify(o.format_version) ?? "nothing"}`,
    );
  }
  if (o.format_version !== FORMAT_VERSION) {
    throw new BundleFormatError(
      "ERR_AUTOPROF_BUNDLE_VERSION",
      `Unsupported bundle format_version: ${o.format_version} (this reader knows ${FORMAT_VERSION})`,
    );
  }
  for (const key of REQUIRED_STRINGS) {
    if (typeof o[key] !== "string") {
      throw new BundleFormatError(
        "ERR_AUTOPROF_BUNDLE_META",
        `Invalid meta entry: "${key}" must be a string: got ${JSON.stringify(o[key]) ?? "nothing"}`,
      );
    }
  }
  if (!isPlainObject(o.capabilities)) {
    throw new BundleFormatError("ERR_AUTOPROF_BUNDLE_META", 'Invalid meta entry: "capabilities" must be an object');
  }
  for (const key of ["skipped", "errors"] as const) {
    const v = o[key];
    if (v === undefined) continue;
    if (!isPlainObject(v) || !Object.values(v).every((s) => typeof s === "string")) {
      throw new BundleFormatError(
        "ERR_AUTOPROF_BUNDLE_META",
        `Invalid meta entry: "${key}" must be an object of strings`,
      );
    }
  }
  return o as unknown as Meta;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
