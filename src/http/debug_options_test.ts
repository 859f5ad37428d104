import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  DEFAULT_MAX_DURATION_MS,
  DEFAULT_RETRY_AFTER_SECONDS,
  exposureWarning,
  resolveDebugOptions,
} from "./debug_options.ts";

describe("debug options", () => {
  it("resolveDebugOptions() applies the defaults", () => {
    const o = resolveDebugOptions();
    assert.equal(o.maxDuration, DEFAULT_MAX_DURATION_MS);
    assert.equal(o.whenBusy, "reject");
    assert.equal(o.retryAfter, DEFAULT_RETRY_AFTER_SECONDS);
    assert.equal(o.authorize, undefined);
    assert.deepEqual(o.bundle, {});
  });

  it("resolveDebugOptions() refuses bad values with the option's name", () => {
    const bad: Array<[unknown, RegExp, ErrorConstructor]> = [
      [{ maxDuration: 0 }, /"maxDuration"/, RangeError],
      [{ maxDuration: Infinity }, /"maxDuration"/, RangeError],
      [{ maxDuration: "5s" }, /"maxDuration"/, RangeError],
      [{ retryAfter: 1.5 }, /"retryAfter"/, RangeError],
      [{ retryAfter: -1 }, /"retryAfter"/, RangeError],
      [{ whenBusy: "queue" }, /"whenBusy".*"queue"/, TypeError],
      [{ authorize: true }, /"authorize"/, TypeError],
      [{ onWarning: "log" }, /"onWarning"/, TypeError],
      [{ hostname: 127 }, /"hostname"/, TypeError],
      [{ bundle: [] }, /"bundle"/, TypeError],
      [null, /expected an object/, TypeError],
    ];
    for (const [options, message, type] of bad) {
      assert.throws(() => resolveDebugOptions(options as never), (e: unknown) => {
        assert.ok(e instanceof type, `${JSON.stringify(options)} threw ${String(e)}`);
        assert.match((e as Error).message, message);
        return true;
      });
    }
  });

  it("exposureWarning() warns only for non-loopback hosts without authorize", () => {
    assert.equal(exposureWarning("127.0.0.1:6060", false), undefined);
    assert.equal(exposureWarning("0.0.0.0", true), undefined);
    const warning = exposureWarning("0.0.0.0", false);
    assert.match(warning ?? "", /non-loopback address \("0\.0\.0\.0"\).*authorize/);
  });
});
