import { test } from "node:test";
import assert from "node:assert/strict";
import { gunzipSync } from "fflate";
import { decodeProfile } from "../../src/pprof/encode.ts";
import type { Profile } from "../../src/pprof/profile_pb.ts";
import { bunHeapStatsProfile } from "./heap.ts";
import { HEAP_STATS_COMMENT, HEAP_STATS_FILE, heapStatsToPprof } from "./heap_stats.ts";

const str = (p: Profile, i: bigint): string => p.stringTable[Number(i)];

/** Type name -> count, read back through the profile's tables. */
function countsOf(p: Profile): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of p.sample) {
    assert.equal(s.locationId.length, 1);
    const loc = p.location.find((l) => l.id === s.locationId[0])!;
    const fn = p.function.find((f) => f.id === loc.line[0].functionId)!;
    assert.equal(str(p, fn.filename), HEAP_STATS_FILE);
    out[str(p, fn.name)] = Number(s.value[0]);
  }
  return out;
}

test("heapStatsToPprof() is labelled as counts, not a sampling profile", () => {
  const p = heapStatsToPprof({ Object: 10 }, 1_700_000_000_000_000_000n);
  assert.deepEqual(p.sampleType.map((t) => `${str(p, t.type)}/${str(p, t.unit)}`), ["live_objects/count"]);
  assert.equal(`${str(p, p.periodType!.type)}/${str(p, p.periodType!.unit)}`, "live_objects/count");
  assert.equal(p.period, 1n);
  assert.deepEqual(p.comment.map((c) => str(p, c)), [HEAP_STATS_COMMENT]);
  assert.match(HEAP_STATS_COMMENT, /not a sampling profile/);
  assert.equal(p.timeNanos, 1_700_000_000_000_000_000n);
});

test("heapStatsToPprof() has one sample per type with a positive count", () => {
  const p = heapStatsToPprof({ string: 428, Function: 536, Structure: 0, Bogus: Number.NaN, Object: 3 }, 0n);
  assert.deepEqual(countsOf(p), { Function: 536, Object: 3, string: 428 });
});

test("bunHeapStatsProfile() gzips the profile of heapStats() and honours an aborted signal", async () => {
  const jsc = {
    heapStats: () => ({ heapSize: 1, objectTypeCounts: { Array: 2, Promise: 1 } }),
    heapSize: () => 1,
    memoryUsage: () => ({}),
  };
  const bytes = await bunHeapStatsProfile(jsc, new AbortController().signal);
  assert.deepEqual(countsOf(decodeProfile(gunzipSync(bytes))), { Array: 2, Promise: 1 });
  await assert.rejects(bunHeapStatsProfile(jsc, AbortSignal.abort()), { name: "AbortError" });
});
