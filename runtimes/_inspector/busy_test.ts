import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { CPU_PROFILER_TRACE_CATEGORY, cpuBusyReason, traceBusyReason } from "./busy.ts";
import { claim, inspectorRegistry } from "./registry.ts";

describe("busy checks", () => {
  it("cpuBusyReason() names --cpu-prof and --cpu-prof-dir from execArgv and NODE_OPTIONS", () => {
    assert.match(cpuBusyReason({ execArgv: ["--cpu-prof"] }) ?? "", /--cpu-prof is set/);
    assert.match(cpuBusyReason({ execArgv: ["--cpu-prof-dir=/tmp/p"] }) ?? "", /--cpu-prof-dir/);
    assert.match(cpuBusyReason({ nodeOptions: "--max-old-space-size=100 --cpu_prof" }) ?? "", /--cpu-prof is set/);
    assert.match(cpuBusyReason({ execArgv: ["--prof"] }) ?? "", /--prof is set/);
  });

  it("cpuBusyReason() is undefined for unrelated flags and no tracing", () => {
    assert.equal(cpuBusyReason({ execArgv: ["--cpu-prof-nothing", "--inspect"], nodeOptions: "", enabledTraceCategories: () => undefined }), undefined);
    assert.equal(cpuBusyReason({ enabledTraceCategories: () => "node.perf,v8" }), undefined);
  });

  it("cpuBusyReason() reports a trace that streams a CPU profile", () => {
    const reason = cpuBusyReason({ enabledTraceCategories: () => `v8,${CPU_PROFILER_TRACE_CATEGORY}` });
    assert.match(reason ?? "", /cpu_profiler/);
  });

  it("traceBusyReason() reports enabled categories and trace flags", () => {
    assert.match(traceBusyReason({ enabledTraceCategories: () => "node.perf" }) ?? "", /node\.perf/);
    assert.match(traceBusyReason({ execArgv: ["--trace-events-enabled"] }) ?? "", /--trace-events-enabled/);
    assert.match(traceBusyReason({ nodeOptions: "--trace-event-categories v8" }) ?? "", /--trace-event-categories/);
    assert.equal(traceBusyReason({ enabledTraceCategories: () => "" }), undefined);
  });

  it("traceBusyReason() treats a throwing category reader as no tracing", () => {
    assert.equal(traceBusyReason({ enabledTraceCategories: () => { throw new Error("boom"); } }), undefined);
  });

  it("cpuBusyReason() and traceBusyReason() see sessions the watch recorded", () => {
    const session = {};
    const registry = inspectorRegistry();
    registry.profilingSessions.add(session);
    registry.tracingSessions.add(session);
    try {
      assert.match(cpuBusyReason() ?? "", /another inspector session/);
      assert.match(traceBusyReason() ?? "", /another inspector session/);
    } finally {
      registry.profilingSessions.delete(session);
      registry.tracingSessions.delete(session);
    }
  });

  it("claim() refuses a second holder until the first releases", () => {
    const release = claim("test-kind", "the first holder");
    assert.equal(typeof release, "function");
    assert.equal(claim("test-kind", "a second holder"), "the first holder is running");
    (release as () => void)();
    const again = claim("test-kind", "a third holder");
    assert.equal(typeof again, "function");
    (release as () => void)(); // a stale release leaves the new holder alone
    assert.equal(claim("test-kind", "a fourth holder"), "a third holder is running");
    (again as () => void)();
  });
});
