import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { formatBytes, Progress } from "./progress.ts";

function stream(isTTY: boolean, columns = 60) {
  const s = { text: "", isTTY, columns, write(t: string) { s.text += t; } };
  return s;
}

describe("Progress", () => {
  it("Progress redraws in place on a terminal, at most every 100 ms, and ends with the final count", () => {
    let now = 0;
    const out = stream(true);
    const p = new Progress(out, { label: "reading", total: 1000, now: () => now });
    p.advance(1); // first draw is immediate
    for (let i = 0; i < 98; i++) {
      now += 1;
      p.advance(1);
    }
    assert.equal(out.text.split("\r").length - 1, 1, "one draw within 100 ms");
    now += 10;
    p.advance(1);
    assert.equal(out.text.split("\r").length - 1, 2);
    p.advance(900);
    p.done();
    p.done();
    const last = out.text.split("\r").at(-1)!;
    // deno-lint-ignore no-control-regex
    assert.match(last, /^\x1b\[2Kreading \[#+\] 100% 1000\/1000\n$/);
    assert.ok(out.text.endsWith("\n") && !out.text.slice(0, -1).includes("\n"), "one line, finished once");
  });

  it("Progress.render() fits the terminal width and fills the bar in proportion", () => {
    const out = stream(true, 40);
    const p = new Progress(out, { label: "merging", total: 4, now: () => 0 });
    p.advance(1);
    const line = p.render();
    assert.ok(line.length < 40, line);
    const bar = /\[(#*)( *)\]/.exec(line)!;
    assert.equal(bar[1]!.length, Math.round((bar[1]!.length + bar[2]!.length) / 4));
    assert.match(line, / 25% 1\/4$/);
  });

  it("Progress writes plain lines every 10 s when stderr is not a terminal, and nothing for short work", () => {
    let now = 0;
    const out = stream(false);
    const p = new Progress(out, { label: "listing", unit: "count", now: () => now });
    p.advance(5);
    now = 9_999;
    p.advance(5);
    assert.equal(out.text, "");
    now = 10_000;
    p.advance(5);
    p.done();
    assert.equal(out.text, "listing: 15\n");
  });

  it("Progress shows byte totals for downloads", () => {
    const out = stream(true, 80);
    const p = new Progress(out, { label: "downloading", unit: "bytes", total: 2 * 1024 * 1024, now: () => 0 });
    p.advance(1024 * 1024);
    assert.match(p.render(), / 50% 1\.0 MiB\/2\.0 MiB$/);
  });

  it("formatBytes() uses binary units", () => {
    assert.deepEqual([0, 1023, 1536, 5 * 1024 ** 3].map(formatBytes), ["0 B", "1023 B", "1.5 KiB", "5.0 GiB"]);
  });
});
