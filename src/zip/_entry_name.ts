/**
 * Which entry names are safe: the rules the writer enforces and the reader
 * checks, so autoprof never writes a zip it would refuse to read, and never
 * returns a name that could escape a directory when extracted ("zip slip").
 *
 * @module
 */

/**
 * Says why a zip entry name is unsafe, or `undefined` if it is fine. Like
 * Go's `fs.ValidPath` (no empty, `.` or `..` elements, no leading `/`),
 * plus no backslash, NUL or drive letter; one trailing `/` (a directory
 * entry) is allowed.
 *
 * @param name The decoded entry name.
 * @returns A short reason, or `undefined`.
 * @example
 * ```ts
 * import { unsafeNameReason } from "./_entry_name.ts";
 * console.log(unsafeNameReason("../etc/passwd")); // "it has a \"..\" element"
 * ```
 */
export function unsafeNameReason(name: string): string | undefined {
  if (name === "") return "it is empty";
  if (name.includes("\0")) return "it contains NUL";
  if (name.includes("\\")) return "it contains a backslash";
  if (name.startsWith("/")) return "it is an absolute path";
  if (/^[A-Za-z]:/.test(name)) return "it starts with a drive letter";
  const path = name.endsWith("/") ? name.slice(0, -1) : name;
  for (const element of path.split("/")) {
    if (element === "..") return 'it has a ".." element';
    if (element === ".") return 'it has a "." element';
    if (element === "") return "it has an empty element";
  }
  return undefined;
}
