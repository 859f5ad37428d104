import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { gunzipSync } from "fflate";
import { goToolPprofRaw, rawTotals, total } from "../../tests/fixtures/pprof/helpers.ts";
import { decodeProfile } from "../pprof/encode.ts";
import { runCli } from "./main.ts";
import { profileEntry } from "./merge.ts";
import { cpuSpec, heapSpec, makeBundle } from "./testdata/bundles.ts";
import { capture, memoryHost } from "./testdata/memory_host.ts";

function store() {
  const bundles = [
    makeBundle({ meta: { capture_time: "2026-11-25T01:00:00.000Z" }, cpu: cpuSpec([[["main", "a"], 1]], 1_000n) }),
    makeBundle({ meta: { capture_time: "2026-11-25T02:00:00.000Z" }, cpu: cpuSpec([[["main", "a"], 2], [["main", "b"], 3]], 500n) }),
    makeBundle({ meta: { capture_time: "2026-11-25T02:30:00.000Z" } }), // no CPU profile
    makeBundle({ meta: { main: "worker", capture_time: "2026-11-25T02:00:00.000Z" }, cpu: cpuSpec([[["w"], 9]]) }),
  ];
  return { bundles, files: Object.fromEntries(bundles.map((b) => [`profiles/${b.key}`, b.bytes])) };
}

describe("autoprof merge", () => {
  it("merge sums one program's CPU profiles into a file go tool pprof reads, skipping bundles without one", async () => {
    const s = store();
    const host = memoryHost(s.files);
    assert.equal(await runCli(["merge", "--main", "api", "-o", "cpu.pb.gz"], host), 0, host.stderr.text);
    const merged = decodeProfile(gunzipSync(host.files.get("cpu.pb.gz")!));
    assert.equal(total(merged, 0), 6);
    assert.equal(merged.timeNanos, 500n);
    assert.equal(merged.durationNanos, 2_000_000_000n);
    assert.match(host.stderr.text, /^Merged pprof\/profile from 2 bundles into cpu\.pb\.gz \(\d+ B; 2 stacks; samples\/count, cpu\/nanoseconds\); skipped 1 without pprof\/profile\n$/);
    const raw = rawTotals(goToolPprofRaw(host.files.get("cpu.pb.gz")!));
    assert.deepEqual(raw.totals, [6, 60_000_000]);
  });

  it("merge takes explicit bundles and --profile heap, and writes to stdout when it is not a terminal", async () => {
    const s = store();
    const host = memoryHost(s.files);
    assert.equal(await runCli(["merge", "-p", "heap", "T01:00", "worker"], host), 0, host.stderr.text);
    const merged = decodeProfile(gunzipSync(host.stdout.bytes[0]!));
    assert.equal(total(merged, 0), 6, "two default heap profiles of 3 objects");
  });

  it("merge refuses a terminal stdout, mixed sample types and an empty selection with clear errors", async () => {
    const s = store();
    const tty = memoryHost(s.files);
    tty.stdout = capture(true);
    assert.equal(await runCli(["merge"], tty), 2);
    assert.match(tty.stderr.text, /Refusing to write a binary profile to the terminal: pass -o FILE/);

    const odd = makeBundle({ meta: { hostname: "zz-1" }, cpu: heapSpec([[["x"], 1]]) });
    const mixed = memoryHost({ ...s.files, [`profiles/${odd.key}`]: odd.bytes });
    assert.equal(await runCli(["merge", "--main", "api", "-o", "x.pb.gz"], mixed), 1);
    assert.match(mixed.stderr.text, /Cannot merge \.\/profiles\/pprof\/api\/zz-1\/.*: its sample types \[inuse_objects\/count, inuse_space\/bytes\] differ from the first profile's \[samples\/count, cpu\/nanoseconds\]/);
    assert.ok(!mixed.files.has("x.pb.gz"));

    const none = memoryHost(s.files);
    assert.equal(await runCli(["merge", "--main", "nobody", "-o", "x"], none), 2);
    assert.match(none.stderr.text, /No bundles to merge/);
    const noCpu = memoryHost(s.files);
    assert.equal(await runCli(["merge", "T02:30", "-o", "x"], noCpu), 1);
    assert.match(noCpu.stderr.text, /none of the 1 bundles has pprof\/profile/);
  });

  it("profileEntry() maps short names to entries and refuses the trace", () => {
    assert.deepEqual(["cpu", "heap", "cpu-during-trace", "allocs", "a b"].map(profileEntry), ["pprof/profile", "pprof/heap", "pprof/profile-during-trace", "pprof/allocs", "pprof/a%20b"]);
    assert.throws(() => profileEntry("trace"), /Cannot merge traces/);
  });
});
