import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { ENV_DEFAULTS, parseEnv } from "./env.ts";
import { formatDuration, parseDuration } from "./duration.ts";
import { parseByteSize } from "./byte_size.ts";

const S3_ENV = {
  AUTOPROF_S3_URL: "s3://profiles/team/app",
  AWS_ENDPOINT_URL: "http://127.0.0.1:7480/",
  AWS_REGION: "eu-west-1",
  AWS_ACCESS_KEY_ID: "AKID",
  AWS_SECRET_ACCESS_KEY: "secret",
};

describe("parseDuration", () => {
  it("parseDuration() reads Go-style durations", () => {
    assert.equal(parseDuration("0"), 0);
    assert.equal(parseDuration("500ms"), 500);
    assert.equal(parseDuration("5s"), 5000);
    assert.equal(parseDuration("2m"), 120_000);
    assert.equal(parseDuration("1h30m"), 5_400_000);
    assert.equal(parseDuration("1.5s"), 1500);
    assert.equal(parseDuration(" 10s "), 10_000);
    assert.equal(parseDuration("1500us"), 2);
  });

  it("parseDuration() rejects unitless numbers and junk with a SyntaxError", () => {
    for (const bad of ["", "5", "1.5", "s", "5 s", "-5s", "5x", "5sec", "1e3ms", "NaN", "Infinity"]) {
      assert.throws(() => parseDuration(bad), SyntaxError, bad);
    }
  });

  it("formatDuration() output parses back to the same value", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 40 }), (ms) => {
        assert.equal(parseDuration(formatDuration(ms)), ms);
      }),
    );
  });

  it("parseDuration() never throws anything but SyntaxError and never returns junk", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(..."0123456789.smhunµ -x") }), (s) => {
        try {
          const ms = parseDuration(s);
          assert.ok(Number.isFinite(ms) && ms >= 0 && Number.isInteger(ms));
        } catch (e) {
          assert.ok(e instanceof SyntaxError);
        }
      }),
    );
  });
});

describe("parseByteSize", () => {
  it("parseByteSize() reads decimal and binary suffixes", () => {
    assert.equal(parseByteSize("1000"), 1000);
    assert.equal(parseByteSize("500KB"), 500_000);
    assert.equal(parseByteSize("10mb"), 10_000_000);
    assert.equal(parseByteSize("1GiB"), 1024 ** 3);
    assert.equal(parseByteSize("1.5 KiB"), 1536);
  });

  it("parseByteSize() rejects junk with a SyntaxError", () => {
    for (const bad of ["", "MB", "-1", "10XB", "1e9", "9".repeat(30)]) {
      assert.throws(() => parseByteSize(bad), SyntaxError, bad);
    }
  });
});

describe("parseEnv", () => {
  it("parseEnv() of an empty environment stores to ./profiles every 2m with 5s CPU profiles", () => {
    const { config, warnings } = parseEnv({});
    assert.deepEqual(warnings, []);
    assert.deepEqual(config, {
      dir: "./profiles",
      intervalMs: 120_000,
      cpuProfileDuration: 5000,
      traceDuration: 1000,
      flushOnExit: false,
      flushTimeoutMs: 5000,
      log: false,
    });
  });

  it("parseEnv() reads every variable", () => {
    const { config, warnings } = parseEnv({
      AUTOPROF_DIR: "/var/profiles",
      AUTOPROF_MAX_BUNDLES: "50",
      AUTOPROF_MAX_BYTES: "1GiB",
      AUTOPROF_INTERVAL: "10s",
      AUTOPROF_CPU: "2s",
      AUTOPROF_TRACE: "0",
      AUTOPROF_MAIN: "api",
      AUTOPROF_REVISION: "abc123",
      AUTOPROF_HOSTNAME: "web-1",
      AUTOPROF_FLUSH_ON_EXIT: "1",
      AUTOPROF_FLUSH_TIMEOUT: "3s",
      AUTOPROF_LOG: "true",
      ...S3_ENV,
      AWS_SESSION_TOKEN: "tok",
    });
    assert.deepEqual(warnings, []);
    assert.deepEqual(config, {
      dir: "/var/profiles",
      maxBundles: 50,
      maxBytes: 1024 ** 3,
      intervalMs: 10_000,
      cpuProfileDuration: 2000,
      traceDuration: 0,
      main: "api",
      revision: "abc123",
      hostname: "web-1",
      flushOnExit: true,
      flushTimeoutMs: 3000,
      log: true,
      s3: {
        endpoint: "http://127.0.0.1:7480",
        region: "eu-west-1",
        bucket: "profiles",
        prefix: "team/app/",
        pathStyle: true,
        accessKeyId: "AKID",
        secretAccessKey: "secret",
        sessionToken: "tok",
      },
    });
  });

  it("parseEnv() with only S3 has no filesystem sink and uses AWS's endpoint", () => {
    const { config, warnings } = parseEnv({
      AUTOPROF_S3_URL: "s3://my-bucket",
      AWS_ACCESS_KEY_ID: "a",
      AWS_SECRET_ACCESS_KEY: "b",
    });
    assert.deepEqual(warnings, []);
    assert.equal(config.dir, undefined);
    assert.equal(config.s3?.endpoint, "https://s3.us-east-1.amazonaws.com");
    assert.equal(config.s3?.prefix, "");
    assert.equal(config.s3?.pathStyle, false);
  });

  it("parseEnv() prefers AWS_ENDPOINT_URL_S3 over AWS_ENDPOINT_URL", () => {
    const { config } = parseEnv({ ...S3_ENV, AWS_ENDPOINT_URL_S3: "https://s3.example.com" });
    assert.equal(config.s3?.endpoint, "https://s3.example.com");
  });

  it("parseEnv() warns once per bad variable, naming it, its value and the default", () => {
    const { config, warnings } = parseEnv({
      AUTOPROF_INTERVAL: "60",
      AUTOPROF_CPU: "fast",
      AUTOPROF_TRACE: "2h",
      AUTOPROF_FLUSH_ON_EXIT: "maybe",
      AUTOPROF_MAX_BUNDLES: "-3",
    });
    assert.equal(config.intervalMs, ENV_DEFAULTS.intervalMs);
    assert.equal(config.cpuProfileDuration, 5000);
    assert.equal(config.traceDuration, 1000);
    assert.equal(config.flushOnExit, false);
    assert.equal(config.maxBundles, undefined);
    assert.deepEqual(warnings, [
      'autoprof: ignoring AUTOPROF_INTERVAL="60": missing unit (ms, s, m, h): got "60" (use e.g. 500ms, 5s, 2m); using 2m',
      'autoprof: ignoring AUTOPROF_CPU="fast": unexpected "fast" in "fast" (use e.g. 500ms, 5s, 2m); using 5s',
      'autoprof: ignoring AUTOPROF_TRACE="2h": must be 0 or between 10ms and 10m; using 1s',
      'autoprof: ignoring AUTOPROF_FLUSH_ON_EXIT="maybe": expected 1 or 0; using 0',
      'autoprof: ignoring AUTOPROF_MAX_BUNDLES="-3": must be a whole number >= 1; using no limit',
    ]);
  });

  it("parseEnv() turns S3 off, with one warning, when credentials are missing", () => {
    const { config, warnings } = parseEnv({ AUTOPROF_S3_URL: "s3://bucket-a/x", AUTOPROF_DIR: "/tmp/p" });
    assert.equal(config.s3, undefined);
    assert.equal(config.dir, "/tmp/p");
    assert.deepEqual(warnings, [
      'autoprof: ignoring AUTOPROF_S3_URL="s3://bucket-a/x": AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must both be set; S3 upload is off',
    ]);
  });

  it("parseEnv() says autoprof is off when the only sink is an unusable S3 URL", () => {
    const { config, warnings } = parseEnv({ ...S3_ENV, AUTOPROF_S3_URL: "https://bucket/x" });
    assert.equal(config.s3, undefined);
    assert.equal(config.dir, undefined);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /AUTOPROF_S3_URL="https:\/\/bucket\/x": expected s3:\/\/bucket\/prefix; .*autoprof is off/);
  });

  it("parseEnv() rejects bad bucket names and endpoints", () => {
    for (
      const [env, name] of [
        [{ ...S3_ENV, AUTOPROF_S3_URL: "s3://Bad_Bucket/x" }, "AUTOPROF_S3_URL"],
        [{ ...S3_ENV, AUTOPROF_S3_URL: "s3://a..b/x" }, "AUTOPROF_S3_URL"],
        [{ ...S3_ENV, AWS_ENDPOINT_URL: "not a url" }, "AWS_ENDPOINT_URL"],
        [{ ...S3_ENV, AWS_ENDPOINT_URL: "ftp://host" }, "AWS_ENDPOINT_URL"],
        [{ ...S3_ENV, AWS_REGION: "eu west" }, "AWS_REGION"],
      ] as const
    ) {
      const { config, warnings } = parseEnv(env);
      assert.equal(config.s3, undefined, name);
      assert.equal(warnings.length, 1);
      assert.ok(warnings[0]!.startsWith(`autoprof: ignoring ${name}=`), warnings[0]);
    }
  });

  it("parseEnv() treats empty variables as unset", () => {
    const { config, warnings } = parseEnv({ AUTOPROF_INTERVAL: "", AUTOPROF_DIR: " ", AUTOPROF_MAIN: "" });
    assert.deepEqual(warnings, []);
    assert.equal(config.intervalMs, 120_000);
    assert.equal(config.dir, "./profiles");
    assert.equal(config.main, undefined);
  });

  it("parseEnv() reads AUTOPROF_INTERVAL=0 as no periodic bundles", () => {
    assert.equal(parseEnv({ AUTOPROF_INTERVAL: "0" }).config.intervalMs, 0);
    const { config, warnings } = parseEnv({ AUTOPROF_INTERVAL: "10ms" });
    assert.equal(config.intervalMs, 120_000);
    assert.match(warnings[0]!, /AUTOPROF_INTERVAL="10ms": must be 0 or between 1s and 24h; using 2m/);
  });

  it("parseEnv() never throws and always yields a valid config (fuzzed)", () => {
    const names = [
      "AUTOPROF_DIR",
      "AUTOPROF_MAX_BUNDLES",
      "AUTOPROF_MAX_BYTES",
      "AUTOPROF_S3_URL",
      "AUTOPROF_INTERVAL",
      "AUTOPROF_CPU",
      "AUTOPROF_TRACE",
      "AUTOPROF_MAIN",
      "AUTOPROF_REVISION",
      "AUTOPROF_HOSTNAME",
      "AUTOPROF_FLUSH_ON_EXIT",
      "AUTOPROF_FLUSH_TIMEOUT",
      "AUTOPROF_LOG",
      "AWS_ENDPOINT_URL",
      "AWS_ENDPOINT_URL_S3",
      "AWS_REGION",
      "AWS_DEFAULT_REGION",
      "AWS_ACCESS_KEY_ID",
      "AWS_SECRET_ACCESS_KEY",
      "AWS_SESSION_TOKEN",
    ];
    const value = fc.oneof(
      fc.string(),
      fc.constantFrom("0", "1", "5s", "2m", "500ms", "10MB", "s3://bucket-1/p", "http://127.0.0.1:1"),
      fc.string({ unit: fc.constantFrom(..."0123456789.smhKMGiB:/s3-_ ") }),
    );
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...names), value), (env) => {
        const { config, warnings } = parseEnv(env);
        const ok = (ms: number) => Number.isSafeInteger(ms) && ms >= 0;
        assert.ok(ok(config.intervalMs) && (config.intervalMs === 0 || config.intervalMs >= 1000));
        assert.ok(config.intervalMs <= 24 * 3_600_000);
        assert.ok(ok(config.cpuProfileDuration) && config.cpuProfileDuration <= 600_000);
        assert.ok(ok(config.traceDuration) && config.traceDuration <= 600_000);
        assert.ok(ok(config.flushTimeoutMs) && config.flushTimeoutMs > 0);
        assert.equal(typeof config.flushOnExit, "boolean");
        assert.equal(typeof config.log, "boolean");
        for (const n of [config.maxBundles, config.maxBytes]) {
          if (n !== undefined) assert.ok(Number.isSafeInteger(n) && n >= 1);
        }
        if (config.s3) {
          assert.match(config.s3.endpoint, /^https?:\/\//);
          assert.match(config.s3.bucket, /^[a-z0-9][a-z0-9.-]+[a-z0-9]$/);
          assert.ok(config.s3.prefix === "" || config.s3.prefix.endsWith("/"));
          assert.ok(!config.s3.prefix.startsWith("/"));
        }
        // Every warning names an environment variable that was set.
        for (const w of warnings) {
          const name = /^autoprof: ignoring ([A-Z0-9_]+)=/.exec(w)?.[1];
          assert.ok(name !== undefined && names.includes(name), w);
        }
        assert.ok(warnings.length <= Object.keys(env).length);
      }),
      { numRuns: 500 },
    );
  });

  it("parseEnv() survives an environment whose reads throw", () => {
    const hostile = new Proxy({}, {
      get() {
        throw new Error("NotCapable: requires env access");
      },
    });
    const { config } = parseEnv(hostile);
    assert.equal(config.intervalMs, 120_000);
  });
});
