/**
 * Conformance: the README's capability matrix says what this runtime's
 * adapter declares (regenerate it with `npm run matrix`), and the matrix
 * renderer round-trips.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { currentMeta } from "../../mod.ts";
import {
  MATRIX_END,
  MATRIX_PARTS,
  MATRIX_START,
  parseMatrix,
  readMatrixBlock,
  renderMatrix,
  replaceMatrixBlock,
  runtimeLabel,
  withMarkers,
} from "../../scripts/capability_matrix.ts";
import { repoRoot, testRuntimeId } from "./_support.ts";

const HINT = "README.md's capability matrix is out of date: run `npm run matrix`";

test("the README's capability matrix matches what this runtime's adapter declares", () => {
  const id = testRuntimeId();
  const label = runtimeLabel(id);
  const readme = fs.readFileSync(path.join(repoRoot(), "README.md"), "utf8");
  const block = readMatrixBlock(readme);
  assert.ok(block !== undefined, `README.md has no ${MATRIX_START} … ${MATRIX_END} block: run \`npm run matrix\``);
  const inReadme = parseMatrix(block);
  const expected = parseMatrix(renderMatrix([{ id, capabilities: currentMeta().capabilities }]));
  assert.deepEqual(inReadme.rows.get(label), expected.rows.get(label), `${HINT} (${label} row)`);
  for (const [, heading] of MATRIX_PARTS) {
    assert.equal(
      inReadme.details.get(heading)?.get(label),
      expected.details.get(heading)?.get(label),
      `${HINT} (${label}, ${heading})`,
    );
  }
});

test("renderMatrix() groups equal details and parseMatrix() reads them back", () => {
  const same = { ok: true as const, detail: "V8 | sampler" };
  const block = renderMatrix([
    { id: "bun", capabilities: { heap: { ok: true, detail: "counts" }, trace: { ok: false, reason: "none" } } },
    { id: "node24", capabilities: { heap: same, trace: { ok: true } } },
    { id: "deno", capabilities: { heap: same } },
  ]);
  const parsed = parseMatrix(block);
  assert.deepEqual([...parsed.rows.keys()], ["Node 24", "Deno", "Bun"]);
  assert.deepEqual(parsed.rows.get("Bun"), ["✓", "✗", "✗", "✗", "✗", "✗"]);
  assert.match(block, /^ {2}- Node 24, Deno: ✓ V8 \\\| sampler$/m);
  assert.equal(parsed.details.get("pprof/heap")?.get("Bun"), "✓ counts");
  assert.equal(parsed.details.get("trace")?.get("Node 24"), "✓");
  assert.equal(parsed.details.get("trace")?.get("Deno"), "✗ not declared");
});

test("withMarkers() appends the section once and replaceMatrixBlock() keeps the rest", () => {
  const readme = withMarkers("# Title\n\nIntro.");
  assert.equal(withMarkers(readme), readme);
  const updated = replaceMatrixBlock(readme, "TABLE");
  assert.ok(updated.startsWith("# Title\n\nIntro.\n"));
  assert.equal(readMatrixBlock(updated), "TABLE");
  assert.throws(() => replaceMatrixBlock("# no markers", "x"), /lacks the markers/);
});
