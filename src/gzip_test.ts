import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { gunzipSync, gzipSync } from "fflate";
import { gunzip, gzip } from "./gzip.ts";

const impls = [
  { name: "CompressionStream", options: { useStreams: true } },
  { name: "fflate", options: { useStreams: false } },
];

describe("gzip", () => {
  it("the runtime has CompressionStream, so the default path is the stream one", () => {
    // Node 18+, Deno and Bun all do; if this fails the fallback is what runs.
    assert.equal(typeof CompressionStream, "function");
    assert.equal(typeof DecompressionStream, "function");
  });

  for (const { name, options } of impls) {
    it(`gzip() via ${name} writes gzip that gunzip() and fflate read back`, async () => {
      const data = new TextEncoder().encode("autoprof ".repeat(1000));
      const packed = await gzip(data, options);
      assert.deepEqual([packed[0], packed[1]], [0x1f, 0x8b]);
      assert.ok(packed.length < data.length / 10, `compressed ${packed.length} bytes`);
      assert.deepEqual(await gunzip(packed, options), data);
      assert.deepEqual(gunzipSync(packed), data);
    });

    it(`gunzip() via ${name} reads fflate's gzip`, async () => {
      const data = new Uint8Array([0, 1, 2, 3, 255, 254]);
      assert.deepEqual(await gunzip(gzipSync(data), options), data);
    });

    it(`gzip() via ${name} round-trips empty and large inputs`, async () => {
      assert.deepEqual(await gunzip(await gzip(new Uint8Array(0), options), options), new Uint8Array(0));
      // 4 MiB of poorly compressible bytes: more output than one stream chunk.
      const big = new Uint8Array(4 << 20);
      let x = 12345;
      for (let i = 0; i < big.length; i++) {
        x = (x * 1103515245 + 12345) >>> 0;
        big[i] = x >>> 24;
      }
      assert.deepEqual(await gunzip(await gzip(big, options), options), big);
    });

    it(`gzip() via ${name} accepts views into a larger or shared buffer`, async () => {
      const backing = new Uint8Array(new SharedArrayBuffer(16));
      backing.set([9, 9, 1, 2, 3, 9]);
      const view = backing.subarray(2, 5);
      assert.deepEqual(await gunzip(await gzip(view, options), options), new Uint8Array([1, 2, 3]));
    });

    it(`gunzip() via ${name} rejects bytes that are not gzip`, async () => {
      await assert.rejects(gunzip(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), options));
    });

    it(`gzip() via ${name} round-trips any bytes`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ maxLength: 5000 }), async (data) => {
          const packed = await gzip(data, options);
          assert.deepEqual(gunzipSync(packed), data);
          assert.deepEqual(await gunzip(packed, options), data);
        }),
        { numRuns: 50 },
      );
    });
  }
});
