/**
 * The viewer's HTML page: inline styles, the script from the viewer's own
 * `app.js`, nothing fetched from elsewhere (it works offline, and the
 * Content-Security-Policy the app sends forbids other origins).
 *
 * @module
 */
const STYLE = `
body { font: 13px/1.4 system-ui, sans-serif; margin: 1em 2em; color: #222; }
h1 { font-size: 16px; word-break: break-all; }
h2 { font-size: 14px; margin: 1.5em 0 .3em; }
h2 small { color: #777; font-weight: normal; }
table.bundles { border-collapse: collapse; }
table.bundles th, table.bundles td { text-align: left; padding: 2px 8px; border-bottom: 1px solid #eee; white-space: nowrap; }
td.num { text-align: right; }
td.key { color: #777; font-family: monospace; }
dl.meta { display: grid; grid-template-columns: max-content auto; gap: 0 1em; }
dl.meta dt { color: #777; }
dl.meta dd { margin: 0; font-family: monospace; }
ul.entries { columns: 2; }
.error { color: #b00; white-space: pre-wrap; }
.status { color: #777; }
.flame { position: relative; width: 100%; overflow: hidden; margin-top: 4px; }
.frame { position: absolute; height: 17px; box-sizing: border-box; padding: 0 3px; overflow: hidden;
  white-space: nowrap; text-overflow: ellipsis; font: 11px/17px monospace; cursor: pointer;
  background: #f4a259; border: 1px solid #fff; border-width: 0 1px 1px 0; }
.frame:nth-child(3n) { background: #f6bd60; }
.frame:nth-child(3n+1) { background: #f28482; }
.frame.ancestor { background: #ddd; }
.frame:hover { filter: brightness(1.1); outline: 1px solid #333; }
.lane { display: grid; grid-template-columns: 14em auto; border-bottom: 1px solid #eee; }
.lane-name { font-family: monospace; font-size: 11px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.lane-body { position: relative; }
.ev { position: absolute; height: 13px; min-width: 1px; overflow: hidden; white-space: nowrap;
  font: 10px/13px monospace; background: #84a59d; color: #fff; border-right: 1px solid #fff; box-sizing: border-box; }
`;

/**
 * The page.
 *
 * @param title The page title (the store's location).
 * @returns HTML.
 * @example
 * ```ts
 * import { viewerPage } from "./page.ts";
 * console.log(viewerPage("profiles").startsWith("<!doctype html>")); // true
 * ```
 */
export function viewerPage(title: string): string {
  const safe = title.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>autoprof: ${safe}</title>
<style>${STYLE}</style>
</head>
<body>
<div id="app"></div>
<script src="app.js"></script>
</body>
</html>
`;
}
