import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Meta } from "../types.ts";
import { fanOutSink } from "./fan_out.ts";

const meta = { capture_time: "t" } as Meta;

describe("fanOutSink", () => {
  it("fanOutSink() stores in every sink and joins their locations", async () => {
    const got: string[] = [];
    const sink = fanOutSink([
      (_m, b) => (got.push(`a${b.length}`), Promise.resolve({ location: "/dir/k", key: "k" })),
      (_m, b) => (got.push(`b${b.length}`), Promise.resolve({ location: "s3://b/k", key: "k" })),
    ]);
    assert.deepEqual(await sink(meta, new Uint8Array(3)), { location: "/dir/k, s3://b/k", key: "k" });
    assert.deepEqual(got.sort(), ["a3", "b3"]);
  });

  it("fanOutSink() rejects when one sink fails, saying where the bundle did go", async () => {
    const sink = fanOutSink([
      () => Promise.resolve({ location: "/dir/k", key: "k" }),
      () => Promise.reject(new Error("403 AccessDenied")),
    ]);
    await assert.rejects(sink(meta, new Uint8Array(1)), (e: AggregateError) => {
      assert.ok(e instanceof AggregateError);
      assert.equal(e.message, "Cannot store bundle in every sink (stored in /dir/k): 403 AccessDenied");
      assert.equal(e.errors.length, 1);
      return true;
    });
  });

  it("fanOutSink() of one sink is that sink, and of none is an error", () => {
    const one = async () => {};
    assert.equal(fanOutSink([one]), one);
    assert.throws(() => fanOutSink([]), RangeError);
  });
});
