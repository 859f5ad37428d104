/**
 * `autoprof merge`: merges one kind of profile (CPU, heap, ...) from many
 * bundles into one gzipped pprof file, e.g. one service over one hour.
 *
 * @module
 */
import { gzip } from "../gzip.ts";
import { CPU, HEAP, pprofEntryName, PROFILE_DURING_TRACE } from "../names.ts";
import { encodeProfile } from "../pprof/encode.ts";
import { ProfileMerger } from "../pprof/merge.ts";
import { readBundle } from "../read_bundle.ts";
import { stringOption, UsageError } from "./args.ts";
import { type Command, FILTER_HELP, FILTER_OPTIONS, STORE_HELP, STORE_OPTION } from "./command.ts";
import { decodeEntryProfile, sampleTypes } from "./entry_info.ts";
import { filterFromOptions, type LocatedBundle, locateBundle, openStore } from "./locate.ts";
import { listWithProgress } from "./ls.ts";
import { formatBytes, Progress } from "./progress.ts";

/**
 * The entry a `--profile` value names: `cpu` → `pprof/profile`, `heap` →
 * `pprof/heap`, `cpu-during-trace` → `pprof/profile-during-trace`, any
 * other name → `pprof/<escaped name>` (e.g. `allocs`).
 *
 * @param profile The `--profile` value.
 * @returns The entry name.
 * @throws {UsageError} For `trace` (not a pprof profile).
 * @example
 * ```ts
 * import { profileEntry } from "./merge.ts";
 * console.log(profileEntry("cpu"), profileEntry("allocs")); // "pprof/profile" "pprof/allocs"
 * ```
 */
export function profileEntry(profile: string): string {
  switch (profile) {
    case "cpu":
    case "profile":
      return CPU;
    case "heap":
      return HEAP;
    case "cpu-during-trace":
    case "profile-during-trace":
      return PROFILE_DURING_TRACE;
    case "trace":
      throw new UsageError("Cannot merge traces: --profile must name a pprof profile (cpu, heap, allocs, cpu-during-trace, ...)");
    default:
      return pprofEntryName(profile);
  }
}

/** `autoprof merge`. */
export const mergeCommand: Command = {
  name: "merge",
  summary: "merge the CPU or heap profiles of many bundles into one pprof file",
  options: { ...STORE_OPTION, ...FILTER_OPTIONS, profile: { type: "string", short: "p" }, output: { type: "string", short: "o" } },
  help: `Usage: autoprof merge [BUNDLE...] [options]

Merges one profile from many bundles into one gzipped pprof file, like
\`go tool pprof -proto a b ...\`: samples with the same stack and labels are summed, the
duration is the sum, the time the earliest. Takes the BUNDLEs given, or else every bundle
in the store that passes the filters. Bundles without the profile are skipped (and
counted); profiles with different sample types (e.g. heap profiles from different
runtimes) are refused with an error naming the bundle.

Options:
  -p, --profile NAME cpu (pprof/profile, the default), heap, cpu-during-trace, or any
                     pprof entry name such as allocs
  -o, --output FILE  where to write the merged profile; - for stdout (the default when
                     stdout is not a terminal)
${STORE_HELP}
${FILTER_HELP}
  -h, --help         show this help

Examples:
  autoprof merge --main checkout-api --since 1h -o cpu.pb.gz && go tool pprof -top cpu.pb.gz
  autoprof merge --profile heap --host web-1 --since 2026-11-25T02:00Z --until 2026-11-25T03:00Z -o heap.pb.gz
  autoprof merge a.zip b.zip c.zip | go tool pprof -top /dev/stdin
`,
  async run(args, host) {
    const entry = profileEntry(stringOption(args, "profile") ?? "cpu");
    const output = stringOption(args, "output") ?? (host.stdout.isTTY ? undefined : "-");
    if (output === undefined) {
      throw new UsageError("Refusing to write a binary profile to the terminal: pass -o FILE (or -o - to force stdout)");
    }
    const store = () => openStore(stringOption(args, "store"), host);
    let bundles: LocatedBundle[];
    if (args.positionals.length > 0) {
      bundles = [];
      for (const arg of args.positionals) bundles.push(await locateBundle(arg, store, host));
    } else {
      const s = store();
      const now = (host.now ?? Date.now)();
      bundles = (await listWithProgress(s, filterFromOptions(args.options, now), host)).map((b) => ({ store: s, key: b.key, size: b.size }));
    }
    if (bundles.length === 0) throw new UsageError("No bundles to merge: the store has none that pass the filters");

    const merger = new ProfileMerger();
    const missing: string[] = [];
    const bar = new Progress(host.stderr, { label: `merging ${entry}`, total: bundles.length, now: host.now });
    try {
      for (const b of bundles) {
        const where = b.store.locate(b.key);
        const bundle = readBundle(await b.store.read(b.key));
        const bytes = bundle.entries.get(entry);
        if (bytes === undefined) missing.push(where);
        else {
          const profile = await decodeEntryProfile(bytes).catch((e) => {
            throw new Error(`Cannot merge ${where}: ${entry} is not a pprof profile: ${e instanceof Error ? e.message : String(e)}`);
          });
          merger.add(profile, where);
        }
        bar.advance();
      }
    } finally {
      bar.done();
    }
    if (merger.count === 0) {
      throw new Error(`Cannot merge: none of the ${bundles.length} bundles has ${entry} (try --profile heap, or bundles with a CPU profile)`);
    }
    const merged = merger.finish();
    const bytes = await gzip(encodeProfile(merged));
    if (output === "-") await host.stdout.writeBytes(bytes);
    else await host.fs.writeFile(output, bytes);
    host.stderr.write(
      `Merged ${entry} from ${merger.count} bundle${merger.count === 1 ? "" : "s"} into ${output === "-" ? "stdout" : output} ` +
        `(${formatBytes(bytes.length)}; ${merged.sample.length} stacks; ${sampleTypes(merged).join(", ")})` +
        (missing.length > 0 ? `; skipped ${missing.length} without ${entry}` : "") + "\n",
    );
    return 0;
  },
};
