#!/usr/bin/env bash
# code-server.sh -- start/stop a hermetic code-server (VS Code 1.100.3) for tests.
#
#   code-server.sh start PORT RUN_DIR [FOLDER]
#       PORT may be "auto" (or 0): a free port is chosen.
#       Fresh user-data-dir RUN_DIR/ud and extensions dir RUN_DIR/ext (created if
#       missing; existing content such as seeded settings / installed vsix is kept).
#       Starts in its own process group (setsid), waits for /healthz, writes
#       RUN_DIR/pgid, RUN_DIR/port, RUN_DIR/url, logs to RUN_DIR/server.log and
#       prints the base URL (http://127.0.0.1:PORT) on stdout.
#       The caller's environment (RESULT_FILE, SPECREASON_*, ...) is inherited by
#       the server and therefore by the extension hosts it spawns.
#   code-server.sh stop RUN_DIR
#       kill -- -PGID, wait until the whole group is gone (SIGKILL after 10 s).
#   code-server.sh install-vsix RUN_DIR VSIX
#       code-server --install-extension into RUN_DIR/ext (user data RUN_DIR/ud).
#   code-server.sh seed-settings RUN_DIR [EXTRA_SETTINGS_JSON_FILE]
#       Write RUN_DIR/ud/User/settings.json: quiet defaults, merged with any
#       existing file, then with the extra file (extra wins).
#   code-server.sh seed-remote-settings RUN_DIR SETTINGS_JSON_FILE
#       Merge the file into RUN_DIR/ud/Machine/settings.json: the Remote
#       settings of the window (VS Code's "Remote" tab). A browser window of
#       code-server is a remote window, as Remote-SSH is: machine-specific
#       settings (Start Servers' commands) belong here.
#
# Env: VSCODE_RIG_DIR (default <repo>/.vscode-test/code-server),
#      CS_START_TIMEOUT_S (default 60).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CS_DIR=${VSCODE_RIG_DIR:-$REPO/.vscode-test/code-server}
ENTRY=$CS_DIR/node_modules/code-server/out/node/entry.js

die() { echo "code-server.sh: $*" >&2; exit 1; }
need_entry() { [ -f "$ENTRY" ] || die "code-server not installed at $CS_DIR (run scripts/install-vscode-rig.sh)"; }
abspath() { mkdir -p "$1" && (cd "$1" && pwd); }

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# All live pids of a process group (empty when gone).
group_pids() { ps -e -o pid=,pgid= | awk -v g="$1" '$2==g {print $1}'; }

cmd_start() {
  local port=${1:?usage: start PORT RUN_DIR [FOLDER]} run
  run=$(abspath "${2:?usage: start PORT RUN_DIR [FOLDER]}")
  local folder=${3:-}
  need_entry
  if [ -f "$run/pgid" ] && [ -n "$(group_pids "$(cat "$run/pgid")")" ]; then
    die "a server is already running for $run (pgid $(cat "$run/pgid"))"
  fi
  [ "$port" = auto ] || [ "$port" = 0 ] && port=$(free_port)
  [ -n "$folder" ] && folder=$(cd "$folder" && pwd)
  mkdir -p "$run/ud" "$run/ext"
  # Do not leak a surrounding VS Code's IPC hooks into the test server.
  unset VSCODE_IPC_HOOK_CLI VSCODE_IPC_HOOK VSCODE_PID VSCODE_CWD VSCODE_NLS_CONFIG \
        VSCODE_HANDLES_UNCAUGHT_ERRORS VSCODE_ESM_ENTRYPOINT ELECTRON_RUN_AS_NODE || true
  # env snapshot of what the extension host will see (names only, no values)
  env | cut -d= -f1 | grep -E '^(RESULT_FILE|SPECREASON_|CODE_SERVER_|WORKSPACE_DIR|RUN_DIR|ARTIFACTS_DIR)' \
    > "$run/env-names" || true
  local t0; t0=$(date +%s%N)
  rm -f "$run/pgid" "$run/pgid.tmp"
  # The child records its own pid after setsid: it is the session + group leader,
  # so that pid is the PGID (whether or not setsid had to fork).
  EXTENSIONS_GALLERY='{}' setsid bash -c 'echo $$ > "$0/pgid.tmp"; exec "$@"' "$run" \
    node "$ENTRY" \
    --config /dev/null --auth none --bind-addr "127.0.0.1:$port" \
    --disable-telemetry --disable-update-check --disable-workspace-trust \
    --disable-getting-started-override \
    --user-data-dir "$run/ud" --extensions-dir "$run/ext" \
    ${folder:+"$folder"} >"$run/server.log" 2>&1 </dev/null &
  local i pgid=
  for i in $(seq 100); do
    [ -s "$run/pgid.tmp" ] && pgid=$(cat "$run/pgid.tmp") && [ -n "$pgid" ] && break
    sleep 0.05
  done
  [ -n "$pgid" ] || { tail -n 40 "$run/server.log" >&2; die "server process did not start"; }
  mv "$run/pgid.tmp" "$run/pgid"
  echo "$port" > "$run/port"
  echo "http://127.0.0.1:$port" > "$run/url"
  local deadline=$(( $(date +%s) + ${CS_START_TIMEOUT_S:-60} ))
  until curl -sf -o /dev/null "http://127.0.0.1:$port/healthz"; do
    if [ -z "$(group_pids "$pgid")" ]; then
      tail -n 40 "$run/server.log" >&2; die "server exited during startup"
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      tail -n 40 "$run/server.log" >&2; cmd_stop "$run" >&2 || true; die "no /healthz after ${CS_START_TIMEOUT_S:-60}s"
    fi
    sleep 0.1
  done
  echo "code-server.sh: up on port $port (pgid $pgid) in $(( ($(date +%s%N) - t0) / 1000000 )) ms" >&2
  echo "http://127.0.0.1:$port"
}

cmd_stop() {
  local run=${1:?usage: stop RUN_DIR}
  [ -f "$run/pgid" ] || { echo "code-server.sh: no pgid file in $run" >&2; return 0; }
  local pgid; pgid=$(cat "$run/pgid")
  [ -n "$pgid" ] && [ "$pgid" -gt 1 ] || die "bad pgid '$pgid'"
  # never signal our own process group (a bad pgid file would kill the caller)
  [ "$pgid" != "$(ps -o pgid= -p $$ | tr -d ' ')" ] || die "refusing to kill own process group $pgid"
  if [ -z "$(group_pids "$pgid")" ]; then rm -f "$run/pgid"; return 0; fi
  kill -TERM -- "-$pgid" 2>/dev/null || true
  local i
  for i in $(seq 100); do
    [ -z "$(group_pids "$pgid")" ] && break
    sleep 0.1
  done
  if [ -n "$(group_pids "$pgid")" ]; then
    echo "code-server.sh: group $pgid still alive after 10 s, SIGKILL" >&2
    kill -KILL -- "-$pgid" 2>/dev/null || true
    for i in $(seq 50); do [ -z "$(group_pids "$pgid")" ] && break; sleep 0.1; done
  fi
  rm -f "$run/pgid"
  echo "code-server.sh: stopped (pgid $pgid)" >&2
}

cmd_install_vsix() {
  local run vsix
  run=$(abspath "${1:?usage: install-vsix RUN_DIR VSIX}")
  vsix=${2:?usage: install-vsix RUN_DIR VSIX}
  [ -f "$vsix" ] || die "no such vsix: $vsix"
  need_entry
  mkdir -p "$run/ud" "$run/ext"
  local out
  if ! out=$(EXTENSIONS_GALLERY='{}' node "$ENTRY" --config /dev/null \
        --user-data-dir "$run/ud" --extensions-dir "$run/ext" \
        --install-extension "$(cd "$(dirname "$vsix")" && pwd)/$(basename "$vsix")" --force 2>&1 </dev/null); then
    echo "$out" >&2; die "install-extension failed"
  fi
  echo "$out" | grep -qi 'successfully installed' || { echo "$out" >&2; die "install-extension did not report success"; }
  echo "$out" | grep -i 'successfully installed' >&2
}

cmd_seed_settings() {
  local run extra layer=${SEED_LAYER:-User}
  run=$(abspath "${1:?usage: seed-settings RUN_DIR [EXTRA_JSON]}")
  extra=${2:-}
  [ -z "$extra" ] || [ -f "$extra" ] || die "no such settings file: $extra"
  mkdir -p "$run/ud/$layer"
  node - "$run/ud/$layer/settings.json" "$extra" "$layer" <<'EOF'
const fs = require('fs');
const [file, extra, layer] = process.argv.slice(2);
const quiet = layer !== 'User' ? {} : {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.editor.enablePreview': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': false,
  'git.enabled': false,
  'git.openRepositoryInParentFolders': 'never',
  'editor.minimap.enabled': false,
  'files.autoSave': 'off',
  'window.restoreWindows': 'none',
  'terminal.integrated.enablePersistentSessions': false,
};
// settings.json may contain comments / trailing commas; strip them conservatively.
const readJsonc = p => {
  const txt = fs.readFileSync(p, 'utf8');
  try { return JSON.parse(txt); } catch { /* fall through */ }
  const noComments = txt.replace(/("(?:\\.|[^"\\])*")|\/\/[^\n]*|\/\*[\s\S]*?\*\//g, (m, s) => s || '');
  return JSON.parse(noComments.replace(/,(\s*[}\]])/g, '$1'));
};
const existing = fs.existsSync(file) ? readJsonc(file) : {};
const more = extra ? readJsonc(extra) : {};
fs.writeFileSync(file, JSON.stringify({ ...quiet, ...existing, ...more }, null, 2) + '\n');
console.error(`code-server.sh: seeded ${file}` + (extra ? ` (+ ${extra})` : ''));
EOF
}

case "${1:-}" in
  start) shift; cmd_start "$@" ;;
  stop) shift; cmd_stop "$@" ;;
  install-vsix) shift; cmd_install_vsix "$@" ;;
  seed-settings) shift; cmd_seed_settings "$@" ;;
  seed-remote-settings) shift; [ -n "${2:-}" ] || die "usage: seed-remote-settings RUN_DIR SETTINGS_JSON"; SEED_LAYER=Machine cmd_seed_settings "$@" ;;
  *) sed -n '2,27p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
