/**
 * `autoprof view [BUNDLE|STORE]`: serves the local viewer (bundle list,
 * flame graphs, trace timeline) on a loopback address until Ctrl-C.
 *
 * @module
 */
import { viewerApp } from "../viewer/app.ts";
import { stringOption, UsageError } from "./args.ts";
import { type Command, FILTER_HELP, FILTER_OPTIONS, STORE_HELP, STORE_OPTION } from "./command.ts";
import { filterFromOptions, locateBundle, openStore } from "./locate.ts";
import { listWithProgress } from "./ls.ts";
import { type BundleStore, parseBundleKey, type StoredBundle } from "./store.ts";

/** `autoprof view`. */
export const viewCommand: Command = {
  name: "view",
  summary: "serve a local web page with bundles, flame graphs and trace timelines",
  options: { ...STORE_OPTION, ...FILTER_OPTIONS, port: { type: "string", short: "p" }, listen: { type: "string" } },
  help: `Usage: autoprof view [BUNDLE|STORE] [options]

Serves a web page on this machine: the list of bundles, and for each bundle its meta, a
flame graph of every pprof profile (click a frame to zoom in, click an ancestor to zoom
out; pick the sample type) and a per-thread timeline of its trace. Everything is served by
the CLI itself: no CDN, nothing fetched from the internet. Stop with Ctrl-C.

The argument is a store (a directory, or s3://BUCKET/PREFIX) or one bundle (a .zip file,
an s3:// URL to a .zip, or a key or unique part of a key in --store). Without it, the
default store.

Options:
  -p, --port N       port to listen on (default: any free port)
      --listen ADDR  address to listen on (default 127.0.0.1; the page answers loopback
                     host names only)
${STORE_HELP}
${FILTER_HELP}
  -h, --help         show this help

Examples:
  autoprof view ./profiles --main checkout-api --since 1h
  autoprof view bundle.zip --port 7777
`,
  async run(args, host) {
    const [arg, extra] = args.positionals;
    if (extra !== undefined) throw new UsageError(`Too many arguments: view takes one BUNDLE or STORE: got ${JSON.stringify(extra)}`);
    const portText = stringOption(args, "port") ?? "0";
    const port = Number(portText);
    if (!/^\d+$/.test(portText) || port > 65535) throw new UsageError(`Invalid --port: expected 0-65535: got ${JSON.stringify(portText)}`);
    const hostname = stringOption(args, "listen") ?? "127.0.0.1";
    if (host.serve === undefined) throw new Error("Cannot serve the viewer: this runtime has no HTTP server");

    let store: BundleStore;
    let bundles: () => Promise<StoredBundle[]>;
    const isStore = arg === undefined || (arg.startsWith("s3://") && !arg.endsWith(".zip")) || (await host.fs.kind(arg)) === "directory";
    if (isStore) {
      store = openStore(arg ?? stringOption(args, "store"), host);
      const filter = filterFromOptions(args.options, (host.now ?? Date.now)());
      const list = await listWithProgress(store, filter, host);
      bundles = () => Promise.resolve(list);
      host.stderr.write(`Found ${list.length} bundle${list.length === 1 ? "" : "s"} in ${store.location}\n`);
    } else {
      const found = await locateBundle(arg, () => openStore(stringOption(args, "store"), host), host);
      store = found.store;
      const one: StoredBundle = {
        key: found.key,
        size: found.size >= 0 ? found.size : 0,
        parts: parseBundleKey(found.key) ?? { main: "", hostname: "", procId: "", captureTime: "" },
      };
      bundles = () => Promise.resolve([one]);
    }
    const app = viewerApp({ store, bundles, allowedHosts: [hostname] });
    const server = await host.serve((request) => app.fetch(request), { hostname, port });
    host.stdout.write(`Viewing ${store.location} at ${server.url} (Ctrl-C to stop)\n`);
    await (host.interrupted ?? new Promise<void>(() => {}));
    await server.close();
    return 0;
  },
};
