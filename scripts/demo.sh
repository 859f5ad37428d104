#!/usr/bin/env bash
# `npm run demo`: runs examples/demo/app.ts on Node with autoprof started by
# the register preload (no code changes in the app), and prints a line for
# each bundle it stores. Stop it with Ctrl-C: one last bundle is stored.
#
# It also serves the HTTP debug endpoints (docs/HTTP.md) on 127.0.0.1:$PORT
# (default 6060) and prints the URL: try
#   go tool pprof -top http://127.0.0.1:6060/debug/pprof/heap
#   curl -OJ 'http://127.0.0.1:6060/debug/profiles?profile=2s'
#
# Defaults are tuned so a newcomer sees bundles quickly; override any of them:
#   AUTOPROF_DIR=./profiles  AUTOPROF_INTERVAL=10s  AUTOPROF_CPU=2s
#   AUTOPROF_FLUSH_ON_EXIT=1  AUTOPROF_LOG=1  PORT=6060
# To upload to S3 instead, set AUTOPROF_S3_URL=s3://bucket/prefix plus the
# AWS_* variables (and AUTOPROF_DIR= to skip the local copy).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

# Build when dist/ is missing or older than any source file.
stamp=dist/runtimes/register.js
if [ ! -f "$stamp" ] || [ ! -f dist/examples/demo/app.js ] ||
  [ -n "$(find mod.ts src runtimes examples -name '*.ts' -newer "$stamp" -print -quit)" ]; then
  echo "demo: building (tsc)" >&2
  npx tsc -p tsconfig.json
fi

export AUTOPROF_DIR=${AUTOPROF_DIR-./profiles}
export AUTOPROF_INTERVAL=${AUTOPROF_INTERVAL:-10s}
export AUTOPROF_CPU=${AUTOPROF_CPU:-2s}
export AUTOPROF_FLUSH_ON_EXIT=${AUTOPROF_FLUSH_ON_EXIT:-1}
export AUTOPROF_LOG=${AUTOPROF_LOG:-1}
export AUTOPROF_MAIN=${AUTOPROF_MAIN:-autoprof-demo}

echo "demo: bundles every ~${AUTOPROF_INTERVAL} (${AUTOPROF_CPU} CPU profiles) into ${AUTOPROF_DIR:-S3}; Ctrl-C to stop" >&2
exec node --import ./dist/runtimes/register.js dist/examples/demo/app.js
