import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { captureCpuProfile } from "./cpu_capture.ts";
import { HeapSampler } from "./heap_sampler.ts";
import { InspectorSession } from "./session.ts";

// Runtimes without a usable inspector, simulated by replacing the loader.
const broken = {
  "a module that fails to load": () => Promise.reject(new Error("Inspector is not available")),
  "a module without Session": () => Promise.resolve({}),
  "a Session constructor that throws": () =>
    Promise.resolve({
      Session: class {
        constructor() {
          throw new Error("no inspector in this build");
        }
      },
    }),
  "a Session whose connect() throws": () =>
    Promise.resolve({
      Session: class {
        connect(): void {
          throw new Error("connect failed");
        }
      },
    }),
};

describe("InspectorSession without an inspector", () => {
  for (const [name, load] of Object.entries(broken)) {
    it(`InspectorSession.open() reports ${name} instead of throwing`, async () => {
      const opened = await InspectorSession.open({ load });
      assert.equal(opened.ok, false);
      assert.ok(!opened.ok && opened.reason.length > 0);
    });

    it(`captureCpuProfile() is skipped with ${name}`, async () => {
      const result = await captureCpuProfile({ durationMs: 10, byteTarget: 0, signal: new AbortController().signal, load });
      assert.equal(result.ok, false);
      assert.ok(!result.ok && result.skipped.length > 0);
    });

    it(`HeapSampler.start() reports ${name}`, async () => {
      const started = await HeapSampler.start({ load });
      assert.equal(started.ok, false);
    });
  }

  it("InspectorSession.open() names the cause", async () => {
    const opened = await InspectorSession.open({ load: broken["a module that fails to load"] });
    assert.ok(!opened.ok && opened.reason.includes("Inspector is not available"));
  });

  it("captureCpuProfile() rejects a duration that is not positive", async () => {
    await assert.rejects(
      captureCpuProfile({ durationMs: 0, byteTarget: 0, signal: new AbortController().signal }),
      RangeError,
    );
  });
});
