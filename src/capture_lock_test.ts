import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { acquireCapture, isCaptureRunning, tryAcquireCapture } from "./capture_lock.ts";

/** Lets queued promise callbacks run. */
const settle = () => new Promise((r) => setTimeout(r, 0));

function take(): () => void {
  const release = tryAcquireCapture();
  assert.ok(release, "the lock should be free at the start of each test");
  return release;
}

describe("capture lock", () => {
  it("tryAcquireCapture() gives the lock to one caller at a time", () => {
    const release = take();
    assert.equal(isCaptureRunning(), true);
    assert.equal(tryAcquireCapture(), undefined);
    release();
    assert.equal(isCaptureRunning(), false);
    take()();
  });

  it("a release function works once: calling it again does not free someone else's lock", () => {
    const first = take();
    first();
    const second = take();
    first();
    assert.equal(tryAcquireCapture(), undefined, "second still holds the lock");
    second();
  });

  it("acquireCapture() serves waiters in arrival order", async () => {
    const release = take();
    const order: string[] = [];
    const waiters = ["a", "b", "c"].map((name) =>
      acquireCapture().then((r) => {
        order.push(name);
        return r;
      })
    );
    await settle();
    assert.deepEqual(order, []);
    release();
    const ra = await waiters[0];
    await settle();
    assert.deepEqual(order, ["a"], "only one waiter holds the lock");
    ra();
    (await waiters[1])();
    (await waiters[2])();
    assert.deepEqual(order, ["a", "b", "c"]);
    assert.equal(isCaptureRunning(), false);
  });

  it("tryAcquireCapture() does not jump the queue when the lock is handed over", async () => {
    const release = take();
    const waiter = acquireCapture();
    release();
    assert.equal(tryAcquireCapture(), undefined, "the waiter owns the lock now");
    (await waiter)();
    take()();
  });

  it("acquireCapture() rejects with the signal's reason and leaves the queue when aborted", async () => {
    const release = take();
    const controller = new AbortController();
    const aborted = acquireCapture(controller.signal);
    const next = acquireCapture();
    const reason = new DOMException("gave up", "AbortError");
    controller.abort(reason);
    await assert.rejects(aborted, (e) => e === reason);
    release();
    (await next)();
    assert.equal(isCaptureRunning(), false);
  });

  it("acquireCapture() with an already aborted signal rejects without taking the lock", async () => {
    const reason = new Error("too late");
    await assert.rejects(acquireCapture(AbortSignal.abort(reason)), (e) => e === reason);
    assert.equal(isCaptureRunning(), false);
  });

  it("acquireCapture() takes a free lock at once", async () => {
    const release = await acquireCapture(new AbortController().signal);
    assert.equal(isCaptureRunning(), true);
    release();
  });

  it("the lock is shared through a global symbol, so module copies agree", async () => {
    const ext = import.meta.url.endsWith(".ts") ? "ts" : "js";
    const copy: typeof import("./capture_lock.ts") = await import(`./capture_lock.${ext}?copy=${Date.now()}`);
    assert.notEqual(copy.tryAcquireCapture, tryAcquireCapture);
    const release = take();
    assert.equal(copy.tryAcquireCapture(), undefined);
    assert.equal(copy.isCaptureRunning(), true);
    release();
    const releaseCopy = copy.tryAcquireCapture();
    assert.ok(releaseCopy);
    assert.equal(tryAcquireCapture(), undefined);
    releaseCopy();
  });
});
