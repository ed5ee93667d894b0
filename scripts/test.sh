#!/bin/sh
# Runs every test of the project: Go (vet, staticcheck, gofmt, the tests,
# the race detector on the engine), and the VS Code extension's tests,
# which drive the real `ubpdbg dap`. Installs what it needs first.
set -eu
cd "$(dirname "$0")/.."

if ! command -v tmux >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    # The terminal's interactive test drives a real terminal in tmux.
    (apt-get install -y -q tmux >/dev/null 2>&1 || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q tmux >/dev/null 2>&1; }) || echo "note: tmux could not be installed; the tmux test will say so"
fi

echo "== gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './vscode-ext/*'))
if [ -n "$unformatted" ]; then echo "gofmt needed:"; echo "$unformatted"; exit 1; fi

echo "== go vet"
go vet ./...

echo "== staticcheck"
STATICCHECK=$(go env GOPATH)/bin/staticcheck
if [ ! -x "$STATICCHECK" ]; then
    go install honnef.co/go/tools/cmd/staticcheck@v0.8.2 || go install honnef.co/go/tools/cmd/staticcheck@latest
fi
"$STATICCHECK" ./...

echo "== go test"
# One package at a time: the non-stop tests measure that running threads
# keep their pace while one is stopped, which other test binaries competing
# for the 2 cores would disturb.
go test -count=1 -p 1 -timeout 20m ./...

echo "== go test -race (the engine's own concurrency)"
go test -count=1 -race -timeout 20m ./internal/... ./target ./debugger

if [ -f vscode-ext/package.json ]; then
    echo "== vscode-ext"
    go build -o bin/ubpdbg ./cmd/ubpdbg
    export UBPDBG_BIN="$PWD/bin/ubpdbg"
    (cd vscode-ext && npm ci --no-audit --no-fund && npm test)
fi
echo "all tests passed"
