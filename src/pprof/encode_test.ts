import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import { Profile as PprofFormatProfile } from "pprof-format";
import { decodeProfile, encodeProfile } from "./encode.ts";
import { ProfileSchema } from "./profile_pb.ts";
import { cpuProfileToPprof } from "./messages.ts";
import type { CdpCpuProfile } from "./cdp_types.ts";
import { loadFixture } from "../../tests/fixtures/pprof/helpers.ts";

describe("encodeProfile", () => {
  it("encodeProfile() writes the pprof wire format field by field", () => {
    const p = create(ProfileSchema, {
      stringTable: ["", "cpu", "nanoseconds"],
      sampleType: [{ type: 1n, unit: 2n }],
      period: 300n,
    });
    // sample_type (1): len 4 {type=1, unit=2}; string_table (6): "", "cpu",
    // "nanoseconds"; period (12): varint 300.
    const want = [
      0x0a, 0x04, 0x08, 0x01, 0x10, 0x02,
      0x32, 0x00,
      0x32, 0x03, ...new TextEncoder().encode("cpu"),
      0x32, 0x0b, ...new TextEncoder().encode("nanoseconds"),
      0x60, 0xac, 0x02,
    ];
    assert.deepEqual([...encodeProfile(p)], want);
  });

  it("decodeProfile() reads back what encodeProfile() wrote", () => {
    const p = cpuProfileToPprof(loadFixture<CdpCpuProfile>("cpu_node.json"), { startTimeEpochNanos: 42n });
    assert.deepEqual(decodeProfile(encodeProfile(p)), p);
  });

  it("encodeProfile() output is read by the independent pprof-format decoder", () => {
    const p = cpuProfileToPprof(loadFixture<CdpCpuProfile>("cpu_node.json"), { startTimeEpochNanos: 42n });
    const other = PprofFormatProfile.decode(encodeProfile(p));
    assert.deepEqual(other.stringTable.strings, p.stringTable);
    assert.equal(other.sample.length, p.sample.length);
    assert.equal(other.location.length, p.location.length);
    assert.equal(BigInt(other.period), p.period);
    assert.equal(BigInt(other.timeNanos), 42n);
    const leaf = (ids: readonly (number | bigint)[]) => ids.map(Number);
    other.sample.forEach((s, i) => {
      assert.deepEqual(leaf(s.locationId), leaf(p.sample[i].locationId));
      assert.deepEqual(s.value.map(Number), p.sample[i].value.map(Number));
    });
  });

  it("decodeProfile() throws on bytes that are not a protobuf message", () => {
    assert.throws(() => decodeProfile(new Uint8Array([0x0a, 0xff])), Error);
  });
});
