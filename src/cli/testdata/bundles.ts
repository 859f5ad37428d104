/**
 * Small real bundles and profiles for CLI tests: pprof built from named
 * stacks, gzipped, in a STORE zip with the entry order of docs/FORMAT.md.
 *
 * @module
 */
import { create } from "@bufbuild/protobuf";
import { gzipSync, strToU8 } from "fflate";
import type { Meta } from "../../types.ts";
import { encodeProfile } from "../../pprof/encode.ts";
import { type Profile, ProfileSchema } from "../../pprof/profile_pb.ts";
import { BundleWriter } from "../../zip/writer.ts";
import { bundleKey } from "../../sinks/sink.ts";

/** A sample: stack root first, and one value per sample type. */
export interface StackSample {
  stack: string[];
  values: number[];
  labels?: Record<string, string>;
}

/** What {@linkcode makeProfile} builds. */
export interface ProfileSpec {
  sampleTypes: [string, string][];
  samples: StackSample[];
  period?: number;
  periodType?: [string, string];
  timeNanos?: bigint;
  durationNanos?: bigint;
  /** File name of every function. */
  file?: string;
}

/** Builds a pprof profile from named stacks (one function and location per name). */
export function makeProfile(spec: ProfileSpec): Profile {
  const strings = [""];
  const s = (v: string) => {
    let i = strings.indexOf(v);
    if (i < 0) i = strings.push(v) - 1;
    return BigInt(i);
  };
  const fnIds = new Map<string, bigint>();
  const functions = [];
  const locations = [];
  for (const sample of spec.samples) {
    for (const name of sample.stack) {
      if (fnIds.has(name)) continue;
      const id = BigInt(fnIds.size + 1);
      fnIds.set(name, id);
      functions.push({ id, name: s(name), systemName: s(name), filename: s(spec.file ?? "app.js"), startLine: 1n });
      locations.push({ id, line: [{ functionId: id, line: BigInt(10 + name.length), column: 0n }] });
    }
  }
  const pt = spec.periodType ?? spec.sampleTypes[spec.sampleTypes.length - 1]!;
  return create(ProfileSchema, {
    sampleType: spec.sampleTypes.map(([t, u]) => ({ type: s(t), unit: s(u) })),
    sample: spec.samples.map((x) => ({
      // pprof stores stacks leaf first.
      locationId: [...x.stack].reverse().map((n) => fnIds.get(n)!),
      value: x.values.map(BigInt),
      label: Object.entries(x.labels ?? {}).map(([k, v]) => ({ key: s(k), str: s(v) })),
    })),
    function: functions,
    location: locations,
    stringTable: strings,
    timeNanos: spec.timeNanos ?? 1_764_036_000_000_000_000n,
    durationNanos: spec.durationNanos ?? 1_000_000_000n,
    periodType: { type: s(pt[0]), unit: s(pt[1]) },
    period: BigInt(spec.period ?? 10_000_000),
  });
}

/** gzipped pprof bytes of a spec. */
export function profileBytes(spec: ProfileSpec): Uint8Array {
  return gzipSync(encodeProfile(makeProfile(spec)));
}

/** A bundle's meta with test defaults. */
export function testMeta(over: Partial<Meta> = {}): Meta {
  return {
    format_version: 1,
    main: "api",
    revision: "1.0.0",
    runtime: "node",
    runtime_version: "v24.1.0",
    hostname: "web-1",
    proc_id: "1-6744d2c0-0123456789abcdef01234567-42",
    init_time: "2026-11-25T01:00:00.000Z",
    capture_time: "2026-11-25T02:00:00.000Z",
    capabilities: { heap: { ok: true }, cpu: { ok: true } },
    ...over,
  };
}

/** A CPU profile spec: `samples/count`, `cpu/nanoseconds`. */
export function cpuSpec(samples: [string[], number][], timeNanos?: bigint): ProfileSpec {
  return {
    sampleTypes: [["samples", "count"], ["cpu", "nanoseconds"]],
    samples: samples.map(([stack, n]) => ({ stack, values: [n, n * 10_000_000] })),
    timeNanos,
  };
}

/** A heap profile spec: `inuse_objects/count`, `inuse_space/bytes`. */
export function heapSpec(samples: [string[], number][]): ProfileSpec {
  return {
    sampleTypes: [["inuse_objects", "count"], ["inuse_space", "bytes"]],
    samples: samples.map(([stack, n]) => ({ stack, values: [n, n * 64] })),
    period: 524288,
  };
}

/** Options for {@linkcode makeBundle}. */
export interface BundleSpec {
  meta?: Partial<Meta>;
  expvar?: Record<string, unknown>;
  heap?: ProfileSpec;
  cpu?: ProfileSpec;
  trace?: unknown;
  custom?: Record<string, Uint8Array>;
}

/** A bundle (STORE zip) in docs/FORMAT.md order. */
export function makeBundle(spec: BundleSpec = {}): { meta: Meta; bytes: Uint8Array; key: string } {
  const meta = testMeta(spec.meta);
  const w = new BundleWriter();
  w.add("meta", strToU8(JSON.stringify(meta)));
  w.add("expvar", strToU8(JSON.stringify(spec.expvar ?? { runtime: { memory: { rss: 1048576 } } })));
  w.add("pprof/heap", profileBytes(spec.heap ?? heapSpec([[["main", "alloc"], 3]])));
  for (const [name, data] of Object.entries(spec.custom ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) w.add(`custom/${name}`, data);
  if (spec.cpu !== undefined) w.add("pprof/profile", profileBytes(spec.cpu));
  if (spec.trace !== undefined) w.add("pprof/trace", gzipSync(strToU8(JSON.stringify(spec.trace))));
  return { meta, bytes: w.finish(), key: bundleKey(meta) };
}
