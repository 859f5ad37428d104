import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { isLoopbackHost } from "./loopback.ts";

describe("isLoopbackHost()", () => {
  it("accepts loopback names and addresses, with or without a port", () => {
    for (
      const host of [
        "localhost",
        "LOCALHOST:6060",
        "api.localhost",
        "127.0.0.1",
        "127.0.0.1:6060",
        "127.1",
        "127.255.255.254",
        "0x7f.0.0.1",
        "::1",
        "[::1]",
        "[::1]:6060",
        "0:0:0:0:0:0:0:1",
        "::ffff:127.0.0.1",
        "[::ffff:127.0.0.1]:80",
      ]
    ) {
      assert.equal(isLoopbackHost(host), true, host);
    }
  });

  it("refuses wildcard, public and private addresses, other names and junk", () => {
    for (
      const host of [
        "",
        "0.0.0.0",
        "::",
        "[::]:6060",
        "10.0.0.5",
        "192.168.1.2:6060",
        "128.0.0.1",
        "::2",
        "::ffff:10.0.0.1",
        "example.com",
        "localhost.example.com",
        "127.0.0.1.nip.io",
        "user@127.0.0.1",
        "127.0.0.1/x",
        "[::1",
      ]
    ) {
      assert.equal(isLoopbackHost(host), false, host);
    }
  });

  it("classifies every IPv4 address by its first octet", () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.option(fc.integer({ min: 1, max: 65535 })), (ip, port) => {
        const host = port === null ? ip : `${ip}:${port}`;
        assert.equal(isLoopbackHost(host), ip.startsWith("127."), host);
      }),
    );
  });

  it("never throws on arbitrary text", () => {
    fc.assert(fc.property(fc.string(), (s) => {
      assert.equal(typeof isLoopbackHost(s), "boolean");
    }));
  });
});
