#!/bin/sh
# Builds ubpdbg and the example program, then debugs it: a trace of every
# call of a hot function (nothing stops), and a non-stop session in the
# terminal debugger (one thread stops, the others run on). Each command is
# shown before its output, as in the README.
set -eu
cd "$(dirname "$0")/.."
mkdir -p bin

# run shows a command as typed at a shell prompt, then runs it.
run() {
    echo "\$ $*"
    "$@"
}

echo "== building ubpdbg and examples/workers.c"
run go build -o bin/ubpdbg ./cmd/ubpdbg
run gcc -g -O0 -pthread -o bin/workers examples/workers.c

echo
echo "== ubpdbg trace: count every call, at full speed, without stopping a thread"
run bin/ubpdbg trace process_job worker -- bin/workers

echo
echo "== ubpdbg exec: one worker stops at a breakpoint, the others keep running"
# --echo prints each command after a (ubpdbg) prompt, before its output.
run bin/ubpdbg exec --echo bin/workers <<'CMDS'
break process_job if j->id == 5000
continue
threads
bt
print *j
delete 1
continue -a
CMDS
