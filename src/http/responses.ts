/**
 * The responses of the debug endpoints. Errors are one line of plain text,
 * which `go tool pprof` prints as the server's answer; profiles are
 * downloads, like net/http/pprof's.
 *
 * @module
 */

// net/http/pprof sends nosniff on every answer; profiles are never cached.
const COMMON = { "x-content-type-options": "nosniff", "cache-control": "no-store" };

/**
 * A plain-text answer (errors, mostly).
 *
 * @param status The HTTP status.
 * @param message One line; a newline is added.
 * @param headers Extra headers.
 * @returns The response.
 * @example
 * ```ts
 * import { textResponse } from "./responses.ts";
 * console.log(textResponse(404, "Unknown profile: goroutine").status); // 404
 * ```
 */
export function textResponse(status: number, message: string, headers: Record<string, string> = {}): Response {
  return new Response(`${message}\n`, {
    status,
    headers: { ...COMMON, "content-type": "text/plain; charset=utf-8", ...headers },
  });
}

/**
 * A download: `200` with the bytes, `Content-Disposition: attachment`.
 *
 * @param bytes The body.
 * @param options `fileName` (already safe to quote) and `contentType`.
 * @returns The response.
 * @example
 * ```ts
 * import { downloadResponse } from "./responses.ts";
 * const r = downloadResponse(new Uint8Array([1]), { fileName: "heap" });
 * console.log(r.headers.get("content-disposition")); // 'attachment; filename="heap"'
 * ```
 */
export function downloadResponse(
  bytes: Uint8Array,
  options: { fileName: string; contentType?: string },
): Response {
  return new Response(bytes as Uint8Array<ArrayBuffer>, {
    status: 200,
    headers: {
      ...COMMON,
      "content-type": options.contentType ?? "application/octet-stream",
      "content-disposition": `attachment; filename="${options.fileName}"`,
    },
  });
}

/**
 * A JSON document (`/debug/vars`), with Go expvar's content type.
 *
 * @param text The JSON text.
 * @returns The response.
 * @example
 * ```ts
 * import { jsonResponse } from "./responses.ts";
 * console.log(jsonResponse("{}\n").headers.get("content-type")); // "application/json; charset=utf-8"
 * ```
 */
export function jsonResponse(text: string): Response {
  return new Response(text, { status: 200, headers: { ...COMMON, "content-type": "application/json; charset=utf-8" } });
}

/**
 * An HTML page (`/debug/pprof/`).
 *
 * @param html The page.
 * @returns The response.
 * @example
 * ```ts
 * import { htmlResponse } from "./responses.ts";
 * console.log(htmlResponse("<p>hi</p>").status); // 200
 * ```
 */
export function htmlResponse(html: string): Response {
  return new Response(html, { status: 200, headers: { ...COMMON, "content-type": "text/html; charset=utf-8" } });
}
