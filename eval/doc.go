// Package eval reads variables and evaluates expressions in a frame of a
// stopped thread: locals, arguments, globals, thread-locals and registers,
// shown by their DWARF types, and C or Go expressions over them, for
// breakpoint conditions, logpoints, DAP variables/evaluate/setVariable and
// the terminal's print command.
//
// # Use
//
// Make a Context for one frame of an unwound stack (symbols.Unwind), with
// the process as Memory:
//
//	c, err := eval.NewContext(eval.Config{Table: tab, Frames: frames, Frame: i, Mem: proc, ThreadRegs: &regs})
//	locals, _ := c.Locals()          // innermost block first
//	v, err := c.Eval("o->in.a[2]")   // read-only
//	v, err = c.Exec("p->field = 7")  // assignment writes the target
//	ok, err := c.Cond("x > 100")     // breakpoint condition
//
// A Variable has a one-line Value and, for aggregates, Children(offset,
// count) that load parts only when asked (DAP's paged variables).
// Errors about the text are *expr.Error with the position of the problem.
//
// For conditions evaluated on every hit, Compile once and call
// CondCompiled with a fresh Context per hit: DWARF types, function DIE
// trees, scopes and location lists at a pc are cached per image, so a hit
// costs the location expression and the memory reads.
//
// # What is read how
//
//   - Scopes: Delve's godwarf trees and reader.Variables, per inlined
//     frame; shadowed outer locals are listed with Shadowed set and are
//     never what a name means.
//   - Locations: our own DWARF expression machine (dwop.go says why),
//     location lists through Delve's loclist readers (DWARF 4 .debug_loc
//     and 5 .debug_loclists), DW_OP_entry_value from callee-saved
//     registers or the caller's call-site parameters (entryvalue.go),
//     thread-locals through glibc's dtv (tls.go). Registers of outer
//     frames are those the unwinder recovered; a value in a register it
//     could not recover is "<optimized out>", never a stale value.
//   - Types: Delve's godwarf, with a fix for DWARF 4 bitfields
//     (access.go). Go strings, slices, interfaces, channels and maps of
//     both layouts (gomap.go: swiss tables; gomap_old.go: Go 1.23's
//     buckets) are read through the runtime's own DWARF; interfaces show
//     their dynamic type (runtime type descriptors mapped to DWARF by
//     DW_AT_go_runtime_type), closures what they captured (closure.go).
//   - Go names: a variable moved to the heap (&x in DWARF) is x, package
//     variables of the frame's package need no package; x.(T) and
//     s[i:j] (slice.go) are Go's.
//   - Semantics: C's integer promotions and usual arithmetic conversions
//     (LP64) and pointer arithmetic; Go's identical-types rule with untyped
//     constants. Constant subexpressions are folded by expr.Fold.
package eval
