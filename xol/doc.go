// Package xol is the out-of-line runtime in the debugged process: the slot
// areas it maps near the code, and the passing of a thread over a
// breakpoint through its slot (Runtime). What an instruction needs to run
// out of line is decided by package x86, which is pure; xol only applies
// it to a thread, on the ptrace thread.
//
// The packages are planned for a third job, jump sites (a jmp to a
// trampoline instead of an int3): building the relocated instructions and
// the trampoline is pure like x86's analysis, and belongs in a package of
// its own next to it, tested without a process; putting the trampoline in
// the process is this package's.
package xol
