#!/usr/bin/env bash
# run-vscode-tests.sh -- run the extension in a real VS Code (code-server 4.100.3):
#   (a) the extension-host mocha suite (payload extensionTestsPath), and
#   (b) Playwright UI tests test/vscode/ui/*.ui.js (plain mocha, spec reporter),
# against ONE code-server with the packaged vsix installed and a copy of
# test/fixtures/workspace opened. Prints stage timings and, last,
#   vscode: N passed, N failed
# Exit status is non-zero if anything failed or if no test ran.
#
# Prerequisites: built + packaged extension (dist/specreason.vsix) and compiled
# tests in out/. The rig itself is installed on demand (scripts/install-vscode-rig.sh,
# a no-op once installed).
#
# Env (all optional):
#   VSIX              default dist/specreason.vsix
#   EXT_DEV_DIR       extensionDevelopmentPath for (a); default: the repo
#   EXT_TESTS_PATH    runner module for (a); default out/test/integration/index.js
#   UI_TESTS          glob of UI test files; default test/vscode/ui/*.ui.js
#   FIXTURE_WORKSPACE default test/fixtures/workspace (copied to RUN_DIR/workspace)
#   SETTINGS_JSON     extra user settings merged over the quiet defaults
#   ARTIFACTS_DIR     default test-artifacts/ (screenshots, logs on failure)
#   PORT              default auto
#   SKIP_EXT_TESTS=1, SKIP_UI_TESTS=1   skip a stage
#   EXT_TESTS         only these extension-host files, by name (e.g. engines,launcher for
#                     test/integration/{engines,launcher}.test.ts); default all
#   EXT_TEST_TIMEOUT_MS (default 300000), UI_TEST_TIMEOUT_MS (mocha --timeout, default 180000)
#   KEEP_RUNS         run dirs kept under .vscode-test/runs (default 5)
# Passed to the server / extension host: RESULT_FILE (set here) and the whole
# caller environment (e.g. SPECREASON_*). Passed to UI tests: CODE_SERVER_URL,
# WORKSPACE_DIR, RUN_DIR, ARTIFACTS_DIR.
set -uo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$REPO"
CS="$REPO/scripts/code-server.sh"
VSIX=${VSIX:-$REPO/dist/specreason.vsix}
EXT_DEV_DIR=${EXT_DEV_DIR:-$REPO}
EXT_TESTS_PATH=${EXT_TESTS_PATH:-$REPO/out/test/integration/index.js}
UI_TESTS=${UI_TESTS:-$REPO/test/vscode/ui/*.ui.js}
FIXTURE_WORKSPACE=${FIXTURE_WORKSPACE:-$REPO/test/fixtures/workspace}
export ARTIFACTS_DIR=${ARTIFACTS_DIR:-$REPO/test-artifacts}
MOCHA=${MOCHA:-$REPO/node_modules/.bin/mocha}
KEEP_RUNS=${KEEP_RUNS:-5}

T_ALL=$(date +%s%N)
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
TIMINGS=()
stage() { STAGE_NAME=$1; STAGE_T=$(date +%s%N); echo; echo "=== vscode: $1"; }
done_stage() { local ms; ms=$(ms_since "$STAGE_T"); TIMINGS+=("$STAGE_NAME: ${ms} ms"); echo "=== vscode: $STAGE_NAME done in ${ms} ms"; }
fatal() { echo "vscode: ERROR: $*" >&2; echo "vscode: 0 passed, 1 failed"; exit 1; }

PASSED=0 FAILED=0
RUN_DIR=

cleanup() {
  local rc=$?
  if [ -n "$RUN_DIR" ] && [ -f "$RUN_DIR/pgid" ]; then "$CS" stop "$RUN_DIR" || true; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ------------------------------------------------------------------ rig
stage "install rig"
bash "$REPO/scripts/install-vscode-rig.sh" >"${TMPDIR:-/tmp}/vscode-rig-install.$$.log" 2>&1 \
  || { cat "${TMPDIR:-/tmp}/vscode-rig-install.$$.log"; fatal "rig install failed"; }
grep '^\[rig\]' "${TMPDIR:-/tmp}/vscode-rig-install.$$.log" | tail -n 3
rm -f "${TMPDIR:-/tmp}/vscode-rig-install.$$.log"
done_stage

[ -f "$VSIX" ] || fatal "no vsix at $VSIX (build and package first: npm run package)"
[ -x "$MOCHA" ] || fatal "mocha not found at $MOCHA"

# ------------------------------------------------------------------ run dir
RUNS="$REPO/.vscode-test/runs"
mkdir -p "$RUNS" "$ARTIFACTS_DIR"
[ -f "$REPO/.vscode-test/.gitignore" ] || echo '*' > "$REPO/.vscode-test/.gitignore"
# stop servers left behind by runs whose orchestrator is gone (run dir name ends in its pid)
for d in "$RUNS"/*/; do
  [ -f "$d/pgid" ] || continue
  owner=${d%/}; owner=${owner##*-}
  kill -0 "$owner" 2>/dev/null || "$CS" stop "${d%/}" || true
done
# prune old runs (keep the newest KEEP_RUNS-1, this one makes KEEP_RUNS)
for d in $(ls -1d "$RUNS"/*/ 2>/dev/null | sort | head -n "-$(( KEEP_RUNS > 1 ? KEEP_RUNS - 1 : 1 ))"); do
  [ -f "$d/pgid" ] || rm -rf "$d"     # never delete the dir of a live server
done
RUN_DIR="$RUNS/$(date +%Y%m%d-%H%M%S)-$$"
mkdir -p "$RUN_DIR"
export RUN_DIR
echo "vscode: run dir $RUN_DIR"

stage "install vsix + seed settings + workspace"
"$CS" install-vsix "$RUN_DIR" "$VSIX" || fatal "vsix install failed"
"$CS" seed-settings "$RUN_DIR" ${SETTINGS_JSON:+"$SETTINGS_JSON"} || fatal "settings seeding failed"
[ -d "$FIXTURE_WORKSPACE" ] || fatal "no fixture workspace at $FIXTURE_WORKSPACE"
export WORKSPACE_DIR="$RUN_DIR/workspace"
cp -a "$FIXTURE_WORKSPACE/." "$WORKSPACE_DIR/" 2>/dev/null || { mkdir -p "$WORKSPACE_DIR" && cp -a "$FIXTURE_WORKSPACE/." "$WORKSPACE_DIR/"; }
done_stage

# ------------------------------------------------------------------ server
stage "start code-server"
export RESULT_FILE="$RUN_DIR/ext-result.json"
rm -f "$RESULT_FILE"
CODE_SERVER_URL=$("$CS" start "${PORT:-auto}" "$RUN_DIR" "$WORKSPACE_DIR") || fatal "code-server did not start"
export CODE_SERVER_URL
echo "vscode: $CODE_SERVER_URL"
done_stage

# ------------------------------------------------------------------ (a) extension host suite
if [ -z "${SKIP_EXT_TESTS:-}" ]; then
  stage "extension-host tests"
  if [ ! -f "$EXT_TESTS_PATH" ] && [ ! -f "$EXT_TESTS_PATH.js" ]; then
    echo "vscode: ext-host runner not found: $EXT_TESTS_PATH (compile tests first)"
    FAILED=$((FAILED + 1))
  else
    node "$REPO/test/vscode/runExtensionTests.js" "$CODE_SERVER_URL" "$EXT_DEV_DIR" "$EXT_TESTS_PATH" "$WORKSPACE_DIR"
    ext_rc=$?
    if [ -f "$RESULT_FILE" ]; then
      read -r p f < <(node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"));console.log((+r.passes||0)+" "+(+r.failures||0))' "$RESULT_FILE") \
        || { p=0; f=1; }
      echo "vscode: ext-host suite: $p passed, $f failed (runner exit $ext_rc)"
      PASSED=$((PASSED + p)); FAILED=$((FAILED + f))
      if [ "$ext_rc" -ne 0 ] && [ "$f" -eq 0 ]; then FAILED=$((FAILED + 1)); echo "vscode: runner exited $ext_rc with 0 failures recorded: counted as 1 failure"; fi
    else
      echo "vscode: ext-host suite wrote no RESULT_FILE (runner exit $ext_rc): counted as 1 failure"
      FAILED=$((FAILED + 1))
    fi
  fi
  done_stage
fi

# ------------------------------------------------------------------ (b) UI tests
if [ -z "${SKIP_UI_TESTS:-}" ]; then
  stage "UI tests"
  # shellcheck disable=SC2206
  ui_files=( $UI_TESTS )
  if [ ! -e "${ui_files[0]:-}" ]; then
    echo "vscode: no UI test files match $UI_TESTS"
  else
    ui_log="$RUN_DIR/ui-mocha.log"
    # --no-config/--no-package: the repo's .mocharc.json is for unit tests
    "$MOCHA" --no-config --no-package --reporter spec --timeout "${UI_TEST_TIMEOUT_MS:-180000}" \
      "${ui_files[@]}" 2>&1 | tee "$ui_log"
    ui_rc=${PIPESTATUS[0]}
    p=$(grep -Eo '^ *[0-9]+ passing' "$ui_log" | grep -Eo '[0-9]+' | tail -n1); p=${p:-0}
    f=$(grep -Eo '^ *[0-9]+ failing' "$ui_log" | grep -Eo '[0-9]+' | tail -n1); f=${f:-0}
    echo "vscode: UI tests: $p passed, $f failed (mocha exit $ui_rc)"
    PASSED=$((PASSED + p)); FAILED=$((FAILED + f))
    if [ "$ui_rc" -ne 0 ] && [ "$f" -eq 0 ]; then FAILED=$((FAILED + 1)); echo "vscode: mocha exited $ui_rc with no failing count: counted as 1 failure"; fi
  fi
  done_stage
fi

# ------------------------------------------------------------------ stop + summary
stage "stop code-server"
"$CS" stop "$RUN_DIR" || true
done_stage

if [ "$FAILED" -gt 0 ]; then
  logs="$ARTIFACTS_DIR/vscode-logs"
  rm -rf "$logs"; mkdir -p "$logs"
  cp "$RUN_DIR/server.log" "$logs/" 2>/dev/null || true
  cp -r "$RUN_DIR/ud/logs" "$logs/ud-logs" 2>/dev/null || true
  echo "vscode: server + VS Code logs copied to $logs"
fi

echo
echo "--- vscode timings"
printf '  %s\n' "${TIMINGS[@]}"
echo "  total: $(ms_since "$T_ALL") ms"
echo "vscode: $PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ] && [ $((PASSED + FAILED)) -gt 0 ]
