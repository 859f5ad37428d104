/**
 * Plain-text tables for CLI output, and the escaping that keeps text from
 * bundles (meta fields, entry names: anything a profiled program chose)
 * from driving the terminal with control sequences.
 *
 * @module
 */

/**
 * Makes text safe to print: control characters (C0, DEL, C1, and the
 * bidirectional overrides) become `\u{…}` escapes, so a hostile bundle
 * cannot move the cursor, recolor or hide output.
 *
 * @param text Any text.
 * @returns Text without control characters.
 * @example
 * ```ts
 * import { printable } from "./table.ts";
 * console.log(printable("web\x1b[2J1")); // "web\u{1b}[2J1"
 * ```
 */
export function printable(text: string): string {
  return text.replace(
    // deno-lint-ignore no-control-regex
    /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u{${c.charCodeAt(0).toString(16)}}`,
  );
}

/**
 * Lays out rows as columns separated by two spaces, the last column
 * unpadded. Cells are made {@linkcode printable}.
 *
 * @param header Column titles.
 * @param rows Cells, one array per row.
 * @param options Columns to right-align (numbers, sizes).
 * @returns Lines, each ending in a newline.
 * @example
 * ```ts
 * import { formatTable } from "./table.ts";
 * console.log(formatTable(["NAME", "SIZE"], [["meta", "612 B"]], { right: [1] }));
 * // NAME   SIZE
 * // meta  612 B
 * ```
 */
export function formatTable(header: string[], rows: string[][], options: { right?: number[] } = {}): string {
  const all = [header, ...rows].map((r) => r.map(printable));
  const widths = header.map((_, i) => Math.max(...all.map((r) => [...(r[i] ?? "")].length)));
  const right = new Set(options.right ?? []);
  return all.map((r) =>
    r.map((cell, i) => {
      if (i === r.length - 1 && !right.has(i)) return cell;
      const pad = " ".repeat(widths[i]! - [...cell].length);
      return right.has(i) ? pad + cell : cell + pad;
    }).join("  ").trimEnd() + "\n"
  ).join("");
}
