/**
 * Whether a host name or address stays on this machine. The debug
 * endpoints hand out heap contents and let callers run profilers, so the
 * handler warns when it is reachable from elsewhere without an
 * `authorize` hook.
 *
 * @module
 */

/**
 * Whether `host` is a loopback name or address: `localhost` and
 * `*.localhost` (RFC 6761), `127.0.0.0/8` in any notation the URL parser
 * accepts (`127.1`, `0x7f.0.0.1`), `::1` and IPv4-mapped `::ffff:127.x.x.x`.
 * A port and IPv6 brackets are allowed. The wildcard addresses `0.0.0.0`
 * and `::` are not loopback: they listen on every interface.
 *
 * @param host A host, `host:port`, `[v6]:port` or bare IPv6 address.
 * @returns `true` for loopback; `false` for anything else, including
 *   text that is not a host at all.
 * @example
 * ```ts
 * import { isLoopbackHost } from "./loopback.ts";
 * console.log(isLoopbackHost("127.0.0.1:6060"), isLoopbackHost("[::1]"), isLoopbackHost("0.0.0.0")); // true true false
 * ```
 */
export function isLoopbackHost(host: string): boolean {
  if (typeof host !== "string" || host === "") return false;
  // A bare IPv6 address ("::1") has colons but no brackets.
  const authority = !host.startsWith("[") && host.indexOf(":") !== host.lastIndexOf(":") ? `[${host}]` : host;
  let hostname: string;
  try {
    const url = new URL(`http://${authority}/`);
    if (url.username !== "" || url.password !== "" || url.pathname !== "/") return false;
    hostname = url.hostname;
  } catch {
    return false;
  }
  // The URL parser lowercases names, and normalises IPv4 to dotted
  // decimal and IPv6 to its shortest form.
  if (hostname === "localhost" || hostname.endsWith(".localhost")) return true;
  if (/^127\.\d+\.\d+\.\d+$/.test(hostname)) return true;
  if (hostname === "[::1]") return true;
  return /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(hostname);
}
