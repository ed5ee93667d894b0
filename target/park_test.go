package target

import (
	"encoding/binary"
	"testing"

	"golang.org/x/arch/x86/x86asm"
)

// TestParkStub decodes the parking stub: the instructions it must be, the
// flag its compare reads, the loop's branch targets and the address it
// ends at.
func TestParkStub(t *testing.T) {
	const page, target = 0x7f0000001000, 0x401136
	stubAddr := uint64(page + parkFirstOff + 3*parkStubSize)
	b := parkStub(stubAddr, page+parkFlagOff, target)
	if len(b) > parkStubSize {
		t.Fatalf("stub is %d bytes, room for %d", len(b), parkStubSize)
	}
	want := []x86asm.Op{x86asm.LEA, x86asm.PUSHFQ, x86asm.PUSH, x86asm.MOV, x86asm.PAUSE, x86asm.CMP,
		x86asm.JNE, x86asm.DEC, x86asm.JNE, x86asm.POP, x86asm.POPFQ, x86asm.LEA, x86asm.JMP}
	var at []int // offset of each instruction
	off := 0
	var insts []x86asm.Inst
	for off < len(b)-8 {
		inst, err := x86asm.Decode(b[off:], 64)
		if err != nil {
			t.Fatalf("at +%d: %v", off, err)
		}
		at = append(at, off)
		insts = append(insts, inst)
		off += inst.Len
	}
	if off != len(b)-8 {
		t.Fatalf("instructions end at +%d, the target address is at +%d", off, len(b)-8)
	}
	if len(insts) != len(want) {
		t.Fatalf("%d instructions, want %d: %v", len(insts), len(want), insts)
	}
	for i, inst := range insts {
		if inst.Op != want[i] {
			t.Errorf("instruction %d is %v, want %v", i, inst, want[i])
		}
	}
	// lea -0x80(%rsp) and lea 0x80(%rsp): below the red zone and back.
	if m := insts[0].Args[1].(x86asm.Mem); m.Base != x86asm.RSP || m.Disp != -0x80 {
		t.Errorf("first lea: %v", insts[0])
	}
	if m := insts[11].Args[1].(x86asm.Mem); m.Base != x86asm.RSP || m.Disp != 0x80 {
		t.Errorf("second lea: %v", insts[11])
	}
	if insts[2].Args[0] != x86asm.RCX || insts[9].Args[0] != x86asm.RCX {
		t.Errorf("saves %v, restores %v", insts[2].Args[0], insts[9].Args[0])
	}
	if imm := insts[3].Args[1].(x86asm.Imm); imm != parkSpins {
		t.Errorf("spins %d times, want %d", imm, parkSpins)
	}
	// cmpb $0, disp(%rip) reads the flag.
	// (x86asm gives a disp32 zero-extended: sign-extend it as the CPU does.)
	m := insts[5].Args[0].(x86asm.Mem)
	reads := int64(stubAddr) + int64(at[6]) + int64(int32(m.Disp))
	if m.Base != x86asm.RIP || reads != page+parkFlagOff {
		t.Errorf("compare reads %#x, the flag is at %#x", reads, page+parkFlagOff)
	}
	branch := func(i int) int { return at[i] + insts[i].Len + int(insts[i].Args[0].(x86asm.Rel)) }
	if got := branch(6); got != at[9] {
		t.Errorf("jne goes to +%d, want the pop at +%d", got, at[9])
	}
	if got := branch(8); got != at[4] {
		t.Errorf("jnz goes to +%d, want the pause at +%d", got, at[4])
	}
	if jm := insts[12].Args[0].(x86asm.Mem); jm.Base != x86asm.RIP || jm.Disp != 0 {
		t.Errorf("jmp: %v", insts[12])
	}
	if got := binary.LittleEndian.Uint64(b[len(b)-8:]); got != target {
		t.Errorf("jumps to %#x, want %#x", got, target)
	}
}
