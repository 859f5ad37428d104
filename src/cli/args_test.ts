import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { parseArgs, UsageError } from "./args.ts";

const specs = {
  main: { type: "string" },
  json: { type: "boolean", short: "j" },
  out: { type: "string", short: "o" },
  tag: { type: "string", multiple: true },
} as const;

describe("parseArgs()", () => {
  it("parseArgs() reads long, short, clustered and = forms, and positionals anywhere", () => {
    const r = parseArgs(["a", "--main", "api", "-jo", "x.pb.gz", "b", "--tag=1", "--tag", "2", "--", "--json"], specs);
    assert.deepEqual(r.options, { main: "api", json: true, out: "x.pb.gz", tag: ["1", "2"] });
    assert.deepEqual(r.positionals, ["a", "b", "--json"]);
  });

  it("parseArgs() keeps a lone dash and values that look like options after a valued option", () => {
    const r = parseArgs(["-o", "-", "--main", "--json"], specs);
    assert.deepEqual(r.options, { out: "-", main: "--json" });
  });

  it("parseArgs() rejects unknown options, missing values and values for booleans with the fix in the message", () => {
    assert.throws(() => parseArgs(["--nope"], specs), (e: unknown) => e instanceof UsageError && /Unknown option: --nope/.test(e.message));
    assert.throws(() => parseArgs(["-x"], specs), /Unknown option: -x/);
    assert.throws(() => parseArgs(["--main"], specs), /--main needs a value: e.g. --main=VALUE/);
    assert.throws(() => parseArgs(["-o"], specs), /-o \(--out\) needs a value/);
    assert.throws(() => parseArgs(["--json=1"], specs), /--json takes no value/);
    assert.throws(() => parseArgs(["--__proto__"], specs), /Unknown option/);
  });

  it("parseArgs() round-trips any option values and positionals (property)", () => {
    const value = fc.string();
    const positional = fc.string().filter((s) => !s.startsWith("-"));
    fc.assert(fc.property(fc.option(value), fc.boolean(), fc.option(value), fc.array(positional, { maxLength: 4 }), fc.array(fc.string(), { maxLength: 3 }), (main, json, out, pos, tail) => {
      const argv: string[] = [];
      if (main !== null) argv.push(`--main=${main}`);
      if (json) argv.push("-j");
      if (out !== null) argv.push("-o", out);
      argv.push(...pos, "--", ...tail);
      const r = parseArgs(argv, specs);
      assert.equal(r.options.main, main ?? undefined);
      assert.equal(r.options.json, json ? true : undefined);
      assert.equal(r.options.out, out ?? undefined);
      assert.deepEqual(r.positionals, [...pos, ...tail]);
    }));
  });

  it("parseArgs() either parses arbitrary argv or throws UsageError (property)", () => {
    fc.assert(fc.property(fc.array(fc.oneof(fc.string(), fc.constantFrom("--", "-", "--main", "-o", "-jo", "--json=", "--tag"))), (argv) => {
      try {
        parseArgs(argv, specs);
      } catch (e) {
        assert.ok(e instanceof UsageError, String(e));
      }
    }));
  });
});
