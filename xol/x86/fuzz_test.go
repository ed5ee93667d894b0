package x86

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// FuzzAnalyze: random bytes never panic; an instruction is 1..15 bytes or
// an error; the analysis depends on those bytes only; SlotBytes, Emulate,
// FixupAfterStep and OrigPC never panic, and slot code decodes back to the
// same instruction addressing the same RIP-relative target.
//
//	go test -run '^$' -fuzz FuzzAnalyze ./xol/x86
func FuzzAnalyze(f *testing.F) {
	for _, c := range classCases {
		b, _ := hex.DecodeString(strings.ReplaceAll(c.hex, " ", ""))
		f.Add(b, uint64(0x7f00_1234_5000))
	}
	f.Add([]byte{0x62, 0xf1, 0xfe, 0x48, 0x6f, 0x05, 1, 2, 3, 4}, uint64(0x400000))
	f.Add([]byte{0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x90}, uint64(0))
	f.Add([]byte{0x67, 0x8b, 0x05, 0xff, 0xff, 0xff, 0xff}, ^uint64(0)-3)
	f.Fuzz(func(t *testing.T, code []byte, addr uint64) {
		in, err := Analyze(code, addr)
		n, lerr := Length(code)
		if (err == nil) != (lerr == nil) || err == nil && n != in.Len {
			t.Fatalf("% x: Length says %d, %v; Analyze %v, %v", code, n, lerr, in, err)
		}
		if err != nil {
			if in != nil {
				t.Fatalf("error %v with an instruction", err)
			}
			return
		}
		if in.Len < 1 || in.Len > 15 || in.Len > len(code) || !bytes.Equal(in.Bytes, code[:in.Len]) {
			t.Fatalf("% x: length %d, bytes % x", code, in.Len, in.Bytes)
		}
		if in.RIPDispOff >= 0 && (in.RIPDispOff < 1 || in.RIPDispOff+4 > in.Len) {
			t.Fatalf("% x: RIPDispOff %d, length %d", code, in.RIPDispOff, in.Len)
		}
		if in.Class < Boost || in.Class > Refuse || in.Class == Refuse && in.Reason == "" || in.Text == "" {
			t.Fatalf("% x: class %v reason %q text %q", code, in.Class, in.Reason, in.Text)
		}
		again, err := Analyze(code[:in.Len], addr)
		if err != nil || again.Len != in.Len || again.Class != in.Class || again.RIPDispOff != in.RIPDispOff {
			t.Fatalf("% x: depends on bytes after the instruction: %v %v", code, again, err)
		}
		for _, slot := range []uint64{addr + 0x1000, addr - 0x7000_0000, addr + 0x9000_0000, 0, ^uint64(0) - 31} {
			sb, err := in.SlotBytes(slot)
			if err != nil {
				continue
			}
			if len(sb) > SlotSize {
				t.Fatalf("% x: %d slot bytes", code, len(sb))
			}
			cp, err := Analyze(sb, slot)
			if err != nil || cp.Len != in.Len || cp.RIPDispOff != in.RIPDispOff || in.RIPDispOff >= 0 && cp.RIPTarget != in.RIPTarget {
				t.Fatalf("% x: slot code at %#x (% x) decodes to %+v, %v", code, slot, sb, cp, err)
			}
			OrigPC(in, slot, slot+uint64(len(sb)))
		}
		regs := unix.PtraceRegs{Rip: addr, Rcx: addr, Eflags: addr}
		if _, err := in.Emulate(&regs); (err == nil) != (in.Class == Emulate) {
			t.Fatalf("% x: Emulate error %v for %v", code, err, in.Class)
		}
		in.FixupAfterStep(&regs, addr)
	})
}
