#!/usr/bin/env bash
# install-vscode-rig.sh -- install the offline "real VS Code" test rig:
#   Debian packages (chromium, ripgrep, headers for native addons) and
#   code-server 4.100.3 (VS Code 1.100.3) into .vscode-test/code-server/.
#
# Idempotent: a stamp file records what was installed; a second run only checks
# the stamp and the apt packages and returns in well under a second.
#
# Env:
#   VSCODE_RIG_DIR   install directory (default: <repo>/.vscode-test/code-server)
#   RIG_FORCE=1      reinstall code-server even if the stamp matches
#
# Works as root, without stdin, with CI=true; needs only the npm registry and Debian apt (no downloads
# from GitHub: ripgrep comes from Debian, native addons are rebuilt for this Node).
set -euo pipefail

CS_VERSION=4.100.3
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DEST=${VSCODE_RIG_DIR:-$REPO/.vscode-test/code-server}
APT_PKGS=(chromium ripgrep libkrb5-dev libxkbfile-dev libsecret-1-dev libx11-dev)
NODE_ABI=$(node -p 'process.versions.modules')
STAMP_TEXT="code-server $CS_VERSION node-abi $NODE_ABI"
STAMP=$DEST/.rig-installed

export CI=${CI:-true} DEBIAN_FRONTEND=noninteractive npm_config_yes=true \
       npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false

T_ALL=$(date +%s%N)
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
stage() { STAGE_NAME=$1; STAGE_T=$(date +%s%N); echo "[rig] >> $1"; }
done_stage() { echo "[rig] << $STAGE_NAME: $(ms_since "$STAGE_T") ms"; }

# ---------------------------------------------------------------- apt
stage "apt packages"
missing=()
for p in "${APT_PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "[rig] installing missing apt packages: ${missing[*]}"
  SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
  apt_log=$(mktemp)
  { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"; } \
    </dev/null >"$apt_log" 2>&1 || { cat "$apt_log" >&2; rm -f "$apt_log"; exit 1; }
  rm -f "$apt_log"
fi
done_stage

# ---------------------------------------------------------------- stamp check
mkdir -p "$DEST"
# keep the whole .vscode-test tree out of git even without a .gitignore entry
[ -f "$DEST/../.gitignore" ] || echo '*' > "$DEST/../.gitignore"
exec 9>"$DEST/.lock"   # one installer at a time (a second one waits, then sees the stamp)
flock 9
if [ -z "${RIG_FORCE:-}" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$STAMP_TEXT" ] \
   && [ -f "$DEST/node_modules/code-server/out/node/entry.js" ]; then
  echo "[rig] code-server $CS_VERSION already installed in $DEST (stamp ok)"
  echo "[rig] total: $(ms_since "$T_ALL") ms"
  exit 0
fi
rm -f "$STAMP"
cd "$DEST"
[ -f package.json ] || echo '{"private":true,"name":"vscode-rig","version":"0.0.0"}' > package.json

stage "npm install code-server@$CS_VERSION"
npm install --ignore-scripts --no-save --no-package-lock "code-server@$CS_VERSION" </dev/null
done_stage

VS=$DEST/node_modules/code-server/lib/vscode
cd "$VS"
stage "npm install lib/vscode deps"
npm install --omit=dev --ignore-scripts </dev/null
done_stage

stage "ripgrep from Debian"
mkdir -p node_modules/@vscode/ripgrep/bin
cp -f /usr/bin/rg node_modules/@vscode/ripgrep/bin/rg
done_stage

stage "npm rebuild native addons (lib/vscode)"
# Running these packages' install scripts is the point of the rebuild: npm 11's "install scripts not yet
# covered by allowScripts" warning is expected here, so only errors are printed.
npm rebuild --loglevel=error </dev/null
done_stage

stage "postinstall symlinks + built-in extensions deps"
ln -sfn node_modules node_modules.asar
(cd bin/remote-cli && ln -sfn code-linux.sh code-server)
(cd bin/helpers && ln -sfn browser-linux.sh browser.sh)
(cd extensions && npm install --omit=dev --ignore-scripts </dev/null)
done_stage

cd "$DEST"
stage "npm rebuild argon2"
npm rebuild argon2 --loglevel=error </dev/null
done_stage

stage "verify"
node node_modules/code-server/out/node/entry.js --config /dev/null --version
[ -x /usr/bin/chromium ] || { echo "[rig] /usr/bin/chromium missing" >&2; exit 1; }
done_stage

echo "$STAMP_TEXT" > "$STAMP"
echo "[rig] total: $(ms_since "$T_ALL") ms"
