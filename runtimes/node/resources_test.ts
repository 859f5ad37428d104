import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { decodeProfile } from "../../src/pprof/encode.ts";
import { gunzip } from "../../src/gzip.ts";
import { goToolPprofRaw, rawTotals, resolve } from "../../tests/fixtures/pprof/helpers.ts";
import { detectRuntime } from "../detect.ts";
import { resourcesProfile, resourcesToPprofBytes } from "./resources.ts";

describe("resources profile", () => {
  it("resourcesToPprofBytes() counts resources by type, one single-frame stack each", () => {
    const p = decodeProfile(resourcesToPprofBytes(["Timeout", "TCPWrap", "Timeout", "FSReqCallback"], 5n));
    const counts = Object.fromEntries(resolve(p).map((s) => [s.frames.join("/"), s.values[0]]));
    assert.deepEqual(counts, { FSReqCallback: 1, TCPWrap: 1, Timeout: 2 });
    assert.equal(p.timeNanos, 5n);
    assert.equal(p.stringTable[Number(p.sampleType[0].type)], "resources");
  });

  it("resourcesToPprofBytes() output is read by go tool pprof", async () => {
    const { gzip } = await import("../../src/gzip.ts");
    const raw = goToolPprofRaw(await gzip(resourcesToPprofBytes(["Timeout", "Timeout", "TTYWrap"], 0n)));
    assert.deepEqual(rawTotals(raw).totals, [3]);
  });

  it("resourcesProfile() shows a listening server", { skip: detectRuntime() !== "node" && "Node adapter test" }, async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const p = decodeProfile(await gunzip(await resourcesProfile().capture(new AbortController().signal)));
      assert.ok(resolve(p).some((s) => s.frames[0] === "TCPServerWrap"));
    } finally {
      server.close();
    }
  });
});
