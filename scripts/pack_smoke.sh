#!/usr/bin/env bash
# The npm package as a user gets it: `npm pack`, install the tarball into a
# scratch app in a temp dir, type-check an import of it, and collect a
# bundle through it on Node, Deno (`npm:autoprof` from the app's own
# node_modules, `nodeModulesDir: manual`) and Bun.
#
# Uses the existing build in dist/ (builds it if missing). Prints one
# `ok`/`not ok` line per check and `pack: N passed, N failed`; exits
# non-zero on any failure. Needs the registry (or npm's cache) for the
# package's dependencies.
#
# Environment: NODE (default: node), DENO and BUN (default: .tools/).
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

node=${NODE:-node}
deno=${DENO:-$root/.tools/deno/node_modules/.bin/deno}
bun=${BUN:-$root/.tools/bun/node_modules/.bin/bun}

pass=0
fail=0
ok() { echo "ok - $1"; pass=$((pass + 1)); }
not_ok() { echo "not ok - $1"; [ -n "${2:-}" ] && sed 's/^/    /' <<<"$2" | tail -20; fail=$((fail + 1)); }
finish() { echo "pack: $pass passed, $fail failed"; [ "$fail" = 0 ]; exit $?; }

work=$(mktemp -d "${TMPDIR:-/tmp}/autoprof-pack-XXXXXX")
trap 'rm -rf "$work"' EXIT

if [ ! -f dist/mod.js ]; then
  npx tsc -p tsconfig.json >&2 || { not_ok "build"; finish; }
fi

# --ignore-scripts: "prepare" would rebuild dist/ (already built).
if out=$(npm pack --ignore-scripts --silent --pack-destination "$work" 2>&1); then
  tarball="$work/$(tail -1 <<<"$out")"
  ok "npm pack ($(du -k "$tarball" | cut -f1) KiB)"
else
  not_ok "npm pack" "$out"; finish
fi

app="$work/app"
mkdir -p "$app"
cat >"$app/package.json" <<EOF
{ "name": "autoprof-pack-smoke", "private": true, "type": "module",
  "dependencies": { "autoprof": "file:$tarball" } }
EOF
if out=$(cd "$app" && npm install --no-audit --no-fund --prefer-offline --loglevel=error 2>&1); then
  ok "npm install of the tarball into a scratch app"
else
  not_ok "npm install of the tarball into a scratch app" "$out"; finish
fi

# The check every runtime runs: a bundle with a CPU profile, whose parts
# match what the adapter declares. Prints "bundle <names>" on success.
check_body='
const want = process.argv[2] ?? process.env.EXPECT_RUNTIME;
const { meta, names } = readBundle(await collect({ cpuProfileDuration: 100 }));
const problems = [];
if (meta.runtime !== want) problems.push(`meta.runtime ${meta.runtime}, expected ${want}`);
if (names[0] !== "meta" || names[1] !== "expvar") problems.push(`first entries ${names.slice(0, 2)}`);
for (const [part, entry] of [["heap", "pprof/heap"], ["cpu", "pprof/profile"]]) {
  const cap = meta.capabilities[part];
  if (cap?.ok && !names.includes(entry)) problems.push(`${entry} missing: ${JSON.stringify(meta.skipped ?? meta.errors)}`);
  if (cap && !cap.ok && (names.includes(entry) || !meta.skipped?.[part])) problems.push(`${part} unavailable but not skipped`);
}
if (currentMeta().proc_id !== meta.proc_id) problems.push("currentMeta() disagrees with the bundle");
if (problems.length > 0) { console.error(problems.join("\n")); process.exit(1); }
console.log(`bundle ${names.join(" ")}`);
'
printf 'import process from "node:process";\nimport { collect, currentMeta, readBundle } from "autoprof";\n%s' "$check_body" >"$app/check.mjs"
printf 'import process from "node:process";\nimport { collect, currentMeta, readBundle } from "npm:autoprof";\n%s' "$check_body" >"$app/check_deno.mjs"
echo '{ "nodeModulesDir": "manual" }' >"$app/deno.json"

# Types: the .d.ts files resolve and describe the API.
cat >"$app/types.ts" <<'EOF'
import { collect, readBundle, type CollectOptions, type Meta } from "autoprof";
const options: CollectOptions = { cpuProfileDuration: 100, custom: { "a.txt": () => "x" } };
const meta: Meta = readBundle(await collect(options)).meta;
const runtime: "node" | "deno" | "bun" | "workerd" | "other" = meta.runtime;
export { runtime };
EOF
cat >"$app/tsconfig.json" <<'EOF'
{ "compilerOptions": { "target": "es2022", "module": "nodenext", "moduleResolution": "nodenext",
  "strict": true, "noEmit": true, "skipLibCheck": true, "types": [], "lib": ["es2023", "dom"] },
  "files": ["types.ts"] }
EOF
if out=$(cd "$app" && "$root/node_modules/.bin/tsc" -p tsconfig.json 2>&1); then
  ok "TypeScript resolves the package's types (nodenext)"
else
  not_ok "TypeScript resolves the package's types (nodenext)" "$out"
fi

run_check() { # run_check LABEL COMMAND...
  local label=$1; shift
  if out=$(cd "$app" && "$@" 2>&1); then ok "$label: $(grep '^bundle ' <<<"$out" | tail -1)"; else not_ok "$label" "$out"; fi
}
run_check "Node ($("$node" --version)) imports autoprof and collects" "$node" check.mjs node
for sub in $(cd "$app" && "$node" -e 'const e = require("./node_modules/autoprof/package.json").exports; console.log(Object.keys(e).filter((k) => k !== "." && !k.endsWith(".json")).join(" "))'); do
  spec="autoprof/${sub#./}"
  if [ "$sub" = ./cli ]; then
    # A program, not a library: importing it runs the CLI. Run the installed bin instead.
    if out=$(cd "$app" && ./node_modules/.bin/autoprof --help 2>&1) && grep -q '^Usage: autoprof' <<<"$out"; then
      ok "the autoprof bin runs (node_modules/.bin/autoprof --help)"
    else
      not_ok "the autoprof bin runs (node_modules/.bin/autoprof --help)" "$out"
    fi
    continue
  fi
  if out=$(cd "$app" && "$node" --input-type=module -e "await import('$spec')" 2>&1); then ok "Node imports $spec"; else not_ok "Node imports $spec" "$out"; fi
done
if [ -x "$deno" ]; then
  run_check "Deno ($("$deno" --version | head -1)) imports npm:autoprof from node_modules and collects" \
    env EXPECT_RUNTIME=deno "$deno" run -A check_deno.mjs
else
  not_ok "Deno: $deno not found (run scripts/install_runtimes.sh)"
fi
if [ -x "$bun" ]; then
  run_check "Bun ($("$bun" --version)) imports autoprof and collects" "$bun" check.mjs bun
else
  not_ok "Bun: $bun not found (run scripts/install_runtimes.sh)"
fi
finish
