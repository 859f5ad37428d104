// A Deno program run by deno_permissions.test.ts with few or no
// permissions: prints what its bundle holds as one JSON line.
import { collect, readBundle } from "../../../mod.ts";

const { meta, names, entries } = readBundle(await collect({ cpuProfileDuration: 100 }));
const expvar = JSON.parse(new TextDecoder().decode(entries.get("expvar")));
console.log(JSON.stringify({ meta, names, runtime: expvar.runtime }));
