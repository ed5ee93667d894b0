#!/bin/sh
# Runs every test of the project: Go (vet, staticcheck, gofmt, the tests,
# the race detector on the engine), the VS Code extension's tests, which
# drive the real `ubpdbg dap`, and its UI test in a real VS Code
# (vscode-ext/uitest). Installs what it needs first.
#
# On success it prints a short summary: one line per check, and go test's
# own ok lines per package. Every check's full output is kept in a log file
# (the summary says where); when a check fails, its output is printed in
# full and the script stops with a failure status.
set -eu
cd "$(dirname "$0")/.."

LOGS=$(mktemp -d "${TMPDIR:-/tmp}/ubpdbg-test.XXXXXX")
echo "logs: $LOGS"

# check NAME COMMAND...: runs COMMAND with its output in $LOGS/NAME.log;
# prints the log in full if it fails, and stops.
check() {
    name=$1
    shift
    log="$LOGS/$name.log"
    if "$@" >"$log" 2>&1; then
        return 0
    fi
    echo "== $name FAILED; its output ($log):"
    cat "$log"
    echo "tests failed: $name"
    exit 1
}

# gotest NAME ARGS...: go test with its output in a log; prints go test's
# closing lines (ok/FAIL per package, the lines CI reads) on success, and
# the whole output (every failure in full) otherwise.
gotest() {
    name=$1
    shift
    check "$name" go test "$@"
    grep -E '^(ok|FAIL)[[:space:]]' "$LOGS/$name.log" || true
}

if ! command -v tmux >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    # The terminal's interactive test drives a real terminal in tmux.
    (apt-get install -y -q tmux >/dev/null 2>&1 || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q tmux >/dev/null 2>&1; }) || echo "note: tmux could not be installed; the tmux test will say so"
fi

echo "== gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './vscode-ext/*'))
if [ -n "$unformatted" ]; then echo "gofmt needed:"; echo "$unformatted"; exit 1; fi

echo "== go vet"
check vet go vet ./...

echo "== staticcheck"
STATICCHECK=$(go env GOPATH)/bin/staticcheck
if [ ! -x "$STATICCHECK" ]; then
    check staticcheck-install sh -c 'go install honnef.co/go/tools/cmd/staticcheck@v0.8.2 || go install honnef.co/go/tools/cmd/staticcheck@latest'
fi
check staticcheck "$STATICCHECK" ./...

echo "== go test"
# One package at a time: the non-stop tests measure that running threads
# keep their pace while one is stopped, which other test binaries competing
# for the 2 cores would disturb.
gotest go-test -count=1 -p 1 -timeout 20m ./...

echo "== go test -race (the engine's own concurrency)"
gotest go-test-race -count=1 -race -timeout 20m ./internal/... ./target ./debugger

if [ -f vscode-ext/package.json ]; then
    echo "== vscode-ext"
    check vscode-build go build -o bin/ubpdbg ./cmd/ubpdbg
    export UBPDBG_BIN="$PWD/bin/ubpdbg"
    check vscode-npm-ci sh -c 'cd vscode-ext && npm ci --no-audit --no-fund'
    check vscode-test sh -c 'cd vscode-ext && npm test'
    # node --test's totals, one set per test file run.
    grep -E '^(# |ℹ )(tests|pass|fail) ' "$LOGS/vscode-test.log" || true

    echo "== vscode-ext UI (code-server in Chromium)"
    # Installs code-server, node 24 and Chromium on first use (cached in
    # ~/.cache/ubpdbg-ui), then drives a debug session through the UI;
    # screenshots of each step in $LOGS/vscode-ui.
    check vscode-ui vscode-ext/uitest/run.sh "$LOGS/vscode-ui"
    grep -E '^(# |ℹ )(tests|pass|fail) ' "$LOGS/vscode-ui.log" || true
fi
echo "all tests passed"
