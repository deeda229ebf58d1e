#!/usr/bin/env bash
# The whole test gate, stage by stage, printing each stage's time. Called by `make test`.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export BENCHSTUDIO_TEST_POSTGRES_URL="${BENCHSTUDIO_TEST_POSTGRES_URL:-postgresql+asyncpg://postgres@127.0.0.1:5432/test}"
export BENCHSTUDIO_TEST_REDIS_URL="${BENCHSTUDIO_TEST_REDIS_URL:-redis://127.0.0.1:6379}"
export HYPOTHESIS_PROFILE="${HYPOTHESIS_PROFILE:-ci}"
STARTED=$(date +%s)
declare -a SUMMARY=()

stage() {
  local name="$1"; shift
  local t0; t0=$(date +%s)
  echo "=== [$name] $*"
  if "$@"; then
    SUMMARY+=("$(printf '%-22s %5ss  ok' "$name" $(( $(date +%s) - t0 )))")
  else
    local rc=$?
    SUMMARY+=("$(printf '%-22s %5ss  FAILED (exit %s)' "$name" $(( $(date +%s) - t0 )) "$rc")")
    report
    exit "$rc"
  fi
}

report() {
  echo "=== stage times"
  printf '%s\n' "${SUMMARY[@]}"
  echo "total $(( $(date +%s) - STARTED ))s"
}

ensure_chromium() {
  command -v chromium >/dev/null && return 0
  echo "installing Debian's chromium for browser tests"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
}

stage "ruff lint"        $BIN/ruff check .
stage "ruff format"      $BIN/ruff format --check .
stage "mypy (strict)"    $BIN/mypy
stage "import contracts" $BIN/lint-imports --no-cache
stage "module size"      $BIN/python scripts/check_module_size.py src
if [ -f web/package.json ]; then
  stage "web deps"       make --no-print-directory web/node_modules/.installed
  stage "web typecheck"  npm --prefix web run --silent typecheck
  stage "web lint"       npm --prefix web run --silent lint
  stage "web format"     npm --prefix web run --silent format:check
  stage "api client"     npm --prefix web run --silent check:api
  stage "web unit tests" npm --prefix web run --silent test
  stage "web build"      make --no-print-directory web
fi
# BFCL's checker (hash-pinned, requirements-bfcl.txt) for the agreement test: built here, so
# a venv that cannot be built fails the gate instead of skipping the test.
stage "bfcl checker venv" $BIN/python tests/integration/toolcall/toolcall_bfcl_venv.py
# --dist loadfile: a module's tests all run on one worker, so its module-scoped fixtures (the
# security suite's two-tenant worlds, ~40 s each) are built once per backend, not once per
# worker. Not loadgroup: with pytest 9.2, xdist 3.8 can no longer tag grouped tests (its nodeid
# suffix is dropped, pytest-xdist issue 1386), so xdist_group marks silently group nothing.
stage "pytest"           $BIN/pytest -n "${PYTEST_WORKERS:-2}" --dist loadfile -p no:cacheprovider --durations=25
if [ -f web/package.json ] && [ -d web/e2e ]; then
  stage "chromium"       ensure_chromium
  stage "browser tests"  npm --prefix web run --silent e2e
fi
report
