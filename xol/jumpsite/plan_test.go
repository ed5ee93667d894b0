package jumpsite

import (
	"encoding/hex"
	"strings"
	"testing"
)

func code(t *testing.T, start uint64, h string) Code {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(h, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return Code{Start: start, Bytes: b}
}

func anywhere(lo, hi uint64) bool { return true }

func TestPlan(t *testing.T) {
	const base = 0x401000
	for _, tc := range []struct {
		name   string
		hex    string
		site   uint64 // offset from base
		rows   []uint64
		target []uint64 // offsets of branch targets elsewhere in the program
		free   func(lo, hi uint64) bool
		want   Tactic
		n      int    // Plan.Len
		insns  int    // Plan.Insns
		why    string // part of Plan.Why
	}{
		{name: "movabs alone", hex: "48 b8 01 02 03 04 05 06 07 08 c3", want: Single, n: 10, insns: 1},
		{name: "call rel32", hex: "e8 00 00 00 00 c3", want: Single, n: 5, insns: 1},
		{name: "push rbp punned into mov rsp,rbp", hex: "55 48 89 e5 90 c3", free: anywhere, want: Punned, n: 1, insns: 1},
		{name: "two short ones together", hex: "31 c0 83 c0 01 c3", want: Multi, n: 5, insns: 2},
		{name: "a row between them", hex: "31 c0 83 c0 01 c3", rows: []uint64{base + 2}, why: "line-table row at 0x401002"},
		{name: "a branch into the second", hex: "31 c0 83 c0 01 c3", target: []uint64{base + 2}, why: "a branch goes inside"},
		{name: "a branch to the site itself is fine", hex: "31 c0 83 c0 01 c3", target: []uint64{base}, want: Multi, n: 5, insns: 2},
		{name: "a jcc may be last", hex: "31 c0 0f 84 00 00 00 00 c3", want: Multi, n: 8, insns: 2},
		{name: "a jcc may not be first of two", hex: "74 02 31 c0 83 c0 01 c3", why: "control transfer before the last"},
		{name: "an indirect call", hex: "ff d0 c3", why: "indirect call"},
		{name: "the function has a jump table", hex: "31 c0 83 c0 01 ff e0", why: "indirect jump"},
		{name: "not an instruction start", hex: "48 b8 01 02 03 04 05 06 07 08 c3", site: 1, why: "does not start an instruction"},
		{name: "int3 of the program's own", hex: "cc 90 90 90 90 c3", why: "not run out of line"},
		{name: "the function ends first", hex: "31 c0 c3", why: "function ends first"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := code(t, base, tc.hex)
			c.Rows = tc.rows
			var tg Targets
			tg.addrs = append(tg.addrs, tc.target...)
			tg.Done()
			c.Targeted = tg.In
			p := Decode(c).Plan(base+tc.site, tc.free)
			if p.Tactic != tc.want || tc.want != Int3 && (p.Len != tc.n || p.Insns != tc.insns) || !strings.Contains(p.Why, tc.why) {
				t.Errorf("plan %+v, want %v of %d bytes, %d instructions, why containing %q", p, tc.want, tc.n, tc.insns, tc.why)
			}
		})
	}
}

// TestPunRange: the range a punned jmp can reach is what its fixed bytes
// allow, sign included; a 1-byte instruction leaves one address.
func TestPunRange(t *testing.T) {
	const base = 0x401000
	at := func(rel uint32) uint64 { return base + JmpLen + uint64(int64(int32(rel))) }
	for _, tc := range []struct {
		name   string
		hex    string
		lo, hi uint64
	}{
		// push %rbp, then mov %rsp,%rbp; nop: the whole rel32 is theirs.
		{"1 byte", "55 48 89 e5 90 c3", at(0x90e58948), at(0x90e58948)},
		// xor %eax,%eax, then mov %rsp,%rbp: the low byte is ours, and the
		// fixed e5 on top makes it negative.
		{"2 bytes", "31 c0 48 89 e5 c3", at(0xe5894800), at(0xe58948ff)},
		// mov %rdi,%rax, then ret and an int3: two bytes ours.
		{"3 bytes, backwards", "48 89 f8 c3 cc cc", at(0xccc30000), at(0xccc3ffff)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := Decode(code(t, base, tc.hex))
			lo, hi, ok := f.punRange(f.insns[0])
			if !ok || lo != tc.lo || hi != tc.hi {
				t.Errorf("range [%#x, %#x] %v, want [%#x, %#x]", lo, hi, ok, tc.lo, tc.hi)
			}
		})
	}
}
