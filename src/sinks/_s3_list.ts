/**
 * Parses S3 `ListObjectsV2` responses. Only the few elements autoprof uses
 * are read (`Contents/Key`, `Contents/Size`, `IsTruncated`,
 * `NextContinuationToken`); the rest of the document is ignored. Strict
 * where a mistake would lose data silently: a truncated listing without a
 * continuation token, a missing key, a size that is not a whole number, or
 * a malformed character reference is a `SyntaxError`, never a wrong list.
 *
 * @module
 */

/** One object from a listing page. */
export interface ListedObject {
  /** The object's key (entities decoded). */
  key: string;
  /** Size in bytes. */
  size: number;
}

/** One page of a `ListObjectsV2` response. */
export interface ListPage {
  /** The objects on this page, in the server's (key) order. */
  objects: ListedObject[];
  /** The token for the next page; `undefined` on the last page. */
  next: string | undefined;
}

const NAMED: Record<string, string> = { lt: "<", gt: ">", quot: '"', apos: "'", amp: "&" };

/**
 * Parses one `ListObjectsV2` response body.
 *
 * @param xml The response body.
 * @returns The page's objects and the continuation token.
 * @throws {SyntaxError} If the body is not a usable ListObjectsV2 result.
 * @example
 * ```ts
 * import { parseListObjectsV2 } from "./_s3_list.ts";
 * const page = parseListObjectsV2(
 *   "<ListBucketResult><IsTruncated>false</IsTruncated>" +
 *     "<Contents><Key>a&amp;b.zip</Key><Size>12</Size></Contents></ListBucketResult>",
 * );
 * console.log(page.objects); // [{ key: "a&b.zip", size: 12 }]
 * ```
 */
export function parseListObjectsV2(xml: string): ListPage {
  if (!/<ListBucketResult[\s>]/.test(xml)) {
    throw new SyntaxError(`Invalid S3 listing: no <ListBucketResult> element: got ${JSON.stringify(xml.slice(0, 80))}`);
  }
  const objects: ListedObject[] = [];
  for (const m of xml.matchAll(/<Contents(?:\s[^>]*)?>([\s\S]*?)<\/Contents\s*>/g)) {
    const body = m[1]!;
    const key = elementText(body, "Key");
    if (key === undefined) throw new SyntaxError("Invalid S3 listing: a <Contents> element has no <Key>");
    const sizeText = elementText(body, "Size");
    const size = sizeText === undefined ? NaN : /^\s*\d+\s*$/.test(sizeText) ? Number(sizeText) : NaN;
    if (!Number.isSafeInteger(size)) {
      throw new SyntaxError(`Invalid S3 listing: object ${JSON.stringify(key)} has size ${JSON.stringify(sizeText ?? null)}`);
    }
    objects.push({ key, size });
  }
  const truncated = elementText(stripContents(xml), "IsTruncated")?.trim() === "true";
  let next: string | undefined;
  if (truncated) {
    next = elementText(stripContents(xml), "NextContinuationToken");
    if (next === undefined || next === "") {
      throw new SyntaxError("Invalid S3 listing: <IsTruncated> is true but there is no <NextContinuationToken>");
    }
  }
  return { objects, next };
}

// Top-level elements only: a key could contain text that looks like one.
function stripContents(xml: string): string {
  return xml.replace(/<Contents(?:\s[^>]*)?>[\s\S]*?<\/Contents\s*>/g, "");
}

function elementText(xml: string, tag: string): string | undefined {
  const m = new RegExp(`<${tag}(?:\\s[^>]*)?>([\\s\\S]*?)</${tag}\\s*>|<${tag}(?:\\s[^>]*)?/>`).exec(xml);
  if (m === null) return undefined;
  return decodeText(m[1] ?? "");
}

/** Decodes character data: entities, character references and CDATA sections. */
function decodeText(raw: string): string {
  let out = "";
  let i = 0;
  while (i < raw.length) {
    if (raw.startsWith("<![CDATA[", i)) {
      const end = raw.indexOf("]]>", i + 9);
      if (end < 0) throw new SyntaxError("Invalid S3 listing: unterminated CDATA section");
      out += raw.slice(i + 9, end);
      i = end + 3;
      continue;
    }
    const c = raw[i]!;
    if (c === "<") throw new SyntaxError(`Invalid S3 listing: unexpected markup in text: ${JSON.stringify(raw.slice(i, i + 20))}`);
    if (c !== "&") {
      out += c;
      i++;
      continue;
    }
    const semi = raw.indexOf(";", i);
    const name = semi < 0 ? "" : raw.slice(i + 1, semi);
    out += decodeReference(name, raw.slice(i, i + 12));
    i = semi + 1;
  }
  return out;
}

function decodeReference(name: string, context: string): string {
  const named = Object.hasOwn(NAMED, name) ? NAMED[name] : undefined;
  if (named !== undefined) return named;
  const m = /^#(?:x([0-9a-fA-F]{1,6})|([0-9]{1,7}))$/.exec(name);
  if (m !== null) {
    const cp = m[1] !== undefined ? parseInt(m[1], 16) : parseInt(m[2]!, 10);
    if (cp > 0 && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff)) return String.fromCodePoint(cp);
  }
  throw new SyntaxError(`Invalid S3 listing: bad character reference: ${JSON.stringify(context)}`);
}
