import { test } from "node:test";
import assert from "node:assert/strict";
import { zipSync } from "fflate";

test("fflate is importable", () => {
  assert.ok(zipSync({ a: new Uint8Array([1]) }, { level: 0 }).length > 0);
});
