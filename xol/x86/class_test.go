package x86

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func unhexStr(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

// A zero disp32/rel32 is written "d0 d0 d0 d0" below where the case wants a
// recognisable non-zero displacement; it is 0xd0d0d0d0 (negative).
var classCases = []struct {
	name   string
	hex    string
	class  Class
	len    int
	ripOff int    // -1: not RIP-relative
	reason string // substring of Reason, for Refuse
}{
	// Boost: plain, RIP-relative, immediates after the disp32.
	{"mov eax,[rip+x]", "8b 05 10 20 30 00", Boost, 6, 2, ""},
	{"cmp dword [rip+x],imm32", "81 3d 10 20 30 00 78 56 34 12", Boost, 10, 2, ""},
	{"cmp word [rip+x],imm16", "66 81 3d 10 20 30 00 34 12", Boost, 9, 3, ""},
	{"test byte [rip+x],imm8", "f6 05 10 20 30 00 01", Boost, 7, 2, ""},
	{"test dword [rip+x],imm32", "f7 05 10 20 30 00 78 56 34 12", Boost, 10, 2, ""},
	{"not dword [rip+x] (no imm)", "f7 15 10 20 30 00", Boost, 6, 2, ""},
	{"imul eax,[rip+x],imm8", "6b 05 10 20 30 00 03", Boost, 7, 2, ""},
	{"mov qword [rip+x],imm32", "48 c7 05 10 20 30 00 ff ff ff ff", Boost, 11, 3, ""},
	{"lea rax,[rip+x]", "48 8d 05 f0 ff ff ff", Boost, 7, 3, ""},
	{"lea eax,[eip+x]", "67 8d 05 10 20 30 00", Boost, 7, 3, ""},
	{"mov rax,fs:[rip+x]", "64 48 8b 05 10 20 30 00", Boost, 8, 4, ""},
	{"lock add [rip+x],1", "f0 83 05 10 20 30 00 01", Boost, 8, 3, ""},
	{"push [rip+x]", "ff 35 10 20 30 00", Boost, 6, 2, ""},
	{"pop [rip+x]", "8f 05 10 20 30 00", Boost, 6, 2, ""},
	{"pushf", "9c", Boost, 1, -1, ""},
	{"popf", "9d", Boost, 1, -1, ""},
	{"rep movsb", "f3 a4", Boost, 2, -1, ""},
	{"syscall", "0f 05", Boost, 2, -1, ""},
	{"endbr64", "f3 0f 1e fa", Boost, 4, -1, ""},
	{"vzeroupper", "c5 f8 77", Boost, 3, -1, ""},
	{"vzeroall", "c5 fc 77", Boost, 3, -1, ""},
	{"adcx eax,[rip+x]", "66 0f 38 f6 05 10 20 30 00", Boost, 9, 5, ""},
	{"vmovdqu ymm0,[rip+x]", "c5 fe 6f 05 10 20 30 00", Boost, 8, 4, ""},
	{"vpermq ymm0,[rip+x],imm8", "c4 e3 fd 00 05 10 20 30 00 1b", Boost, 10, 5, ""},
	{"vblendvps is4", "c4 e3 71 4a 05 10 20 30 00 20", Boost, 10, 5, ""},
	{"vmovdqu64 zmm16,[rip+x]", "62 e1 fe 48 6f 05 10 20 30 00", Boost, 10, 6, ""},
	{"vpaddd xmm16 evex [rip+x]", "62 e1 75 00 fe 05 10 20 30 00", Boost, 10, 6, ""},
	{"vpternlogd [rip+x],imm8", "62 f3 75 48 25 05 10 20 30 00 55", Boost, 11, 6, ""},
	{"vpshufd zmm,[rip+x],imm8 (evex map1 imm)", "62 f1 7d 48 70 05 10 20 30 00 01", Boost, 11, 6, ""},
	{"vaddph (evex map5)", "62 f5 74 48 58 05 10 20 30 00", Boost, 10, 6, ""},
	{"pextrw (0f c5 imm8)", "66 0f c5 c0 01", Boost, 5, -1, ""},
	{"roundps [rip+x],imm8 (0f3a)", "66 0f 3a 08 05 10 20 30 00 01", Boost, 10, 5, ""},
	{"extrq imm,imm", "66 0f 78 c0 01 02", Boost, 6, -1, ""},
	{"movabs rax,moffs64", "48 a1 88 77 66 55 44 33 22 11", Boost, 10, -1, ""},
	{"addr32 mov eax,moffs32", "67 a1 44 33 22 11", Boost, 6, -1, ""},
	{"movabs rax,imm64", "48 b8 88 77 66 55 44 33 22 11", Boost, 10, -1, ""},
	{"66 REX.W imm64 (REX.W wins)", "66 48 b8 01 02 03 04 05 06 07 08", Boost, 11, -1, ""},
	{"mov ax,imm16", "66 b8 34 12", Boost, 4, -1, ""},
	{"enter", "c8 10 00 01", Boost, 4, -1, ""},
	{"rex cancelled by later 66", "48 66 89 c0", Boost, 4, -1, ""},
	{"mov eax,[rax*4+disp32] (SIB, no base)", "8b 04 85 34 12 00 00", Boost, 7, -1, ""},
	{"mov eax,[disp32] (SIB absolute, not RIP)", "8b 04 25 34 12 00 00", Boost, 7, -1, ""},
	{"mov eax,[r13+0] (disp8)", "41 8b 45 00", Boost, 4, -1, ""},
	{"xbegin rel32 (rebased)", "c7 f8 10 00 00 00", Boost, 6, 2, ""},
	{"cpuid", "0f a2", Boost, 2, -1, ""},
	{"rdtscp", "0f 01 f9", Boost, 3, -1, ""},
	{"fstcw is fwait + fnstcw", "9b d9 7c 24 0e", Boost, 1, -1, ""},

	// Control flow that leaves the slot by itself.
	{"ret", "c3", BoostLeave, 1, -1, ""},
	{"ret imm16", "c2 08 00", BoostLeave, 3, -1, ""},
	{"bnd ret", "f2 c3", BoostLeave, 2, -1, ""},
	{"jmp [rip+x]", "ff 25 10 20 30 00", BoostLeave, 6, 2, ""},
	{"bnd jmp [rip+x]", "f2 ff 25 10 20 30 00", BoostLeave, 7, 3, ""},
	{"jmp rax", "ff e0", BoostLeave, 2, -1, ""},
	{"notrack jmp rax", "3e ff e0", BoostLeave, 3, -1, ""},
	{"jmp [rax+rbx*8]", "ff 24 d8", BoostLeave, 3, -1, ""},

	// Indirect calls.
	{"call [rip+x]", "ff 15 10 20 30 00", StepFixup, 6, 2, ""},
	{"call rax", "ff d0", StepFixup, 2, -1, ""},
	{"call [rax+rbx*8+0x10]", "ff 54 d8 10", StepFixup, 4, -1, ""},
	{"REX call r11", "41 ff d3", StepFixup, 3, -1, ""},

	// Relative branches.
	{"call rel32", "e8 10 20 30 00", Emulate, 5, -1, ""},
	{"bnd call rel32", "f2 e8 10 20 30 00", Emulate, 6, -1, ""},
	{"jmp rel8", "eb fe", Emulate, 2, -1, ""},
	{"jmp rel32", "e9 10 20 30 00", Emulate, 5, -1, ""},
	{"je rel8", "74 10", Emulate, 2, -1, ""},
	{"je rel32", "0f 84 10 20 30 00", Emulate, 6, -1, ""},
	{"je,pn (cs hint)", "2e 74 10", Emulate, 3, -1, ""},
	{"loop", "e2 10", Emulate, 2, -1, ""},
	{"loope", "e1 10", Emulate, 2, -1, ""},
	{"loopne", "e0 10", Emulate, 2, -1, ""},
	{"jrcxz", "e3 10", Emulate, 2, -1, ""},
	{"jecxz", "67 e3 10", Emulate, 3, -1, ""},

	// Refused.
	{"int3", "cc", Refuse, 1, -1, "int3"},
	{"int 0x80", "cd 80", Refuse, 2, -1, "int n"},
	{"into (invalid)", "ce", Refuse, 1, -1, "invalid"},
	{"int1", "f1", Refuse, 1, -1, "int1"},
	{"hlt", "f4", Refuse, 1, -1, "hlt"},
	{"ud2", "0f 0b", Refuse, 2, -1, "ud2"},
	{"ud1", "0f b9 05 10 20 30 00", Refuse, 7, 3, "ud1"},
	{"ud0", "0f ff 05 10 20 30 00", Refuse, 7, 3, "ud0"},
	{"in al,imm8", "e4 12", Refuse, 2, -1, "port I/O"},
	{"out dx,eax", "ef", Refuse, 1, -1, "port I/O"},
	{"insb", "6c", Refuse, 1, -1, "port I/O"},
	{"rep outsb", "f3 6e", Refuse, 2, -1, "port I/O"},
	{"iretq", "48 cf", Refuse, 2, -1, "iret"},
	{"retf", "cb", Refuse, 1, -1, "far"},
	{"lcall [rip+x]", "ff 1d 10 20 30 00", Refuse, 6, 2, "far"},
	{"sysenter", "0f 34", Refuse, 2, -1, "sysenter"},
	{"sysret", "0f 07", Refuse, 2, -1, "sysret"},
	{"cli", "fa", Refuse, 1, -1, "cli"},
	{"mov rax,cr0 (mod=00, still no disp)", "0f 20 00", Refuse, 3, -1, "control"},
	{"wrmsr", "0f 30", Refuse, 2, -1, "wrmsr"},
	{"lgdt [rip+x]", "0f 01 15 10 20 30 00", Refuse, 7, 3, "0F 01"},
	{"swapgs", "0f 01 f8", Refuse, 3, -1, "0F 01"},
	{"vmcall", "0f 01 c1", Refuse, 3, -1, "0F 01"},
	{"clui (F3 0F 01 EE, not rdpkru)", "f3 0f 01 ee", Refuse, 4, -1, "0F 01"},
	{"invpcid", "66 0f 38 82 05 10 20 30 00", Refuse, 9, 5, "invpcid"},
	{"vmread", "0f 78 c0", Refuse, 3, -1, "vmread"},
	{"push es (invalid)", "06", Refuse, 1, -1, "invalid"},
	{"callw rel16 (66)", "66 e8 00 00", Refuse, 4, -1, "16-bit"},
	{"jcc rel16 (66)", "66 0f 84 00 00", Refuse, 5, -1, "16-bit"},
	{"data16 jmp rel8", "66 eb 00", Refuse, 3, -1, "16-bit"},
	{"retw", "66 c3", Refuse, 2, -1, "16-bit"},
	{"callw rax", "66 ff d0", Refuse, 3, -1, "16-bit"},
	{"xbegin rel16", "66 c7 f8 10 00", Refuse, 5, -1, "xbegin"},
	{"vex after 66", "66 c5 f8 77", Refuse, 4, -1, "VEX"},
	{"3dnow", "0f 0f c1 b4", Refuse, 4, -1, "3DNow"},
}

func TestClassify(t *testing.T) {
	const addr = 0x7f12_3456_7000
	for _, c := range classCases {
		b := unhexStr(t, c.hex)
		// Trailing bytes must not change anything.
		code := append(append([]byte(nil), b...), 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90)
		in, err := Analyze(code, addr)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if in.Class != c.class || in.Len != c.len || in.RIPDispOff != c.ripOff {
			t.Errorf("%s (% x): got %v len %d ripOff %d (%q, %q), want %v len %d ripOff %d",
				c.name, b, in.Class, in.Len, in.RIPDispOff, in.Text, in.Reason, c.class, c.len, c.ripOff)
			continue
		}
		if c.class == Refuse && !strings.Contains(in.Reason, c.reason) {
			t.Errorf("%s: reason %q does not mention %q", c.name, in.Reason, c.reason)
		}
		if !bytes.Equal(in.Bytes, code[:in.Len]) {
			t.Errorf("%s: Bytes % x", c.name, in.Bytes)
		}
		if in.Text == "" {
			t.Errorf("%s: no text", c.name)
		}
		// The analysis must not depend on more than Len bytes.
		if in2, err := Analyze(b[:c.len], addr); err != nil || in2.Len != c.len || in2.Class != c.class {
			t.Errorf("%s: exact-length input: %v %v", c.name, in2, err)
		}
		if c.len > 1 {
			if _, err := Analyze(b[:c.len-1], addr); !errors.Is(err, ErrTruncated) {
				t.Errorf("%s: truncated input: err %v", c.name, err)
			}
		}
		checkSlot(t, c.name, in)
	}
}

// checkSlot relocates in to slots near and far and checks the result by
// analysing the slot code: same instruction bytes except the disp32, the
// same operand address, and for Boost a jmp back to Addr+Len.
func checkSlot(t *testing.T, name string, in *Insn) {
	t.Helper()
	fits := func(v int64) bool { return v >= -1<<31 && v < 1<<31 }
	// Candidate slots: near, and at both limits (and one past) of the
	// rebased disp32 and of the jmp back.
	slots := []uint64{in.Addr + 0x1_0000, in.Addr - 64, in.Addr - 0x7fff_0000, in.Addr + 0x7fff_0000}
	for _, edge := range []uint64{in.Addr - 5 - 0x7fff_ffff, in.Addr - 5 + 0x8000_0000} {
		slots = append(slots, edge-1, edge, edge+1)
	}
	if in.RIPDispOff >= 0 {
		for _, edge := range []uint64{in.RIPTarget - uint64(in.Len) - 0x7fff_ffff, in.RIPTarget - uint64(in.Len) + 0x8000_0000} {
			slots = append(slots, edge-1, edge, edge+1)
		}
	}
	for _, slot := range slots {
		sb, err := in.SlotBytes(slot)
		switch in.Class {
		case Emulate, Refuse:
			if err == nil {
				t.Errorf("%s: SlotBytes for %v gave no error", name, in.Class)
			}
			return
		}
		ok := true
		if in.RIPDispOff >= 0 && !in.eipRel {
			ok = fits(int64(in.RIPTarget - (slot + uint64(in.Len))))
		}
		if in.Class == Boost {
			ok = ok && fits(int64(in.Addr-slot-5))
		}
		if !ok {
			if err == nil {
				t.Errorf("%s: SlotBytes(%#x) is out of reach but gave no error", name, slot)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: SlotBytes(%#x): %v", name, slot, err)
			continue
		}
		if len(sb) > SlotSize {
			t.Errorf("%s: %d slot bytes", name, len(sb))
		}
		cp, err := Analyze(sb, slot)
		if err != nil {
			t.Errorf("%s: slot code does not decode: %v", name, err)
			continue
		}
		if cp.Len != in.Len || cp.Class != in.Class || cp.RIPDispOff != in.RIPDispOff {
			t.Errorf("%s: slot copy %v len %d, original %v len %d", name, cp.Class, cp.Len, in.Class, in.Len)
		}
		for i := range in.Bytes {
			if in.RIPDispOff >= 0 && i >= in.RIPDispOff && i < in.RIPDispOff+4 {
				continue
			}
			if sb[i] != in.Bytes[i] {
				t.Errorf("%s: slot byte %d is %#x, want %#x", name, i, sb[i], in.Bytes[i])
			}
		}
		if in.RIPDispOff >= 0 && cp.RIPTarget != in.RIPTarget {
			t.Errorf("%s: slot at %#x addresses %#x, original %#x", name, slot, cp.RIPTarget, in.RIPTarget)
		}
		switch in.Class {
		case Boost:
			if len(sb) != in.Len+5 {
				t.Errorf("%s: Boost slot is %d bytes, want %d", name, len(sb), in.Len+5)
				continue
			}
			j, err := Analyze(sb[in.Len:], slot+uint64(in.Len))
			if err != nil || j.Branch != BranchJmp || j.Target != in.Addr+uint64(in.Len) {
				t.Errorf("%s: jmp back %v %v, want target %#x", name, j, err, in.Addr+uint64(in.Len))
			}
		default:
			if len(sb) != in.Len {
				t.Errorf("%s: %v slot is %d bytes, want %d (no jmp back)", name, in.Class, len(sb), in.Len)
			}
		}
	}
}

func TestSlotTooFar(t *testing.T) {
	in, err := Analyze(unhexStr(t, "8b 05 00 00 00 00"), 0x1000_0000)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := in.SlotBytes(0x1000_0000 + 0x8000_0000); err == nil {
		t.Errorf("disp rebased over 2 GiB without error")
	}
	// [eip+disp32] is computed modulo 2^32: any slot reaches it.
	in, err = Analyze(unhexStr(t, "67 8b 05 00 00 00 00"), 0x1000_0000)
	if err != nil {
		t.Fatal(err)
	}
	sb, err := in.SlotBytes(0x7000_0000)
	if err != nil {
		t.Fatalf("eip-relative: %v", err)
	}
	if cp, _ := Analyze(sb, 0x7000_0000); cp.RIPTarget != in.RIPTarget {
		t.Errorf("eip-relative target %#x, want %#x", cp.RIPTarget, in.RIPTarget)
	}
	// The jmp back must reach too, even without a RIP operand.
	in, _ = Analyze([]byte{0x90}, 0x1000)
	if _, err := in.SlotBytes(0x1000 + 0x9000_0000); err == nil {
		t.Errorf("jmp back over 2 GiB without error")
	}
}

func TestAnalyzeErrors(t *testing.T) {
	for _, c := range []struct {
		hex  string
		want error
	}{
		{"", ErrTruncated},
		{"66", ErrTruncated},
		{"8b 05 10 20", ErrTruncated},
		{"0f", ErrTruncated},
		{"c4 e3", ErrTruncated},
		{"66 66 66 66 66 66 66 66 66 66 66 66 66 66 66 90", ErrTooLong},
		{"66 66 66 66 66 66 66 66 66 66 66 81 05 00 00 00 00 00 00", ErrTooLong},
		{"8f e8 78 c0 c1 01", ErrUnsupported}, // XOP
		{"c4 e0 78 00 c0", ErrUnsupported},    // VEX map 0
		{"62 f4 7c 08 00 c0", ErrUnsupported}, // EVEX map 4 (APX)
		{"62 f1 78 08 58 c0", ErrUnsupported}, // EVEX P1 bit 2 clear (APX)
	} {
		if _, err := Analyze(unhexStr(t, c.hex), 0x1000); !errors.Is(err, c.want) {
			t.Errorf("%s: err %v, want %v", c.hex, err, c.want)
		}
	}
	// The same EVEX with the bit set is vaddps xmm0,xmm0,xmm0.
	if in, err := Analyze(unhexStr(t, "62 f1 7c 08 58 c0"), 0x1000); err != nil || in.Len != 6 {
		t.Errorf("EVEX vaddps: %v %v", in, err)
	}
}

func TestEmulateJcc(t *testing.T) {
	type fl struct{ cf, pf, zf, sf, of bool }
	ref := map[string]func(f fl) bool{
		"o": func(f fl) bool { return f.of }, "no": func(f fl) bool { return !f.of },
		"b": func(f fl) bool { return f.cf }, "ae": func(f fl) bool { return !f.cf },
		"e": func(f fl) bool { return f.zf }, "ne": func(f fl) bool { return !f.zf },
		"be": func(f fl) bool { return f.cf || f.zf }, "a": func(f fl) bool { return !f.cf && !f.zf },
		"s": func(f fl) bool { return f.sf }, "ns": func(f fl) bool { return !f.sf },
		"p": func(f fl) bool { return f.pf }, "np": func(f fl) bool { return !f.pf },
		"l": func(f fl) bool { return f.sf != f.of }, "ge": func(f fl) bool { return f.sf == f.of },
		"le": func(f fl) bool { return f.zf || f.sf != f.of }, "g": func(f fl) bool { return !f.zf && f.sf == f.of },
	}
	const addr = 0x40_1000
	for cc := 0; cc < 16; cc++ {
		name := Cond(cc).String()
		for _, enc := range [][]byte{
			{0x70 | byte(cc), 0xf0},                      // rel8, backwards
			{0x0f, 0x80 | byte(cc), 0x00, 0x01, 0x00, 0}, // rel32, forwards
		} {
			in, err := Analyze(enc, addr)
			if err != nil || in.Class != Emulate || in.Branch != BranchJcc || in.Cond != Cond(cc) {
				t.Fatalf("j%s % x: %+v %v", name, enc, in, err)
			}
			wantTarget := uint64(addr + len(enc) - 16)
			if len(enc) == 6 {
				wantTarget = uint64(addr + len(enc) + 0x100)
			}
			if in.Target != wantTarget {
				t.Errorf("j%s % x: target %#x, want %#x", name, enc, in.Target, wantTarget)
			}
			for bits := 0; bits < 32; bits++ {
				f := fl{bits&1 != 0, bits&2 != 0, bits&4 != 0, bits&8 != 0, bits&16 != 0}
				var rflags uint64 = 0x202 // IF and the always-one bit
				for _, b := range []struct {
					on  bool
					bit uint64
				}{{f.cf, 1 << 0}, {f.pf, 1 << 2}, {f.zf, 1 << 6}, {f.sf, 1 << 7}, {f.of, 1 << 11}} {
					if b.on {
						rflags |= b.bit
					}
				}
				regs := unix.PtraceRegs{Rip: addr + 1, Eflags: rflags, Rsp: 0x7ffe0000, Rcx: 7}
				push, err := in.Emulate(&regs)
				if err != nil || push != nil {
					t.Fatalf("j%s: %v %v", name, push, err)
				}
				want := uint64(addr + len(enc))
				if ref[name](f) {
					want = wantTarget
				}
				if regs.Rip != want || regs.Eflags != rflags || regs.Rsp != 0x7ffe0000 || regs.Rcx != 7 {
					t.Errorf("j%s %+v: rip %#x, want %#x (regs %+v)", name, f, regs.Rip, want, regs)
				}
			}
		}
	}
}

func TestEmulateLoopCall(t *testing.T) {
	const addr = 0x40_2000
	const zf = 1 << 6
	for _, c := range []struct {
		name          string
		hex           string
		rcx, flags    uint64
		wantRcx       uint64
		taken         bool
		wantPushValue uint64
	}{
		{"loop 5", "e2 10", 5, 0, 4, true, 0},
		{"loop 1", "e2 10", 1, 0, 0, false, 0},
		{"loop 0 wraps", "e2 10", 0, 0, ^uint64(0), true, 0},
		{"loope zf", "e1 10", 5, zf, 4, true, 0},
		{"loope !zf", "e1 10", 5, 0, 4, false, 0},
		{"loope 1 zf", "e1 10", 1, zf, 0, false, 0},
		{"loopne zf", "e0 10", 5, zf, 4, false, 0},
		{"loopne !zf", "e0 10", 5, 0, 4, true, 0},
		{"addr32 loop ecx", "67 e2 10", 0x1_0000_0001, 0, 0, false, 0},
		{"addr32 loop ecx 0 wraps", "67 e2 10", 0x5_0000_0000, 0, 0xffff_ffff, true, 0},
		{"jrcxz 0", "e3 10", 0, 0, 0, true, 0},
		{"jrcxz big", "e3 10", 0x1_0000_0000, 0, 0x1_0000_0000, false, 0},
		{"jecxz ecx 0", "67 e3 10", 0x1_0000_0000, 0, 0x1_0000_0000, true, 0},
		{"jecxz ecx 1", "67 e3 10", 1, 0, 1, false, 0},
	} {
		in, err := Analyze(unhexStr(t, c.hex), addr)
		if err != nil || in.Class != Emulate {
			t.Fatalf("%s: %+v %v", c.name, in, err)
		}
		regs := unix.PtraceRegs{Rip: addr + 1, Rcx: c.rcx, Eflags: 0x202 | c.flags, Rsp: 0x1000}
		push, err := in.Emulate(&regs)
		if err != nil || push != nil {
			t.Fatalf("%s: %v %v", c.name, push, err)
		}
		want := addr + uint64(in.Len)
		if c.taken {
			want += 0x10
		}
		if regs.Rip != want || regs.Rcx != c.wantRcx || regs.Rsp != 0x1000 {
			t.Errorf("%s: rip %#x rcx %#x, want rip %#x rcx %#x", c.name, regs.Rip, regs.Rcx, want, c.wantRcx)
		}
	}

	in, _ := Analyze(unhexStr(t, "e8 fb ff ff ff"), addr) // call to itself
	regs := unix.PtraceRegs{Rip: addr + 1, Rsp: 0x7ffe_1000}
	push, err := in.Emulate(&regs)
	if err != nil || push == nil || *push != addr+5 || regs.Rsp != 0x7ffe_1000-8 || regs.Rip != addr {
		t.Errorf("call rel32: push %v err %v regs rip %#x rsp %#x", push, err, regs.Rip, regs.Rsp)
	}
	in, _ = Analyze(unhexStr(t, "e9 00 00 00 80"), 0x8000_0000) // jmp -2 GiB
	regs = unix.PtraceRegs{}
	if _, err := in.Emulate(&regs); err != nil || regs.Rip != 5 {
		t.Errorf("jmp rel32 -2GiB: rip %#x %v", regs.Rip, err)
	}

	in, _ = Analyze([]byte{0x90}, addr)
	if _, err := in.Emulate(&regs); err == nil {
		t.Errorf("Emulate on nop: no error")
	}
}

func TestFixupAndOrigPC(t *testing.T) {
	const addr, slot = 0x40_3000, 0x7f00_0000_0000
	in, _ := Analyze(unhexStr(t, "ff 15 10 00 00 00"), addr) // call [rip+0x10]
	if in.Class != StepFixup {
		t.Fatal(in.Class)
	}
	regs := unix.PtraceRegs{Rip: 0x40_9000, Rsp: 0x1000}
	if w := in.FixupAfterStep(&regs, slot); w == nil || *w != addr+6 {
		t.Errorf("fixup after call: %v", w)
	}
	regs.Rip = slot // faulted: nothing pushed
	if w := in.FixupAfterStep(&regs, slot); w != nil {
		t.Errorf("fixup after a fault: %#x", *w)
	}
	nop, _ := Analyze([]byte{0x90}, addr)
	if w := nop.FixupAfterStep(&regs, slot); w != nil {
		t.Errorf("fixup for Boost: %#x", *w)
	}

	for _, c := range []struct{ pc, want uint64 }{
		{slot, addr},                       // not yet run
		{slot + 3, addr},                   // cannot happen, but not run
		{slot + 6, addr + 6},               // on the jmp back: run
		{slot + 11, addr + 6},              // after the jmp (padding): run
		{slot + SlotSize, slot + SlotSize}, // next slot: not ours
		{slot - 1, slot - 1},
		{0x1234, 0x1234},
	} {
		if got := OrigPC(in, slot, c.pc); got != c.want {
			t.Errorf("OrigPC(%#x) = %#x, want %#x", c.pc, got, c.want)
		}
	}
}

func TestTextAndHints(t *testing.T) {
	for _, c := range []struct{ hex, text string }{
		{"f3 0f 1e fa", "endbr64"},
		{"c5 f8 77", "vzeroupper"},
		{"66 0f 38 f6 c3", "adcx"},
		{"c5 fe 6f 05 10 00 00 00", "# 0x1018"},
		{"48 8d 05 f9 ff ff ff", "# 0x1000"},
	} {
		in, err := Analyze(unhexStr(t, c.hex), 0x1000)
		if err != nil || !strings.Contains(in.Text, c.text) {
			t.Errorf("% s: text %q, want %q (%v)", c.hex, in.Text, c.text, err)
		}
	}
	hint := func(h string) *Insn { in, _ := Analyze(unhexStr(t, h), 0); return in }
	if !hint("9c").PushesFlags || !hint("f3 48 a5").RepString || hint("a5").RepString || !hint("0f 05").Syscall {
		t.Errorf("hints wrong")
	}
	if got := binary.LittleEndian.Uint32(hint("c7 f8 10 00 00 00").Bytes[2:]); got != 0x10 {
		t.Errorf("xbegin bytes %#x", got)
	}
}
