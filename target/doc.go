// Package target controls native Linux x86-64 processes under ptrace.
//
// It launches and attaches to processes, follows their threads through
// clone, fork, vfork, exec and exit, stops, resumes and single-steps one
// thread while the others run, reads and writes registers and memory, and
// detaches leaving the process as it was. It knows nothing of breakpoints,
// instructions or DWARF; those live above it.
//
// # One thread owns ptrace
//
// Linux accepts ptrace requests for a tracee only from the OS thread that
// attached it. Every Process therefore runs one goroutine locked to one OS
// thread (the "ptrace thread"); all ptrace calls happen there. Other
// goroutines reach it with Process.Do, which runs a function on that thread
// and hands it a *Ctl, the capability for per-thread operations. A Ctl is
// only valid inside the function it was given to.
//
// While some tracee thread runs, the ptrace thread blocks in wait4, the
// cheapest way to learn of the next stop. A request from another goroutine
// must wake it: it "rings a doorbell", a tiny helper child process of the
// ptrace thread that stops itself, which makes wait4 return. We use a helper
// rather than signalling a tracee (as GDB does with SIGSTOP) so that requests
// never interrupt the program's own system calls.
//
// # Events
//
// Every stop, thread start and exit, fork, exec and process exit becomes an
// Event passed to the Handler on the ptrace thread itself, so that a layer
// above can decide what to do with a breakpoint hit without a thread switch
// (a handoff to another goroutine costs more than the whole ptrace round
// trip). Without a Handler, events are queued on a channel
// (Process.Events) and stopped threads stay stopped until resumed.
package target
