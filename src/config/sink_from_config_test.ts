import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Meta } from "../types.ts";
import { parseEnv } from "./env.ts";
import { sinkFromConfig } from "./sink_from_config.ts";
import { nodeFsOps } from "../../runtimes/_fs/node_fs_ops.ts";

const meta: Meta = {
  format_version: 1,
  main: "api",
  revision: "1",
  runtime: "node",
  runtime_version: "v24.0.0",
  hostname: "h",
  proc_id: "p",
  init_time: "2026-11-25T01:00:00.000Z",
  capture_time: "2026-11-25T02:00:00.000Z",
  capabilities: {},
};

describe("sinkFromConfig", () => {
  it("sinkFromConfig() stores to AUTOPROF_DIR and AUTOPROF_S3_URL together", async () => {
    const dir = await mkdtemp(join(tmpdir(), "autoprof-cfg-"));
    try {
      const urls: string[] = [];
      const { config } = parseEnv({
        AUTOPROF_DIR: dir,
        AUTOPROF_S3_URL: "s3://bkt/team",
        AWS_ENDPOINT_URL: "http://s3.test:9000",
        AWS_ACCESS_KEY_ID: "k",
        AWS_SECRET_ACCESS_KEY: "s",
      });
      const sink = sinkFromConfig(config, {
        fsOps: nodeFsOps,
        fetch: (req) => {
          urls.push(`${req.method} ${req.url}`);
          return Promise.resolve(new Response(null, { status: 200 }));
        },
      });
      const res = await sink!(meta, new Uint8Array([7]));
      const file = `${dir}/pprof/api/h/p/2026-11-25T02:00:00.000Z.zip`;
      assert.equal(res?.location, `${file}, s3://bkt/team/pprof/api/h/p/2026-11-25T02:00:00.000Z.zip`);
      assert.deepEqual(new Uint8Array(await readFile(file)), new Uint8Array([7]));
      assert.deepEqual(urls, ["PUT http://s3.test:9000/bkt/team/pprof/api/h/p/2026-11-25T02%3A00%3A00.000Z.zip"]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("sinkFromConfig() returns undefined when nothing is configured", () => {
    const { config } = parseEnv({ AUTOPROF_S3_URL: "nonsense" });
    assert.equal(sinkFromConfig(config, { fsOps: nodeFsOps }), undefined);
  });
});
