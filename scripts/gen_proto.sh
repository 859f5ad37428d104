#!/usr/bin/env bash
# Regenerates src/pprof/profile_pb.ts from src/pprof/profile.proto with
# buf + protoc-gen-es (both devDependencies). The output is committed and
# never edited by hand: run `npm run gen:proto` after changing the .proto.
#
# Options: target=ts so Deno/Bun/Node type stripping can import the source;
# import_extension=ts to match the repo's relative-import rule (tsc rewrites
# to .js); protoc-gen-es v2 writes explicit type annotations on every export,
# so the file passes isolatedDeclarations without a wrapper.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

buf=node_modules/@bufbuild/buf/bin/buf
if ! "$buf" --version >/dev/null 2>&1; then
  # buf's npm package links its platform binary in a postinstall step;
  # run it if it was skipped (npm --ignore-scripts).
  node node_modules/@bufbuild/buf/install.js >/dev/null 2>&1 || true
fi
if ! "$buf" --version >/dev/null 2>&1; then
  buf=node_modules/@bufbuild/buf-linux-x64/bin/buf
fi

template=$(cat <<JSON
{"version":"v2","plugins":[{"local":"$root/node_modules/.bin/protoc-gen-es","out":"src/pprof","opt":["target=ts","import_extension=ts"]}]}
JSON
)
"$buf" generate src/pprof --template "$template"
echo "wrote src/pprof/profile_pb.ts" >&2
