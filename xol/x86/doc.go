// Package x86 analyses x86-64 instructions for running them out of line
// (XOL): a breakpoint's int3 stays in the code, and when a thread must go
// past it, the instruction the int3 covers runs in a per-thread slot placed
// within +-2 GiB of the code, followed by a jmp rel32 back to the next
// original instruction ("boosted": one trap per hit), or is emulated.
//
// The package is pure: functions of bytes, an address and registers, with
// no process, so that all of it is tested without one. Package xol is the
// runtime that uses it in the process (the slot areas, the hit path); the
// disassembly of the front ends uses Analyze too.
//
//	in, err := Analyze(code, addr)   // code: up to 15 bytes at addr
//	switch in.Class {
//	case Boost, BoostLeave:          // write in.SlotBytes(slot) to the slot, set rip = slot, continue
//	case StepFixup:                  // same, but single-step; then store *in.FixupAfterStep(regs, slot) at rsp
//	case Emulate:                    // push, err := in.Emulate(&regs); store *push at the new rsp if non-nil
//	case Refuse:                     // in.Reason says why; stop the thread or step in place
//	}
//	pc = OrigPC(in, slot, pc)        // whenever a thread in a slot must be seen by anyone
//
// Lengths and the position of a RIP-relative disp32 come from the
// package's own walk over prefixes, REX, VEX, EVEX, opcode maps, ModRM, SIB,
// displacement and immediates (length.go), checked against objdump over
// every instruction of libc and of a Go binary. x86asm only names the
// instruction: in x86/x86asm v0.32 endbr64 and adcx/adox decode as Op 0,
// vzeroupper/vzeroall come out one byte too long and VEX/EVEX memory
// operands lose their RIP base.
//
// Which instructions go which way is decided by one table, classTable in
// classify.go, in the style of the kernel's arch/x86/kernel/uprobes.c: one
// row per opcode group with its reason; everything not listed is Boost.
// That includes opcodes the table does not name inside maps the walk
// knows: a fault in the slot is reported at the slot start, which OrigPC
// maps to Addr, exactly as if it had faulted in place. Encodings the walk
// cannot size (XOP, APX, unknown VEX/EVEX maps, truncated, over 15 bytes)
// are errors from Analyze. Class's zero value is not a class.
//
// What the slot cannot hide (documented, accepted):
//   - syscall leaves the slot's next ip in rcx (the ABI clobbers rcx).
//   - the x87 last-instruction pointer saved by fxsave/xsave/fnstenv may
//     name a slot address.
//   - with CET shadow stacks enabled, an emulated call pushes no shadow
//     stack entry and a StepFixup call pushes the slot's return address
//     there, so the matching ret would raise #CP. Linux enables user
//     shadow stacks only for programs that opt in (glibc 2.39+,
//     GLIBC_TUNABLES); such threads need another plan.
//   - near branches with a 66 prefix differ between AMD (rel16, rip
//     truncated to 16 bits) and Intel (prefix ignored). The walk sizes them
//     the AMD way, as objdump does, and they are refused.
//   - a popf that sets TF: the single-step trap comes after the slot's jmp
//     back instead of after the next original instruction.
//
// Tests: TestLengthsMatchObjdump (libc, a Go binary, testdata/tricky.S)
// and TestRandomAgainstObjdump compare lengths and RIP targets with
// objdump; TestRunForReal runs instructions in place and relocated on this
// CPU (testdata/runner.c) and compares all registers and memory, and the
// emulated branches with the CPU's; FuzzAnalyze:
//
//	go test -run '^$' -fuzz FuzzAnalyze ./xol/x86
package x86
