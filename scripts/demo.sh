#!/usr/bin/env bash
# demo.sh — run SpecReason in a real VS Code (code-server, in your browser) against the SIMULATED
# vLLM model pair (scripted replies, no GPU). Installs what it needs on first use (npm packages,
# Debian's chromium/ripgrep, code-server 4.100.3), builds and packages the extension, installs the
# .vsix, starts the simulated servers on ports 30000/30001 (the extension's defaults) and prints the URL.
#   DEMO_PORT (default 8080)   BASE_PORT (30000)   SMALL_PORT (30001)   LATENCY (scaled|realistic|zero)
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
DEMO_PORT=${DEMO_PORT:-8080}
BASE_PORT=${BASE_PORT:-30000}
SMALL_PORT=${SMALL_PORT:-30001}

[ -d node_modules ] || npm ci --no-audit --no-fund
bash scripts/install-vscode-rig.sh
npm run --silent build
npm run --silent package >/dev/null

RUN=$REPO/.vscode-test/demo
bash scripts/code-server.sh stop "$RUN" >/dev/null 2>&1 || true
rm -rf "$RUN" && mkdir -p "$RUN"
cp -r test/fixtures/workspace "$RUN/workspace"

node dist/cli.js simulate --base-port "$BASE_PORT" --small-port "$SMALL_PORT" --latency "${LATENCY:-scaled}" > "$RUN/sim.log" 2>&1 &
SIM=$!
cleanup() { kill "$SIM" 2>/dev/null || true; bash scripts/code-server.sh stop "$RUN" >/dev/null 2>&1 || true; }
trap cleanup EXIT INT TERM
for _ in $(seq 50); do grep -q 'Ctrl+C' "$RUN/sim.log" 2>/dev/null && break; kill -0 "$SIM" 2>/dev/null || { cat "$RUN/sim.log"; echo "demo: the simulated servers did not start (ports $BASE_PORT/$SMALL_PORT in use?)"; exit 1; }; sleep 0.1; done

bash scripts/code-server.sh install-vsix "$RUN" dist/specreason.vsix >/dev/null
bash scripts/code-server.sh seed-settings "$RUN" >/dev/null
URL=$(bash scripts/code-server.sh start "$DEMO_PORT" "$RUN" "$RUN/workspace" | tail -1)

cat <<MSG

  SpecReason demo — SIMULATED model pair (scripted replies, not real models)
    base  http://localhost:$BASE_PORT/v1   (simulated Qwen/QwQ-32B)
    small http://localhost:$SMALL_PORT/v1   (simulated DeepSeek-R1-Distill-Qwen-1.5B)

  Open $URL/?folder=$RUN/workspace in a browser, open problem.md, select the
  problem and run "SpecReason: Solve Selection" (Ctrl+Alt+R). Ctrl+C here stops everything.

MSG
wait "$SIM"
