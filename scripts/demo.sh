#!/usr/bin/env bash
# demo.sh — run SpecReason in a real VS Code (code-server, in your browser) against the SIMULATED
# vLLM model pair (scripted replies, no GPU). Installs what it needs on first use (npm packages,
# Debian's chromium/ripgrep, code-server 4.100.3), builds and packages the extension, installs the
# .vsix, starts the simulated servers on ports 30000/30001 (the extension's defaults) and prints the URL,
# which opens problem.md. The simulated servers answer at realistic speed (a 32B and a 1.5B model on a GPU
# each), so the reasoning streams visibly and Compare shows SpecReason's speedup. If they stop, VS Code
# keeps running: "SpecReason: Start Servers" (offered by the error) starts them again, and "SpecReason: Stop
# Servers" stops them (the demo records its pair where Start Servers records the servers it starts).
#   DEMO_PORT (default 8080)   BASE_PORT (30000)   SMALL_PORT (30001)
#   LATENCY (realistic, the default; scaled = 0.1× realistic; zero)
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
DEMO_PORT=${DEMO_PORT:-8080}
BASE_PORT=${BASE_PORT:-30000}
SMALL_PORT=${SMALL_PORT:-30001}
LATENCY=${LATENCY:-realistic}
RUN=$REPO/.vscode-test/demo
SIMULATOR="node \"$REPO/dist/simulated-vllm.js\" serve"
BASE_MODEL=Qwen/QwQ-32B
SMALL_MODEL=deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B

T0=$(date +%s)
STEP=0
step() { STEP=$((STEP + 1)); echo "demo: [$STEP/6] $*"; }
# Run a command, saying every 10 s that it is still going (npm and code-server's installs are quiet for a minute).
with_heartbeat() {
  local what=$1 t=0 pid
  shift
  "$@" &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1
    t=$((t + 1))
    if ((t % 10 == 0)); then echo "demo:       … $what ($t s)"; fi
  done
  wait "$pid"
}

step "npm packages"
if [ -d node_modules ]; then
  echo "demo:       node_modules present"
else
  # --loglevel=error: the one warning npm prints here is EBADENGINE for @cortex-js/compute-engine (the
  # grader's symbolic checks), which declares Node >= 22.3 but is tested on Node 20 by this project.
  echo "demo:       npm ci (about a minute; the EBADENGINE warning of @cortex-js/compute-engine is harmless and hidden)"
  with_heartbeat "installing npm packages" npm ci --no-audit --no-fund --loglevel=error
fi

step "VS Code test rig (Debian's chromium and ripgrep, code-server 4.100.3; a few minutes the first time)"
with_heartbeat "installing the rig" bash scripts/install-vscode-rig.sh

step "build and package the extension"
with_heartbeat "building" npm run --silent build
with_heartbeat "packaging dist/specreason.vsix" bash -c 'npm run --silent package >/dev/null'

step "install the extension into code-server, with the demo's settings"
bash scripts/code-server.sh stop "$RUN" >/dev/null 2>&1 || true
rm -rf "$RUN" && mkdir -p "$RUN"
cp -r test/fixtures/workspace "$RUN/workspace"
# The demo set (12 problems the simulated pair has scripts for): Evaluate shows accuracy rising with the threshold.
cp examples/demo-set.jsonl "$RUN/workspace/demo-set.jsonl"
with_heartbeat "installing the .vsix" bash scripts/code-server.sh install-vsix "$RUN" dist/specreason.vsix 2>/dev/null
# Start Servers runs the simulated pair (so the error of a stopped server offers to restart it). What Start Servers
# runs is machine-specific: in Remote settings (ud/Machine/settings.json, the Settings editor's "Remote" tab), as a
# GPU machine's would be over Remote-SSH. The ports go in User settings.
BASE_PORT=$BASE_PORT SMALL_PORT=$SMALL_PORT LATENCY=$LATENCY SIMULATOR=$SIMULATOR \
  node scripts/demo-settings.js "$RUN/demo-settings.json" "$RUN/demo-remote-settings.json"
bash scripts/code-server.sh seed-settings "$RUN" "$RUN/demo-settings.json" 2>/dev/null
bash scripts/code-server.sh seed-remote-settings "$RUN" "$RUN/demo-remote-settings.json" 2>/dev/null

# The simulated servers run in their own process group; so do the ones Start Servers starts. Stop both on exit.
simulator_groups() {
  for pid in $(pgrep -f -- "$REPO/dist/simulated-vllm.js serve .*--port ($BASE_PORT|$SMALL_PORT)( |$)" || true); do
    ps -o pgid= -p "$pid" 2>/dev/null | tr -d ' '
  done | sort -u
}
cleanup() {
  for g in $(simulator_groups); do kill -TERM -- "-$g" 2>/dev/null || true; done
  bash scripts/code-server.sh stop "$RUN" >/dev/null 2>&1 || true
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

step "start the SIMULATED model pair on ports $BASE_PORT and $SMALL_PORT ($LATENCY latency)"
for g in $(simulator_groups); do kill -TERM -- "-$g" 2>/dev/null || true; done # a previous demo's
for role in base small; do
  if [ $role = base ]; then model=$BASE_MODEL port=$BASE_PORT; else model=$SMALL_MODEL port=$SMALL_PORT; fi
  setsid node "$REPO/dist/simulated-vllm.js" serve "$model" --port "$port" --latency "$LATENCY" --load-seconds 0 \
    >"$RUN/$role-server.log" 2>&1 </dev/null &
  pgid=$! # setsid in a non-interactive shell execs in place: the pid is its process group
  disown  # stopping them must not stop the demo (nor make bash report it)
  # Recorded where SpecReason's launcher records the servers it starts (src/host/serverRegistry.ts), so Stop Servers
  # in VS Code stops this pair and says where it came from, and Start Servers starts it again the same way.
  REGISTRY="${TMPDIR:-/tmp}"; REGISTRY="${REGISTRY%/}/specreason-servers-$(id -u)"
  mkdir -p -m 700 "$REGISTRY"
  ROLE=$role PORT=$port PGID=$pgid CMD="$SIMULATOR $model --port $port --latency $LATENCY" node -e '
    const e = process.env;
    require("fs").writeFileSync(process.argv[1], JSON.stringify({ pgid: +e.PGID, role: e.ROLE, port: +e.PORT,
      command: e.CMD, startedBy: "scripts/demo.sh", startedAt: new Date().toISOString() }, null, 2));' "$REGISTRY/$port.json"
done
for role in base small; do
  for _ in $(seq 100); do
    grep -q 'Uvicorn running' "$RUN/$role-server.log" && break
    if grep -q 'ERROR' "$RUN/$role-server.log"; then
      cat "$RUN/$role-server.log"
      echo "demo: the simulated $role server did not start (port in use? set BASE_PORT / SMALL_PORT)"
      exit 1
    fi
    sleep 0.1
  done
  grep -q 'Uvicorn running' "$RUN/$role-server.log" || { cat "$RUN/$role-server.log"; echo "demo: the simulated $role server is not up after 10 s"; exit 1; }
done

step "start code-server on port $DEMO_PORT"
URL=$(bash scripts/code-server.sh start "$DEMO_PORT" "$RUN" "$RUN/workspace" | tail -1)
# VS Code for the web opens the file named by the payload's "openFile" (its CodeLens shows Solve | Compare).
OPEN="$URL/?folder=$RUN/workspace&payload=[[%22openFile%22,%22vscode-remote://${URL#http://}$RUN/workspace/problem.md%22]]"

cat <<MSG

  SpecReason demo — SIMULATED model pair (scripted replies, not real models), ready in $(($(date +%s) - T0)) s
    base  http://localhost:$BASE_PORT/v1   (simulated $BASE_MODEL)
    small http://localhost:$SMALL_PORT/v1   (simulated $SMALL_MODEL)
    $LATENCY latency: the simulated models take the time real ones would (logs: $RUN/*-server.log)

  Open in a browser:
    $OPEN

  problem.md opens: click "Solve" or "Compare" above the problem (or select it, Ctrl+Alt+R).
  demo-set.jsonl: right-click it, "Evaluate Problem Set…", run thresholds 3, 5, 7, 9 with base-only: accuracy
  rises with the threshold and the speedup falls (the simulated pair has scripts for these 12 problems).
  Other problems get the sample problem's scripted steps; the panel says so.
  If the simulated servers stop, the error offers "Start Servers", which starts them again.
  Ctrl+C here stops everything.

MSG
# Until code-server ends (or Ctrl+C): the demo outlives its simulated servers.
while [ -n "$(ps -e -o pgid= | awk -v g="$(cat "$RUN/pgid" 2>/dev/null)" '$1 == g')" ]; do sleep 2; done
echo "demo: code-server stopped"
