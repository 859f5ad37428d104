// A small Bun program run by bun_heap_snapshot.test.ts (in its own process,
// so the heap stays under the snapshot limit): collects a bundle with the
// opt-in heap snapshot, writes pprof/heap-retainers to the file named by
// its argument and prints the bundle's entry names and errors as JSON.
import * as fs from "node:fs";
import process from "node:process";
import { collectBundle, readBundle } from "../../../mod.ts";
import { createBunAdapter } from "../../../runtimes/bun/mod.ts";

class ConformanceOrder {
  id: number;
  lines: number[];
  constructor(id: number) {
    this.id = id;
    this.lines = [id];
  }
}

(globalThis as Record<string, unknown>).conformanceHolder = {
  conformanceOrders: Array.from({ length: 5000 }, (_, i) => new ConformanceOrder(i)),
};
const adapter = await createBunAdapter({ heapSnapshot: true });
const { meta, names, entries } = readBundle((await collectBundle(adapter)).bytes);
const retainers = entries.get("pprof/heap-retainers");
if (retainers !== undefined) fs.writeFileSync(process.argv[2], retainers);
console.log(JSON.stringify({ names, errors: meta.errors ?? null }));
