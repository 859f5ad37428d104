import { afterEach, beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Meta } from "../types.ts";
import { fsSink, type FsOps } from "./fs.ts";
import { nodeFsOps } from "../../runtimes/_fs/node_fs_ops.ts";

function meta(overrides: Partial<Meta> = {}): Meta {
  return {
    format_version: 1,
    main: "api",
    revision: "1.0.0",
    runtime: "node",
    runtime_version: "v24.0.0",
    hostname: "web-1",
    proc_id: "1-6744d2c0-0123456789abcdef01234567-42",
    init_time: "2026-11-25T01:00:00.000Z",
    capture_time: "2026-11-25T02:00:00.000Z",
    capabilities: {},
    ...overrides,
  };
}

function at(minute: number, overrides: Partial<Meta> = {}): Meta {
  return meta({ capture_time: `2026-11-25T02:${String(minute).padStart(2, "0")}:00.000Z`, ...overrides });
}

async function listTree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath ?? (e as unknown as { path: string }).path, e.name).slice(dir.length + 1))
    .sort();
}

describe("fsSink", () => {
  let dir = "";
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "autoprof-fs-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("fsSink() writes a bundle under pprof/<main>/<hostname>/<proc_id>/<capture_time>.zip", async () => {
    const sink = fsSink({ dir: `${dir}/nested/out/` }, nodeFsOps);
    const bytes = new Uint8Array([80, 75, 5, 6, 1, 2, 3]);
    const res = await sink(meta({ main: "my app/v2" }), bytes);
    const key = "pprof/my%20app%2Fv2/web-1/1-6744d2c0-0123456789abcdef01234567-42/2026-11-25T02:00:00.000Z.zip";
    assert.deepEqual(res, { location: `${dir}/nested/out/${key}`, key });
    assert.deepEqual(new Uint8Array(await readFile(res!.location)), bytes);
    assert.deepEqual(await listTree(`${dir}/nested/out`), [key]);
  });

  it("fsSink() cannot be steered outside its directory by meta values", async () => {
    const sink = fsSink({ dir }, nodeFsOps);
    await sink(meta({ main: "..", hostname: "", proc_id: "../../etc" }), new Uint8Array([1]));
    const files = await listTree(dir);
    assert.equal(files.length, 1);
    assert.ok(files[0]!.startsWith("pprof/%2E%2E/_/..%2F..%2Fetc/"), files[0]);
  });

  it("fsSink() leaves no file behind when the write fails", async () => {
    const failing: FsOps = {
      ...nodeFsOps,
      async writeNew(path, bytes) {
        await nodeFsOps.writeNew(path, bytes.subarray(0, 1));
        throw Object.assign(new Error("No space left on device"), { code: "ENOSPC" });
      },
    };
    await assert.rejects(fsSink({ dir }, failing)(meta(), new Uint8Array(100)), /No space left/);
    assert.deepEqual(await listTree(dir), []);
  });

  it("fsSink() never exposes a partial file under the final name", async () => {
    const seen: string[] = [];
    const watching: FsOps = {
      ...nodeFsOps,
      async writeNew(path, bytes) {
        seen.push(path);
        await nodeFsOps.writeNew(path, bytes);
        // While the data is being written, the final name must not exist.
        assert.deepEqual((await listTree(dir)).filter((f) => !f.split("/").pop()!.startsWith(".")), []);
      },
    };
    const res = await fsSink({ dir }, watching)(meta(), new Uint8Array(10));
    assert.equal(seen.length, 1);
    assert.match(seen[0]!, /\/\.2026-11-25T02:00:00\.000Z\.zip\.[0-9a-f]{12}\.tmp$/);
    assert.equal(seen[0]!.slice(0, seen[0]!.lastIndexOf("/")), res!.location.slice(0, res!.location.lastIndexOf("/")));
  });

  it("fsSink() with maxBundles deletes the oldest bundles across processes, and only bundles", async () => {
    const sink = fsSink({ dir, maxBundles: 3 }, nodeFsOps);
    await mkdir(`${dir}/pprof/api`, { recursive: true });
    await writeFile(`${dir}/pprof/api/notes.txt`, "keep me");
    await writeFile(`${dir}/README`, "keep me too");
    await sink(at(1, { proc_id: "p1" }), new Uint8Array(1));
    await sink(at(2, { proc_id: "p2" }), new Uint8Array(1));
    await sink(at(3, { proc_id: "p1" }), new Uint8Array(1));
    await sink(at(4, { proc_id: "p2" }), new Uint8Array(1));
    await sink(at(5, { proc_id: "p3" }), new Uint8Array(1));
    assert.deepEqual(await listTree(dir), [
      "README",
      "pprof/api/notes.txt",
      "pprof/api/web-1/p1/2026-11-25T02:03:00.000Z.zip",
      "pprof/api/web-1/p2/2026-11-25T02:04:00.000Z.zip",
      "pprof/api/web-1/p3/2026-11-25T02:05:00.000Z.zip",
    ]);
  });

  it("fsSink() with maxBytes keeps the newest bundles that fit, and always the newest", async () => {
    const sink = fsSink({ dir, maxBytes: 250 }, nodeFsOps);
    await sink(at(1), new Uint8Array(100));
    await sink(at(2), new Uint8Array(100));
    await sink(at(3), new Uint8Array(100));
    assert.deepEqual(await listTree(dir), [
      "pprof/api/web-1/1-6744d2c0-0123456789abcdef01234567-42/2026-11-25T02:02:00.000Z.zip",
      "pprof/api/web-1/1-6744d2c0-0123456789abcdef01234567-42/2026-11-25T02:03:00.000Z.zip",
    ]);
    await sink(at(4), new Uint8Array(1000));
    assert.deepEqual(await listTree(dir), [
      "pprof/api/web-1/1-6744d2c0-0123456789abcdef01234567-42/2026-11-25T02:04:00.000Z.zip",
    ]);
  });

  it("fsSink() retention removes process directories it emptied", async () => {
    const sink = fsSink({ dir, maxBundles: 1 }, nodeFsOps);
    await sink(at(1, { main: "old", proc_id: "p1" }), new Uint8Array(1));
    await sink(at(2, { main: "new", proc_id: "p2" }), new Uint8Array(1));
    assert.deepEqual(await readdir(`${dir}/pprof`), ["new"]);
  });

  it("fsSink() reports retention failures without failing the store", async () => {
    const errors: unknown[] = [];
    const ops: FsOps = {
      ...nodeFsOps,
      remove() {
        return Promise.reject(new Error("EPERM: operation not permitted"));
      },
    };
    const sink = fsSink({ dir, maxBundles: 1, onRetentionError: (e) => errors.push(e) }, ops);
    await sink(at(1), new Uint8Array(1));
    const res = await sink(at(2), new Uint8Array(1));
    assert.ok(res!.location.endsWith("02:02:00.000Z.zip"));
    assert.equal(errors.length, 1);
    assert.match(String(errors[0]), /EPERM/);
  });

  it("fsSink() rejects retention limits that are not whole numbers >= 1", () => {
    for (const bad of [{ maxBundles: 0 }, { maxBytes: -1 }, { maxBundles: 1.5 }, { maxBytes: NaN }]) {
      assert.throws(() => fsSink({ dir, ...bad }, nodeFsOps), RangeError);
    }
  });
});
