// Package symbols reads ELF and DWARF: it maps addresses to functions,
// source lines and inlined calls, resolves location specs (FUNC,
// FILE:LINE, *ADDR) to addresses, and unwinds stacks with DWARF CFI.
//
// The unit of loading is an Image: one ELF file (executable or shared
// library) mapped at a load bias, with its DWARF found in the file itself
// or in a separate debug file (build-id or .gnu_debuglink). A Table is the
// set of images of one process, read from /proc/PID/maps, or built by hand
// from images opened without a process. Opening an image reads its ELF
// symbols only; DWARF is read at its first use, or in the background when
// a front end asks (IndexInBackground), with indexes of function names and
// source files to compile units (funcindex.go, fileindex.go) so that a
// lookup reads just the units it needs.
//
// Where the answer is a matter of convention (which address a breakpoint on
// a function or line gets, which name a frame shows), the package follows
// gdb, so that users see the same thing in both debuggers; the tests compare
// against gdb directly.
//
// Nothing here calls ptrace: the unwinder reads memory through the small
// Memory interface and starts from a register set, so the process-control
// package (target) stays the only one that touches the tracee.
package symbols
