/**
 * `autoprof show BUNDLE`: one bundle's meta, expvar highlights and entries
 * with their sizes and contents.
 *
 * @module
 */
import type { Meta } from "../types.ts";
import { readBundle } from "../read_bundle.ts";
import { EXPVAR } from "../names.ts";
import { stringOption, UsageError } from "./args.ts";
import { type Command, STORE_HELP, STORE_OPTION } from "./command.ts";
import { describeEntry } from "./entry_info.ts";
import type { CliHost } from "./host.ts";
import { type LocatedBundle, locateBundle, openStore } from "./locate.ts";
import { formatBytes, Progress } from "./progress.ts";
import { formatTable } from "./table.ts";

/**
 * Downloads a located bundle, with a progress bar for large ones.
 *
 * @param found The bundle.
 * @param host For the progress stream and clock.
 * @returns The bundle's bytes.
 * @example
 * ```ts ignore
 * import { fetchBundle } from "./show.ts";
 * const bytes = await fetchBundle(await locateBundle(arg, store, host), host);
 * ```
 */
export async function fetchBundle(found: LocatedBundle, host: CliHost): Promise<Uint8Array> {
  const bar = new Progress(host.stderr, { label: "downloading", unit: "bytes", now: host.now });
  try {
    return await found.store.read(found.key, (bytes, total) => {
      if (total !== undefined) bar.setTotal(total);
      bar.advance(bytes - bar.value);
    });
  } finally {
    bar.done();
  }
}

// Stats worth a glance, by path in expvar; absent ones are left out.
const HIGHLIGHTS: { path: string[]; bytes?: boolean }[] = [
  { path: ["runtime", "uptime_seconds"] },
  { path: ["runtime", "memory", "rss"], bytes: true },
  { path: ["runtime", "memory", "heapUsed"], bytes: true },
  { path: ["runtime", "memory", "heapTotal"], bytes: true },
  { path: ["runtime", "memory", "external"], bytes: true },
  { path: ["runtime", "heap", "heap_size_limit"], bytes: true },
  { path: ["runtime", "cpu_usage_micros", "user"] },
  { path: ["runtime", "cpu_usage_micros", "system"] },
];

/**
 * Picks the expvar values worth showing: memory and CPU from `runtime`,
 * event-loop and GC numbers, autoprof's counters, and every published key.
 *
 * @param expvar The parsed expvar entry.
 * @returns `[label, value]` pairs.
 * @example
 * ```ts
 * import { expvarHighlights } from "./show.ts";
 * console.log(expvarHighlights({ runtime: { memory: { rss: 2048 } }, queue: { depth: 3 } }));
 * // [["runtime.memory.rss", "2.0 KiB"], ["queue", "{\"depth\":3}"]]
 * ```
 */
export function expvarHighlights(expvar: Record<string, unknown>): [string, string][] {
  const out: [string, string][] = [];
  const at = (path: string[]) => path.reduce<unknown>((o, k) => (typeof o === "object" && o !== null ? (o as Record<string, unknown>)[k] : undefined), expvar);
  for (const h of HIGHLIGHTS) {
    const v = at(h.path);
    if (typeof v === "number") out.push([h.path.join("."), h.bytes ? formatBytes(v) : num(v)]);
  }
  for (const section of ["event_loop", "gc"]) {
    const v = at(["runtime", section]);
    if (typeof v !== "object" || v === null) continue;
    for (const [k, x] of Object.entries(v)) {
      if (typeof x === "number") out.push([`runtime.${section}.${k}`, num(x)]);
      else if (typeof x === "object" && x !== null) {
        const nums = Object.entries(x).filter(([, y]) => typeof y === "number").slice(0, 6);
        if (nums.length > 0) out.push([`runtime.${section}.${k}`, nums.map(([a, y]) => `${a}=${num(y as number)}`).join(" ")]);
      }
    }
  }
  const counters = expvar.autoprof;
  if (typeof counters === "object" && counters !== null) {
    for (const [k, v] of Object.entries(counters)) out.push([k, short(v)]);
  }
  for (const [k, v] of Object.entries(expvar)) {
    if (k !== "runtime" && k !== "autoprof") out.push([k, short(v)]);
  }
  return out;
}

function num(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Number(v.toFixed(3)));
}

function short(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 100 ? `${s.slice(0, 99)}…` : s;
}

function capabilityText(meta: Meta): string {
  return Object.entries(meta.capabilities ?? {}).map(([part, c]) => c?.ok ? part : `${part} (no: ${c?.reason})`).join(", ");
}

/** `autoprof show`. */
export const showCommand: Command = {
  name: "show",
  summary: "show one bundle's meta, expvar highlights and entries",
  options: { ...STORE_OPTION, json: { type: "boolean" } },
  help: `Usage: autoprof show BUNDLE [options]

Shows one bundle: who and when (meta), what it could capture and what it skipped,
highlights of its expvar (memory, CPU, event loop, published values), and each entry with
its size and content (pprof sample types, sample counts, durations).

BUNDLE is a .zip file, an s3://bucket/key URL, a key from \`autoprof ls\`, or any part of
a key that matches one bundle in the store (e.g. a proc id and time).

Options:
${STORE_HELP}
      --json         print {meta, expvar, entries} as JSON
  -h, --help         show this help

Examples:
  autoprof show profiles/pprof/api/web-1/1-6744d2c0-…-42/2026-11-25T02:00:00.000Z.zip
  autoprof show 2026-11-25T02:00 --store s3://profiles/team
`,
  async run(args, host) {
    const [arg, extra] = args.positionals;
    if (arg === undefined) throw new UsageError("Missing BUNDLE: e.g. autoprof show profiles/pprof/…/2026-11-25T02:00:00.000Z.zip");
    if (extra !== undefined) throw new UsageError(`Too many arguments: show takes one BUNDLE: got ${JSON.stringify(extra)}`);
    const found = await locateBundle(arg, () => openStore(stringOption(args, "store"), host), host);
    const bytes = await fetchBundle(found, host);
    const bundle = readBundle(bytes);
    const expvar = JSON.parse(new TextDecoder().decode(bundle.entries.get(EXPVAR)!)) as Record<string, unknown>;
    const entries = await Promise.all(bundle.names.map(async (name) => {
      const data = bundle.entries.get(name)!;
      return { name, size: data.length, content: await describeEntry(name, data) };
    }));
    if (args.options.json) {
      host.stdout.write(JSON.stringify({ location: found.store.locate(found.key), size: bytes.length, meta: bundle.meta, expvar, entries }, null, 2) + "\n");
      return 0;
    }
    const m = bundle.meta;
    const lines: string[][] = [
      ["bundle", `${found.store.locate(found.key)} (${formatBytes(bytes.length)})`],
      ["main", m.revision === "" ? m.main : `${m.main}  revision ${m.revision}`],
      ["runtime", `${m.runtime} ${m.runtime_version}`],
      ["host", m.hostname],
      ["proc", m.proc_id],
      ["started", m.init_time],
      ["captured", m.capture_time],
      ["can capture", capabilityText(m)],
    ];
    for (const [part, why] of Object.entries(m.skipped ?? {})) lines.push([`skipped ${part}`, why ?? ""]);
    for (const [part, why] of Object.entries(m.errors ?? {})) lines.push([`failed ${part}`, why]);
    let out = formatTable(["", ""], lines).split("\n").slice(1).join("\n");
    out += `\nexpvar\n`;
    out += formatTable(["", ""], expvarHighlights(expvar).map(([k, v]) => [`  ${k}`, v])).split("\n").slice(1).join("\n");
    out += `\nentries\n`;
    out += formatTable(["  NAME", "SIZE", "CONTENT"], entries.map((e) => [`  ${e.name}`, formatBytes(e.size), e.content]), { right: [1] });
    host.stdout.write(out);
    return 0;
  },
};
