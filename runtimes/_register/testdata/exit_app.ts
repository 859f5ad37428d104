// Child process for exit_flush_test.ts: installs the exit hooks on a fake
// collector and then behaves as argv[2] says.
import process from "node:process";
import { installExitFlush } from "../exit_flush.ts";
import type { FlushResult, PeriodicHandle } from "../../../src/periodic.ts";

const mode = process.argv[2] ?? "";
const out = (s: string) => process.stdout.write(`${s}\n`);

const handle: PeriodicHandle = {
  running: true,
  stop() {
    out("stop");
    return Promise.resolve();
  },
  async flush(): Promise<FlushResult> {
    out("flush start");
    if (mode.includes("hang")) await new Promise(() => {});
    await new Promise((r) => setTimeout(r, 50));
    out("flush done");
    return { ok: true, meta: {} as never, stored: { location: "mem", key: "k" } };
  },
};
installExitFlush(handle, {
  timeoutMs: mode.includes("hang") ? 300 : 5000,
  onDone: (r, reason) => out(`done ${reason} ${r === "timeout" ? "timeout" : r.ok}`),
});

if (mode.includes("own-handler")) {
  process.on("SIGTERM", () => {
    out("app handler");
    setTimeout(() => process.exit(7), 200);
  });
}
if (mode.includes("signal")) {
  // Stay alive like a server until signalled.
  setInterval(() => {}, 1000);
  out("ready");
}
// "exit" mode: nothing keeps the loop alive, so the process ends by itself.
