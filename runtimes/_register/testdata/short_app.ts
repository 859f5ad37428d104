// A short-lived app for register_test.ts: a little work, then it ends.
import process from "node:process";
const mode = process.argv[2] ?? "";
let x = 0;
for (let i = 0; i < 100_000; i++) x += JSON.stringify({ i }).length;
process.stdout.write(`app done ${x}\n`);
if (mode === "serve") {
  // Like a server: alive until signalled.
  setInterval(() => {}, 1000);
  process.stdout.write("ready\n");
}
