import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { bundleFileName, goPathBase } from "./file_name.ts";
import { unescapeEntryName } from "../names.ts";

describe("bundle file name", () => {
  it("goPathBase() matches Go's path.Base", () => {
    const cases: Array<[string, string]> = [
      ["", "."],
      ["/", "/"],
      ["///", "/"],
      ["a", "a"],
      ["a/b", "b"],
      ["a/b/", "b"],
      ["/srv/app/server.js", "server.js"],
      ["@acme/api", "api"],
      ["C:\\app\\main.js", "C:\\app\\main.js"],
    ];
    for (const [input, want] of cases) assert.equal(goPathBase(input), want, JSON.stringify(input));
  });

  it("bundleFileName() is profile_<base of main>_<proc_id>_<capture_time>.zip, path-escaped like Go", () => {
    const meta = {
      main: "/srv/my app/server.js",
      proc_id: "1-6744d2c0-0123456789abcdef01234567-4242",
      capture_time: "2026-11-25T02:00:00.000Z",
    };
    assert.equal(
      bundleFileName(meta),
      "profile_server.js_1-6744d2c0-0123456789abcdef01234567-4242_2026-11-25T02:00:00.000Z.zip",
    );
    assert.equal(
      bundleFileName({ ...meta, main: 'we"ird name/ü' }),
      "profile_%C3%BC_1-6744d2c0-0123456789abcdef01234567-4242_2026-11-25T02:00:00.000Z.zip",
    );
    assert.equal(bundleFileName({ ...meta, main: "" }).split("_")[1], ".");
  });

  it("bundleFileName() is always safe inside a quoted Content-Disposition and keeps main's base", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), fc.string(), (main, procId) => {
        const name = bundleFileName({ main, proc_id: procId, capture_time: "2026-11-25T02:00:00.000Z" });
        assert.match(name, /^profile_[A-Za-z0-9\-_.~$&+:=@%]*_[A-Za-z0-9\-_.~$&+:=@%]*_2026-11-25T02:00:00\.000Z\.zip$/);
        const base = goPathBase(main);
        // The escaped base is the text up to the next "_" when it has none itself.
        if (!base.includes("_") && !/\p{Cs}/u.test(base)) {
          assert.equal(unescapeEntryName(name.slice("profile_".length).split("_")[0]!), base);
        }
      }),
    );
  });

  it("bundleFileName() turns lone surrogates into U+FFFD instead of throwing", () => {
    const name = bundleFileName({ main: "a\uD800", proc_id: "p", capture_time: "t" });
    assert.equal(name, "profile_a%EF%BF%BD_p_t.zip");
  });
});
