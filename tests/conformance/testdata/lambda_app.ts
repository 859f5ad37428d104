// Child process for lambda.test.ts: a "lambda-style" app. It handles two
// invocations through sampleInvocations() (a bundle flushed at the end of
// each, within a budget), then waits like a runtime between events until
// SIGTERM, when flushOnExit() stores a last bundle within its budget.
// argv: <dir> <mode>; mode "hang" uses a sink that never finishes.
import process from "node:process";
import { flushOnExit, sampleInvocations, start } from "../../../mod.ts";

const [dir, mode] = process.argv.slice(2);
const hang = mode === "hang";
const out = (s: string) => process.stdout.write(`${s}\n`);

const profiler = start({
  ...(hang ? { sink: () => new Promise<never>(() => {}) } : { dir: dir! }),
  schedule: false,
  meta: { main: "lambda-app" },
  onError: () => {},
});
flushOnExit(profiler, {
  timeoutMs: hang ? 300 : 30_000,
  onDone: (r, reason) => out(`exit flush ${reason} ${r === "timeout" ? "timeout" : r.ok}`),
});

const handler = sampleInvocations(async (event: { n: number }, _context: { getRemainingTimeInMillis(): number }) => {
  await new Promise((r) => setTimeout(r, 10));
  return { doubled: event.n * 2 };
}, {
  profiler,
  oneIn: 1,
  timeoutMs: hang ? 200 : 30_000,
  onFlushed: (r) => out(`flushed ${r.ok ? "ok" : (r.error as Error).name}`),
});

for (let n = 1; n <= 2; n++) {
  const result = await handler({ n }, { getRemainingTimeInMillis: () => 60_000 });
  out(`invocation ${n} ${result.doubled}`);
}
// Like a lambda runtime between events: alive until told to stop.
setInterval(() => {}, 1000);
out("ready");
