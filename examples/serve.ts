/**
 * Serves a web-standard fetch handler (such as autoprof's `debugHandler()`)
 * on whichever runtime runs this file: `Deno.serve` on Deno, `Bun.serve`
 * on Bun, and @hono/node-server's `serve` on Node. The demo and the HTTP
 * conformance tests use it; copy it into an app that wants the debug
 * endpoints on a side port.
 *
 * It is not part of the published package: apps that are servers mount
 * `debugRoutes()` or call `debugHandler()` from their own server, and
 * autoprof does not depend on @hono/node-server (on Node, add it to your
 * app: `npm i @hono/node-server`).
 *
 * @module
 */

/** A running server. */
export interface RunningServer {
  /** Base URL, e.g. `http://127.0.0.1:6060` (no trailing slash). */
  url: string;
  /** The port actually bound (useful with `port: 0`). */
  port: number;
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

/** Where to listen. */
export interface ServeOptions {
  /**
   * Address to bind.
   * @default {"127.0.0.1"}
   */
  hostname?: string;
  /**
   * Port; 0 picks a free one.
   * @default {0}
   */
  port?: number;
}

type FetchHandler = (request: Request) => Response | Promise<Response>;

interface DenoServer {
  shutdown(): Promise<void>;
}
interface DenoGlobal {
  serve(
    options: { hostname: string; port: number; onListen(addr: { port: number }): void },
    handler: FetchHandler,
  ): DenoServer;
}
interface BunServer {
  port: number;
  stop(closeActiveConnections?: boolean): Promise<void> | void;
}
interface BunGlobal {
  serve(options: { hostname: string; port: number; idleTimeout: number; fetch: FetchHandler }): BunServer;
}

/**
 * Starts serving `handler` on this runtime.
 *
 * @param handler The fetch handler.
 * @param options Address and port.
 * @returns The running server once it listens.
 * @example
 * ```ts ignore
 * import { debugHandler } from "../mod.ts";
 * import { serve } from "./serve.ts";
 * const server = await serve(debugHandler({ hostname: "127.0.0.1" }), { port: 6060 });
 * console.log(`go tool pprof ${server.url}/debug/pprof/heap`);
 * ```
 */
export async function serve(handler: FetchHandler, options: ServeOptions = {}): Promise<RunningServer> {
  const hostname = options.hostname ?? "127.0.0.1";
  const requestedPort = options.port ?? 0;
  const base = (port: number) => `http://${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`;
  const g = globalThis as { Deno?: DenoGlobal; Bun?: BunGlobal };

  if (typeof g.Deno?.serve === "function") {
    const deno = g.Deno;
    let server: DenoServer | undefined;
    const port = await new Promise<number>((resolve) => {
      server = deno.serve({ hostname, port: requestedPort, onListen: (addr) => resolve(addr.port) }, handler);
    });
    return { url: base(port), port, close: () => server!.shutdown() };
  }

  if (typeof g.Bun?.serve === "function") {
    // Bun closes a connection idle for 10 s by default: a CPU profile
    // sends nothing until it ends, so the idle timeout is turned off.
    const server = g.Bun.serve({ hostname, port: requestedPort, idleTimeout: 0, fetch: handler });
    return { url: base(server.port), port: server.port, close: async () => await server.stop(true) };
  }

  const { serve: serveNode } = await import("@hono/node-server");
  let server: ReturnType<typeof serveNode> | undefined;
  const port = await new Promise<number>((resolve, reject) => {
    server = serveNode({ fetch: handler, hostname, port: requestedPort }, (info) => resolve(info.port));
    // A port in use (EADDRINUSE) rejects instead of crashing the process.
    (server as unknown as { once(event: "error", f: (e: Error) => void): void }).once("error", reject);
  });
  return {
    url: base(port),
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        const http = server as unknown as { close(cb: (e?: Error) => void): void; closeAllConnections?(): void };
        http.close((error) => (error ? reject(error) : resolve()));
        http.closeAllConnections?.();
      }),
  };
}
