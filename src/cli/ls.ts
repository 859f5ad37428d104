/**
 * `autoprof ls`: a table of the bundles in a store, with their meta and the
 * parts each holds.
 *
 * @module
 */
import { stringOption } from "./args.ts";
import { type BundleSummary, summarizeBundles } from "./bundle_summary.ts";
import { type Command, FILTER_HELP, FILTER_OPTIONS, STORE_HELP, STORE_OPTION } from "./command.ts";
import { partsLabel } from "./entry_info.ts";
import type { CliHost } from "./host.ts";
import { filterFromOptions, openStore } from "./locate.ts";
import { formatBytes, Progress } from "./progress.ts";
import type { BundleFilter, BundleStore, StoredBundle } from "./store.ts";
import { formatTable } from "./table.ts";

/**
 * Lists a store's bundles that pass a filter, with a progress bar on
 * stderr.
 *
 * @param store The store.
 * @param filter The filter.
 * @param host For the progress stream and clock.
 * @returns The bundles, in key order.
 * @example
 * ```ts ignore
 * import { listWithProgress } from "./ls.ts";
 * const bundles = await listWithProgress(store, { main: "api" }, host);
 * ```
 */
export async function listWithProgress(store: BundleStore, filter: BundleFilter, host: CliHost): Promise<StoredBundle[]> {
  const bar = new Progress(host.stderr, { label: `listing ${store.location}`, now: host.now });
  try {
    return await store.list(filter, (seen) => bar.advance(seen - bar.value));
  } finally {
    bar.done();
  }
}

function compareTimes(a: string, b: string): number {
  const d = Date.parse(a) - Date.parse(b);
  return Number.isNaN(d) ? (a < b ? -1 : a > b ? 1 : 0) : d;
}

/** `autoprof ls`. */
export const lsCommand: Command = {
  name: "ls",
  summary: "list bundles with their meta and parts",
  options: { ...STORE_OPTION, ...FILTER_OPTIONS, json: { type: "boolean" }, fast: { type: "boolean" } },
  help: `Usage: autoprof ls [options]

Lists the bundles in a store, oldest first: capture time, runtime, size, the parts each
bundle holds, and its key (pass the key, or any unique part of it, to show, extract, view).

Options:
${STORE_HELP}
${FILTER_HELP}
      --fast         list keys and sizes only, without reading each bundle's meta and parts
      --json         print a JSON array instead of a table
  -h, --help         show this help

Examples:
  autoprof ls
  autoprof ls --store s3://profiles/team --main checkout-api --since 1h
  autoprof ls --host web-1 --json | jq '.[].key'
`,
  async run(args, host) {
    const store = openStore(stringOption(args, "store"), host);
    const now = (host.now ?? Date.now)();
    const bundles = await listWithProgress(store, filterFromOptions(args.options, now), host);
    // Oldest first across programs and hosts; keys already order each process's bundles.
    bundles.sort((a, b) => compareTimes(a.parts.captureTime, b.parts.captureTime) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    let rows: BundleSummary[];
    if (args.options.fast) {
      rows = bundles.map((bundle) => ({ bundle }));
    } else {
      const bar = new Progress(host.stderr, { label: "reading", total: bundles.length, now: host.now });
      rows = await summarizeBundles(store, bundles, { onEach: () => bar.advance() });
      bar.done();
    }
    if (args.options.json) {
      const out = rows.map((r) => {
        const m = r.meta;
        return {
          key: r.bundle.key,
          location: store.locate(r.bundle.key),
          size: r.bundle.size,
          main: m?.main ?? r.bundle.parts.main,
          hostname: m?.hostname ?? r.bundle.parts.hostname,
          proc_id: m?.proc_id ?? r.bundle.parts.procId,
          capture_time: m?.capture_time ?? r.bundle.parts.captureTime,
          ...(m !== undefined ? { revision: m.revision, runtime: m.runtime, runtime_version: m.runtime_version } : {}),
          ...(r.names !== undefined ? { entries: r.names } : {}),
          ...(r.error !== undefined ? { error: r.error } : {}),
        };
      });
      host.stdout.write(JSON.stringify(out, null, 2) + "\n");
      return 0;
    }
    if (rows.length === 0) {
      host.stderr.write(`No bundles in ${store.location}${Object.keys(args.options).some((k) => k in FILTER_OPTIONS) ? " match the filter" : ""}\n`);
      return 0;
    }
    const table = rows.map((r) => {
      const m = r.meta;
      const parts = r.error !== undefined ? `unreadable: ${r.error}` : r.names !== undefined ? partsLabel(r.names) : "";
      return [
        r.bundle.parts.captureTime,
        m !== undefined ? `${m.runtime} ${m.runtime_version}` : "",
        formatBytes(r.bundle.size),
        parts,
        r.bundle.key,
      ];
    });
    const header = ["CAPTURED", "RUNTIME", "SIZE", "PARTS", "KEY"];
    host.stdout.write(formatTable(header, table, { right: [2] }));
    return 0;
  },
};
