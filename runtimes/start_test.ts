import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { unzipSync } from "fflate";
import type { Meta } from "../src/types.ts";
import { start } from "./start.ts";

describe("start", () => {
  it("start() without a sink or dir throws a TypeError", () => {
    assert.throws(() => start({}), TypeError);
  });

  it("start() with the detected runtime flushes a real bundle to a dir and a sink", async () => {
    const dir = await mkdtemp(join(tmpdir(), "autoprof-start-"));
    try {
      const seen: { meta: Meta; bytes: Uint8Array }[] = [];
      const errors: unknown[] = [];
      const handle = start({
        dir,
        sink: (meta, bytes) => (seen.push({ meta, bytes }), Promise.resolve()),
        schedule: false,
        meta: { main: "start-test" },
        onError: (e) => errors.push(e),
      });
      const result = await handle.flush();
      await handle.stop();
      assert.deepEqual(errors, []);
      assert.ok(result.ok);
      assert.equal(result.meta.main, "start-test");
      assert.equal(seen.length, 1);
      const entries = unzipSync(seen[0]!.bytes);
      assert.deepEqual(Object.keys(entries).slice(0, 2), ["meta", "expvar"]);
      const files = await readdir(join(dir, "pprof", "start-test"), { recursive: true });
      assert.equal(files.filter((f) => String(f).endsWith(".zip")).length, 1);
      assert.ok(result.stored?.location.startsWith(`${dir}/pprof/start-test/`), result.stored?.location);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
