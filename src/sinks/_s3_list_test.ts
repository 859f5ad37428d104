import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { parseListObjectsV2 } from "./_s3_list.ts";

function escapeXml(s: string, numeric: boolean): string {
  return [...s].map((c) => {
    if (c === "<") return "&lt;";
    if (c === "&") return "&amp;";
    if (c === ">") return numeric ? "&#62;" : "&gt;";
    if (c === '"') return "&quot;";
    if (c === "'") return numeric ? `&#x${c.codePointAt(0)!.toString(16)};` : "&apos;";
    return c;
  }).join("");
}

function listing(objects: { key: string; size: number }[], next?: string, numeric = false): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
    `<Name>profiles</Name><Prefix>pprof/</Prefix><KeyCount>${objects.length}</KeyCount><MaxKeys>1000</MaxKeys>` +
    `<IsTruncated>${next !== undefined}</IsTruncated>` +
    objects.map((o) =>
      `<Contents><Key>${escapeXml(o.key, numeric)}</Key><LastModified>2026-11-25T02:00:00.000Z</LastModified>` +
      `<ETag>&quot;abc&quot;</ETag><Size>${o.size}</Size><StorageClass>STANDARD</StorageClass></Contents>`
    ).join("\n") +
    (next !== undefined ? `<NextContinuationToken>${escapeXml(next, numeric)}</NextContinuationToken>` : "") +
    `</ListBucketResult>`;
}

// Characters XML 1.0 allows in text.
// deno-lint-ignore no-control-regex
const xmlChar = fc.string({ unit: "grapheme" }).map((s) => s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, ""));

describe("parseListObjectsV2()", () => {
  it("parseListObjectsV2() reads back any keys, sizes and token, however entities are written (property)", () => {
    fc.assert(fc.property(
      fc.array(fc.record({ key: xmlChar.filter((s) => s !== ""), size: fc.nat({ max: Number.MAX_SAFE_INTEGER }) }), { maxLength: 8 }),
      fc.option(xmlChar.filter((s) => s !== "")),
      fc.boolean(),
      (objects, next, numeric) => {
        const page = parseListObjectsV2(listing(objects, next ?? undefined, numeric));
        assert.deepEqual(page.objects, objects.map((o) => ({ key: o.key, size: o.size })));
        assert.equal(page.next, next ?? undefined);
      },
    ));
  });

  it("parseListObjectsV2() never throws anything but SyntaxError on arbitrary input (property)", () => {
    const fragment = fc.constantFrom(
      "<ListBucketResult>", "</ListBucketResult>", "<Contents>", "</Contents>", "<Key>", "</Key>", "<Size>", "</Size>",
      "<IsTruncated>true</IsTruncated>", "<NextContinuationToken>", "</NextContinuationToken>", "&#1114112;", "&#xD800;",
      "&#99999999;", "&bogus;", "&", "<![CDATA[", "]]>", "12", "-1", "1e3", "k",
    );
    fc.assert(fc.property(fc.array(fc.oneof(fragment, fc.string()), { maxLength: 30 }), (parts) => {
      try {
        const page = parseListObjectsV2(parts.join(""));
        for (const o of page.objects) assert.ok(Number.isSafeInteger(o.size) && o.size >= 0);
      } catch (e) {
        assert.ok(e instanceof SyntaxError, `${(e as Error).name}: ${(e as Error).message}`);
      }
    }));
  });

  it("parseListObjectsV2() refuses a truncated listing without a token rather than losing pages", () => {
    assert.throws(
      () => parseListObjectsV2("<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>"),
      /IsTruncated> is true but there is no <NextContinuationToken>/,
    );
  });

  it("parseListObjectsV2() refuses bad sizes, missing keys, bad references and non-listings", () => {
    assert.throws(() => parseListObjectsV2("<Error><Code>AccessDenied</Code></Error>"), /no <ListBucketResult>/);
    assert.throws(() => parseListObjectsV2("<ListBucketResult><Contents><Size>1</Size></Contents></ListBucketResult>"), /has no <Key>/);
    assert.throws(() => parseListObjectsV2("<ListBucketResult><Contents><Key>a</Key><Size>-1</Size></Contents></ListBucketResult>"), /size "-1"/);
    assert.throws(() => parseListObjectsV2("<ListBucketResult><Contents><Key>a&#0;</Key><Size>1</Size></Contents></ListBucketResult>"), /bad character reference/);
  });

  it("parseListObjectsV2() reads CDATA and ignores a Key-like text inside other elements", () => {
    const page = parseListObjectsV2(
      "<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key><![CDATA[a<b]]>&amp;c</Key><Size> 7 </Size>" +
        "<Owner><ID>x</ID></Owner></Contents></ListBucketResult>",
    );
    assert.deepEqual(page, { objects: [{ key: "a<b&c", size: 7 }], next: undefined });
  });
});
