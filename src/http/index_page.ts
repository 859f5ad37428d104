/**
 * The `/debug/pprof/` page: what this process can serve, with links, and
 * why the rest is unavailable (like net/http/pprof's index, for a browser).
 *
 * @module
 */

/** One line of the index. */
export interface IndexEntry {
  /** Profile name, e.g. `heap`. */
  name: string;
  /** Link, relative to `/debug/pprof/`. */
  href: string;
  /** What it is. */
  description: string;
  /** Why it cannot be served here, if it cannot. */
  unavailable?: string;
}

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/**
 * Renders the index page.
 *
 * @param entries The profiles, in display order.
 * @returns A small self-contained HTML document.
 * @example
 * ```ts
 * import { renderIndexPage } from "./index_page.ts";
 * const html = renderIndexPage([{ name: "heap", href: "heap", description: "Live heap" }]);
 * console.log(html.includes('href="heap"')); // true
 * ```
 */
export function renderIndexPage(entries: readonly IndexEntry[]): string {
  const rows = entries.map((e) => {
    const name = e.unavailable === undefined
      ? `<a href="${escapeHtml(e.href)}">${escapeHtml(e.name)}</a>`
      : escapeHtml(e.name);
    const note = e.unavailable === undefined ? "" : ` <em>(unavailable: ${escapeHtml(e.unavailable)})</em>`;
    return `<li>${name}: ${escapeHtml(e.description)}${note}</li>`;
  });
  return [
    "<!DOCTYPE html>",
    '<html><head><meta charset="utf-8"><title>/debug/pprof/</title></head><body>',
    "<h1>/debug/pprof/</h1>",
    "<p>Profiles of this process, in pprof format: <code>go tool pprof http://HOST/debug/pprof/heap</code></p>",
    `<ul>\n${rows.join("\n")}\n</ul>`,
    '<p><a href="../profiles?profile=5s">A bundle</a> (zip: meta, expvar, heap and other profiles, ' +
    "and a CPU profile and trace for <code>?profile=5s&amp;trace=1s</code>) " +
    'and <a href="../vars">published variables</a> (JSON).</p>',
    "</body></html>",
    "",
  ].join("\n");
}
