#!/bin/sh
# Builds ubpdbg and the example program, then debugs it: a trace of every
# call of a hot function (nothing stops), and a non-stop session in the
# terminal debugger (one thread stops, the others run on).
set -eu
cd "$(dirname "$0")/.."
mkdir -p bin
echo "== building ubpdbg and examples/workers.c"
go build -o bin/ubpdbg ./cmd/ubpdbg
gcc -g -O0 -pthread -o bin/workers examples/workers.c

echo
echo "== ubpdbg trace: count every call, at full speed, without stopping a thread"
bin/ubpdbg trace process_job worker -- bin/workers

echo
echo "== ubpdbg exec: one worker stops at a breakpoint, the others keep running"
bin/ubpdbg exec bin/workers <<'CMDS'
break process_job if j->id == 5000
continue
threads
bt
print *j
delete 1
continue -a
CMDS
