/**
 * `autoprof extract BUNDLE [DIR]`: writes a bundle's entries as files that
 * tools open directly: `heap.pb.gz`, `profile.pb.gz` and other pprof
 * entries for `go tool pprof`; `trace.json` (decompressed Chrome trace
 * events) for Perfetto, speedscope or chrome://tracing; `meta.json`,
 * `expvar.json`, and `custom/<name>`.
 *
 * Bundles come from other machines, so every output path is checked to stay
 * inside DIR ("zip slip"), and sizes are capped before anything is
 * inflated (zip and gzip bombs); both fail with an error naming the entry.
 *
 * @module
 */
import { parseByteSize } from "../config/byte_size.ts";
import { BundleFormatError } from "../errors.ts";
import { CUSTOM_DIR, EXPVAR, META, PPROF_DIR, TRACE } from "../names.ts";
import { type Bundle, readBundle } from "../read_bundle.ts";
import { DEFAULT_ZIP_LIMITS, type ZipLimits } from "../zip/reader.ts";
import { unsafeNameReason } from "../zip/_entry_name.ts";
import { type ParsedArgs, stringOption, UsageError } from "./args.ts";
import { type Command, STORE_HELP, STORE_OPTION } from "./command.ts";
import { isGzip } from "./entry_info.ts";
import { gunzipLimited, InflateLimitError } from "./gunzip_limited.ts";
import { locateBundle, openStore } from "./locate.ts";
import { fetchBundle } from "./show.ts";
import { formatTable } from "./table.ts";

/** One file `extract` writes. */
export interface ExtractFile {
  /** Path relative to the output directory, `/`-separated. */
  path: string;
  /** The bundle entry it comes from. */
  entry: string;
  /** The bytes to write. */
  bytes: Uint8Array;
  /** A command (followed by the file's path) or tools that open it. */
  openWith: string;
}

/**
 * The file name an entry is extracted to, relative to the output directory.
 *
 * @param entry A bundle entry name.
 * @param gzipped Whether the entry's data is gzip.
 * @returns The relative path.
 * @example
 * ```ts
 * import { outputPath } from "./extract.ts";
 * console.log(outputPath("pprof/heap", true), outputPath("pprof/trace", true)); // "heap.pb.gz" "trace.json"
 * ```
 */
export function outputPath(entry: string, gzipped: boolean): string {
  if (entry === META) return "meta.json";
  if (entry === EXPVAR) return "expvar.json";
  if (entry === TRACE) return "trace.json";
  if (entry.startsWith(PPROF_DIR)) return `${entry.slice(PPROF_DIR.length)}.pb${gzipped ? ".gz" : ""}`;
  if (entry.startsWith(CUSTOM_DIR)) return entry;
  return entry;
}

/**
 * Checks that a relative output path stays inside the output directory:
 * no absolute path, drive letter, backslash, NUL, control character, or
 * empty, `.` or `..` element.
 *
 * @param path The relative path.
 * @returns `undefined` if safe, else why not.
 * @example
 * ```ts
 * import { unsafePathReason } from "./extract.ts";
 * console.log(unsafePathReason("custom/../../etc/passwd")); // 'it has a ".." element'
 * ```
 */
export function unsafePathReason(path: string): string | undefined {
  if (path.endsWith("/")) return "it names a directory";
  const reason = unsafeNameReason(path);
  if (reason !== undefined) return reason;
  // deno-lint-ignore no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(path)) return "it contains a control character";
  return undefined;
}

/**
 * Joins the output directory and a relative path after checking the path
 * with {@linkcode unsafePathReason}.
 *
 * @param dir The output directory.
 * @param path A relative path from {@linkcode outputPath}.
 * @param entry The entry, for the error message.
 * @returns `dir/path`.
 * @throws {RangeError} If the path could escape `dir`.
 * @example
 * ```ts
 * import { joinInside } from "./extract.ts";
 * console.log(joinInside("out", "heap.pb.gz", "pprof/heap")); // "out/heap.pb.gz"
 * ```
 */
export function joinInside(dir: string, path: string, entry: string): string {
  const reason = unsafePathReason(path);
  if (reason !== undefined) {
    throw new RangeError(`Refusing to extract entry ${JSON.stringify(entry)}: its path ${JSON.stringify(path)} could escape the output directory: ${reason}`);
  }
  return `${dir.replace(/(?<=.)\/+$/, "")}/${path}`;
}

/**
 * Plans what `extract` writes for a bundle: one file per entry, the trace
 * decompressed (capped at `maxEntrySize`), every path checked.
 *
 * @param bundle A bundle from `readBundle`.
 * @param options `maxEntrySize`: the cap for decompressed entries.
 * @returns The files, in entry order.
 * @throws {RangeError} For an unsafe path or an entry that inflates past the cap.
 * @example
 * ```ts ignore
 * import { planExtract } from "./extract.ts";
 * for (const f of planExtract(readBundle(bytes), { maxEntrySize: 1 << 29 })) console.log(f.path);
 * ```
 */
export function planExtract(bundle: Bundle, options: { maxEntrySize: number }): ExtractFile[] {
  const files: ExtractFile[] = [];
  const seen = new Set<string>();
  for (const entry of bundle.names) {
    let bytes = bundle.entries.get(entry)!;
    const gzipped = isGzip(bytes);
    const path = outputPath(entry, gzipped);
    joinInside(".", path, entry);
    if (seen.has(path)) throw new RangeError(`Refusing to extract entry ${JSON.stringify(entry)}: ${JSON.stringify(path)} is written twice`);
    seen.add(path);
    let openWith = "";
    if (entry === TRACE && gzipped) {
      try {
        bytes = gunzipLimited(bytes, options.maxEntrySize);
      } catch (e) {
        if (e instanceof InflateLimitError) {
          throw new RangeError(
            `Refusing to extract entry ${JSON.stringify(entry)}: it inflates to more than ${options.maxEntrySize} bytes (raise --max-entry-size to allow it)`,
          );
        }
        throw e;
      }
    }
    if (entry === TRACE) openWith = "Perfetto (ui.perfetto.dev), speedscope, chrome://tracing";
    else if (entry.startsWith(PPROF_DIR)) openWith = "go tool pprof -http=:";
    files.push({ path, entry, bytes, openWith });
  }
  return files;
}

function limitsFrom(args: ParsedArgs): Required<ZipLimits> {
  const limits = { ...DEFAULT_ZIP_LIMITS };
  for (const [option, key] of [["max-entry-size", "maxEntrySize"], ["max-total-size", "maxTotalSize"]] as const) {
    const v = stringOption(args, option);
    if (v === undefined) continue;
    try {
      limits[key] = parseByteSize(v);
    } catch (e) {
      throw new UsageError(`Invalid --${option}: ${(e as Error).message}`);
    }
  }
  return limits;
}

/** `autoprof extract`. */
export const extractCommand: Command = {
  name: "extract",
  summary: "write a bundle's entries as files for go tool pprof, Perfetto, speedscope",
  options: {
    ...STORE_OPTION,
    force: { type: "boolean", short: "f" },
    "max-entry-size": { type: "string" },
    "max-total-size": { type: "string" },
  },
  help: `Usage: autoprof extract BUNDLE [DIR] [options]

Writes each entry of a bundle as a file in DIR (default: a new directory named after the
bundle's capture time):
  meta.json, expvar.json        JSON
  heap.pb.gz, profile.pb.gz,    gzipped pprof: go tool pprof -http=: heap.pb.gz
  allocs.pb.gz, ...
  trace.json                    Chrome trace events: Perfetto, speedscope, chrome://tracing
  custom/<name>                 your custom entries, as stored (names stay escaped)

Refuses entry names that could escape DIR and entries larger than the limits, before
writing anything. BUNDLE is a .zip file, an s3:// URL, or a key (or unique part of one).

Options:
${STORE_HELP}
  -f, --force        write into DIR even if it is not empty (replacing files)
      --max-entry-size SIZE
                     largest entry, after decompression (default 512MiB)
      --max-total-size SIZE
                     largest sum of entries (default 1GiB)
  -h, --help         show this help

Examples:
  autoprof extract profiles/pprof/api/web-1/1-…-42/2026-11-25T02:00:00.000Z.zip out
  go tool pprof -top out/profile.pb.gz
`,
  async run(args, host) {
    const [arg, dirArg, extra] = args.positionals;
    if (arg === undefined) throw new UsageError("Missing BUNDLE: e.g. autoprof extract bundle.zip out");
    if (extra !== undefined) throw new UsageError(`Too many arguments: extract takes BUNDLE and DIR: got ${JSON.stringify(extra)}`);
    const limits = limitsFrom(args);
    const found = await locateBundle(arg, () => openStore(stringOption(args, "store"), host), host);
    if (found.size > limits.maxTotalSize + 65536 + 22) {
      throw new RangeError(`Refusing to extract ${found.store.locate(found.key)}: it is ${found.size} bytes, more than --max-total-size ${limits.maxTotalSize}`);
    }
    const bytes = await fetchBundle(found, host);
    let bundle: Bundle;
    try {
      bundle = readBundle(bytes, { limits });
    } catch (e) {
      if (e instanceof BundleFormatError && e.code === "ERR_AUTOPROF_ZIP_LIMIT") {
        throw new RangeError(`Refusing to extract ${found.store.locate(found.key)}: ${e.message} (raise --max-entry-size or --max-total-size to allow it)`);
      }
      if (e instanceof BundleFormatError && e.code === "ERR_AUTOPROF_ZIP_UNSAFE_NAME") {
        throw new RangeError(`Refusing to extract ${found.store.locate(found.key)}: ${e.message}`);
      }
      throw e;
    }
    const files = planExtract(bundle, { maxEntrySize: limits.maxEntrySize });
    const base = found.key.slice(found.key.lastIndexOf("/") + 1).replace(/\.zip$/, "").replaceAll(":", "-");
    const dir = dirArg ?? base;
    const kind = await host.fs.kind(dir);
    if (kind === "file") throw new UsageError(`Cannot extract into ${JSON.stringify(dir)}: it is a file`);
    if (kind === "directory" && !args.options.force && (await host.fs.readDir(dir)).length > 0) {
      throw new UsageError(`Cannot extract into ${JSON.stringify(dir)}: it is not empty (pass --force to write into it)`);
    }
    for (const f of files) {
      const path = joinInside(dir, f.path, f.entry);
      await host.fs.mkdirp(path.slice(0, path.lastIndexOf("/")));
      await host.fs.writeFile(path, f.bytes);
    }
    host.stdout.write(`Wrote ${files.length} files to ${dir}/\n`);
    host.stdout.write(formatTable(
      ["  FILE", "ENTRY", "OPEN WITH"],
      files.map((f) => [`  ${f.path}`, f.entry, f.openWith.startsWith("go ") ? `${f.openWith} ${joinInside(dir, f.path, f.entry)}` : f.openWith]),
    ));
    return 0;
  },
};
