/**
 * An HTTP server for a fetch-style handler (a hono app's `fetch`) on each
 * runtime: `Deno.serve` on Deno, `Bun.serve` on Bun, `node:http` on Node
 * (with a small request/response bridge, so the CLI needs no server
 * package at run time).
 *
 * @module
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Serve } from "../../src/cli/host.ts";

interface DenoLike {
  serve(
    options: { hostname: string; port: number; onListen?: (addr: { port: number }) => void },
    handler: (r: Request) => Response | Promise<Response>,
  ): { shutdown(): Promise<void>; addr: { port: number } };
}
interface BunLike {
  serve(options: { hostname: string; port: number; fetch: (r: Request) => Response | Promise<Response> }): {
    port: number;
    stop(force?: boolean): void;
  };
}

/**
 * The server for the running runtime.
 *
 * @returns A {@linkcode Serve} function.
 * @example
 * ```ts ignore
 * import { serveForRuntime } from "./serve.ts";
 * const server = await serveForRuntime()((r) => new Response("hi"), { hostname: "127.0.0.1", port: 0 });
 * console.log(server.url);
 * ```
 */
export function serveForRuntime(): Serve {
  const g = globalThis as { Deno?: DenoLike; Bun?: BunLike };
  if (g.Deno !== undefined && typeof g.Deno.serve === "function") {
    const deno = g.Deno;
    return (handler, { hostname, port }) =>
      new Promise((resolve) => {
        const server = deno.serve({
          hostname,
          port,
          onListen: (addr) => resolve({ url: `http://${hostname}:${addr.port}/`, close: () => server.shutdown() }),
        }, handler);
      });
  }
  if (g.Bun !== undefined && typeof g.Bun.serve === "function") {
    const bun = g.Bun;
    return (handler, { hostname, port }) => {
      const server = bun.serve({ hostname, port, fetch: handler });
      return Promise.resolve({ url: `http://${hostname}:${server.port}/`, close: () => Promise.resolve(server.stop(true)) });
    };
  }
  return nodeServe;
}

/** `node:http` bridged to a fetch-style handler. */
export const nodeServe: Serve = (handler, { hostname, port }) =>
  new Promise((resolve, reject) => {
    const server = createServer((req, res) => {
      bridge(req, res, handler).catch((e) => {
        if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
        res.end(String(e));
      });
    });
    server.once("error", reject);
    server.listen(port, hostname, () => {
      const address = server.address();
      const actual = typeof address === "object" && address !== null ? address.port : port;
      resolve({
        url: `http://${hostname}:${actual}/`,
        close: () => new Promise<void>((done) => {
          server.closeAllConnections?.();
          server.close(() => done());
        }),
      });
    });
  });

async function bridge(
  req: IncomingMessage,
  res: ServerResponse,
  handler: (r: Request) => Response | Promise<Response>,
): Promise<void> {
  const url = `http://${req.headers.host ?? "localhost"}${req.url ?? "/"}`;
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) {
    if (typeof v === "string") headers.set(k, v);
    else if (Array.isArray(v)) for (const x of v) headers.append(k, x);
  }
  const method = req.method ?? "GET";
  let body: Uint8Array | undefined;
  if (method !== "GET" && method !== "HEAD") {
    const chunks: Uint8Array[] = [];
    for await (const c of req) chunks.push(c as Uint8Array);
    body = new Uint8Array(Buffer.concat(chunks));
  }
  const response = await handler(new Request(url, { method, headers, body: body as BodyInit | undefined }));
  const out: Record<string, string | string[]> = {};
  response.headers.forEach((v, k) => {
    out[k] = k in out ? ([] as string[]).concat(out[k]!, v) : v;
  });
  res.writeHead(response.status, out);
  if (response.body === null || method === "HEAD") {
    res.end();
    return;
  }
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (!res.write(value)) await new Promise((r) => res.once("drain", r));
  }
  res.end();
}
