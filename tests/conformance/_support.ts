/**
 * Shared helpers of the conformance suite: which runtime runs the test
 * (found independently of the library's own detection), where the repo
 * is, `go tool pprof -raw` as the pprof oracle, and Go-format checks.
 *
 * Works unchanged on Node (compiled, from dist/), Deno (TS source) and Bun
 * (compiled).
 *
 * @module
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import type { Capabilities, PartName } from "../../src/types.ts";

/** The runtime family running this test. */
export type Family = "node" | "deno" | "bun";

/**
 * The runtime running this test, from the runtimes' own globals (not
 * through autoprof's detection, which is under test).
 *
 * @returns `"deno"`, `"bun"` or `"node"`.
 */
export function runningFamily(): Family {
  const g = globalThis as { Deno?: { version?: { deno?: unknown } }; Bun?: { version?: unknown } };
  if (typeof g.Deno?.version?.deno === "string") return "deno";
  if (typeof g.Bun?.version === "string") return "bun";
  return "node";
}

/** The running runtime's own version string (`v24.1.0`, `2.9.6`, `1.4.5`). */
export function runningVersion(): string {
  const g = globalThis as { Deno?: { version: { deno: string } }; Bun?: { version: string } };
  const family = runningFamily();
  if (family === "deno") return g.Deno!.version.deno;
  if (family === "bun") return g.Bun!.version;
  return process.version;
}

/**
 * The id of this test run's runtime, as scripts/test.sh names it:
 * `node20`…`node26`, `deno`, `bun`. Taken from `AUTOPROF_TEST_RUNTIME`
 * when set, else derived from the running runtime.
 *
 * @returns the id.
 */
export function testRuntimeId(): string {
  const fromEnv = process.env.AUTOPROF_TEST_RUNTIME;
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
  const family = runningFamily();
  return family === "node" ? `node${process.versions.node.split(".")[0]}` : family;
}

/** The family a test runtime id belongs to (`node24` → `node`). */
export function familyOf(id: string): string {
  return id.replace(/\d+$/, "");
}

/** The pid of this process. */
export function ownPid(): number {
  return process.pid;
}

/**
 * The repo root: the nearest folder above this file with autoprof's
 * package.json (this file runs from tests/ on Deno and dist/tests/ on
 * Node and Bun).
 *
 * @returns the absolute path.
 */
export function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as { name?: string };
      if (pkg.name === "autoprof") return dir;
    } catch {
      // not here
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`Cannot find the autoprof repo above ${import.meta.url}`);
    dir = parent;
  }
}

/** All parts a runtime declares, in bundle order. */
export const PARTS: readonly PartName[] = ["expvar", "heap", "point_in_time", "cpu", "trace", "profile_during_trace"];

/**
 * Where `capabilities-<rt>.json` files go (read by
 * scripts/capability_matrix.ts): `AUTOPROF_CAPABILITIES_DIR`, else dist/.
 */
export function capabilitiesFile(id: string): string {
  const dir = process.env.AUTOPROF_CAPABILITIES_DIR || path.join(repoRoot(), "dist");
  return path.join(dir, `capabilities-${id}.json`);
}

/** The record a conformance run writes for the capability matrix. */
export interface CapabilityRecord {
  /** Test runtime id, e.g. `node24`. */
  id: string;
  /** `meta.runtime`. */
  runtime: string;
  /** `meta.runtime_version`. */
  runtime_version: string;
  /** `meta.capabilities`. */
  capabilities: Capabilities;
}

/** What `go tool pprof -raw` printed, parsed. */
export interface RawPprof {
  /** `type/unit` of each sample value, in order. */
  sampleTypes: string[];
  /** The default sample type (marked `[dflt]`), if any. */
  defaultSampleType?: string;
  /** `type unit` of the period. */
  periodType: string;
  period: number;
  /** The `Duration:` line, as printed (e.g. `1.2s`), if any. */
  duration?: string;
  comments: string[];
  /** Number of sample lines. */
  samples: number;
  /** The sum of each sample column. */
  totals: number[];
  /** The whole output. */
  text: string;
}

let goChecked = false;

/**
 * Parses a gzipped pprof profile with `go tool pprof -raw`, the reference
 * reader. Fails with a hint when Go is missing.
 *
 * @param gz the profile bytes.
 * @param label names the profile in errors.
 * @returns the parsed summary.
 * @throws {Error} if Go is missing or pprof rejects the profile.
 */
export function goPprofRaw(gz: Uint8Array, label: string): RawPprof {
  if (!goChecked) {
    try {
      execFileSync("go", ["version"], { stdio: "pipe" });
    } catch {
      throw new Error(
        "`go` is not on PATH: the conformance suite reads every pprof entry with `go tool pprof -raw`. " +
          "Install Go (Debian: apt-get install golang-go; scripts/test.sh does this) and retry",
      );
    }
    goChecked = true;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "autoprof-conformance-"));
  const file = path.join(dir, "profile.pb.gz");
  try {
    fs.writeFileSync(file, gz);
    let text: string;
    try {
      text = execFileSync("go", ["tool", "pprof", "-raw", file], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
        maxBuffer: 512 * 1024 * 1024,
      });
    } catch (error) {
      const stderr = (error as { stderr?: unknown }).stderr;
      throw new Error(`go tool pprof rejected ${label}: ${String(stderr ?? error)}`);
    }
    return parseRaw(text);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Parses the text of `go tool pprof -raw` (Go 1.19+). */
export function parseRaw(text: string): RawPprof {
  const lines = text.split("\n");
  const out: RawPprof = { sampleTypes: [], periodType: "", period: 0, comments: [], samples: 0, totals: [], text };
  let i = 0;
  for (; i < lines.length && lines[i] !== "Samples:"; i++) {
    const line = lines[i];
    if (line.startsWith("PeriodType: ")) out.periodType = line.slice(12);
    else if (line.startsWith("Period: ")) out.period = Number(line.slice(8));
    else if (line.startsWith("Duration: ")) out.duration = line.slice(10);
    else if (line.startsWith("Comment: ")) out.comments.push(line.slice(9));
  }
  if (i === lines.length) throw new Error(`Unexpected go tool pprof -raw output: no Samples: line:\n${text}`);
  for (const t of lines[i + 1].trim().split(/\s+/)) {
    if (t === "") continue;
    const dflt = t.endsWith("[dflt]");
    const name = dflt ? t.slice(0, -6) : t;
    if (dflt) out.defaultSampleType = name;
    out.sampleTypes.push(name);
  }
  out.totals = out.sampleTypes.map(() => 0);
  for (let j = i + 2; j < lines.length && !/^(Locations|Mappings)/.test(lines[j]); j++) {
    const m = /^\s+(-?\d+(?:\s+-?\d+)*):/.exec(lines[j]);
    if (m === null) continue;
    out.samples++;
    m[1].trim().split(/\s+/).forEach((v, k) => {
      out.totals[k] += Number(v);
    });
  }
  return out;
}

/** RFC 3339 with milliseconds in UTC, as Go autoprof writes times. */
export const RFC3339_MS_UTC: RegExp = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** `1-<8 hex init seconds>-<24 hex random>-<pid>`. */
export const PROC_ID: RegExp = /^1-([0-9a-f]{8})-([0-9a-f]{24})-(\d+)$/;

/**
 * Go's `url.PathEscape`, written out independently of src/names.ts: keeps
 * unreserved characters and the path-segment sub-delims Go keeps
 * (`$&+:=@`), percent-encodes every other UTF-8 byte in upper-case hex.
 *
 * @param name the unescaped name.
 * @returns the escaped name.
 */
export function goPathEscape(name: string): string {
  let out = "";
  for (const byte of new TextEncoder().encode(name)) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~$&+:=@]/.test(c)) out += c;
    else out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** Byte-wise (UTF-8) comparison, as Go sorts strings. */
export function compareBytes(a: string, b: string): number {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

/**
 * The phase of an entry in a bundle; phases never go backwards
 * (docs/FORMAT.md): meta, expvar, heap, other pprof, custom, profile,
 * trace, profile-during-trace.
 *
 * @param name the entry name.
 * @returns the phase number, or -1 for a name no bundle may hold.
 */
export function entryPhase(name: string): number {
  switch (name) {
    case "meta":
      return 0;
    case "expvar":
      return 1;
    case "pprof/heap":
      return 2;
    case "pprof/profile":
      return 5;
    case "pprof/trace":
      return 6;
    case "pprof/profile-during-trace":
      return 7;
  }
  if (/^pprof\/[^/]+$/.test(name)) return 3;
  if (/^custom\/[^/]+$/.test(name)) return 4;
  return -1;
}

/** The fixed entry of each part (point_in_time has many, expvar is always there). */
export const PART_ENTRY: Partial<Record<PartName, string>> = {
  heap: "pprof/heap",
  cpu: "pprof/profile",
  trace: "pprof/trace",
  profile_during_trace: "pprof/profile-during-trace",
};
