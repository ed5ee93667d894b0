package eval

import (
	"debug/dwarf"
	"encoding/binary"
	"errors"
	"testing"

	"github.com/go-delve/delve/pkg/dwarf/godwarf"
	"github.com/ubpdbg/ubpdbg/symbols"
)

// fakeMem is memory for the DWARF machine tests: 4 KiB at 0x1000.
type fakeMem struct{ b [4096]byte }

func (m *fakeMem) ReadMemory(addr uint64, buf []byte) (int, error) {
	if addr < 0x1000 || addr+uint64(len(buf)) > 0x2000 {
		return 0, errors.New("unmapped")
	}
	return copy(buf, m.b[addr-0x1000:]), nil
}

func (m *fakeMem) WriteMemory(addr uint64, data []byte) error {
	copy(m.b[addr-0x1000:], data)
	return nil
}

// testEnv is frame 0 with rax=0x1122334455667788, rsp=0x1800, and a
// caller frame whose rbx (callee-saved) is 42.
func testEnv() (*frameEnv, *fakeMem) {
	m := &fakeMem{}
	binary.LittleEndian.PutUint64(m.b[0x808:], 0xdeadbeef)
	var r0, r1 symbols.Regs
	r0.Set(0, 0x1122334455667788)
	r0.Set(7, 0x1800)
	r0.Set(16, 0x401000)
	r1.Set(3, 42)
	r1.Set(16, 0x402000)
	frames := []symbols.Frame{{PC: 0x401000, CFA: 0x1810, Regs: r0}, {PC: 0x402000, CFA: 0x1900, Regs: r1}}
	c := &Context{cfg: Config{Frames: frames, Mem: m}}
	return &frameEnv{c: c, fr: frames[0], pc: 0x401000, mem: m, cfa: 0x1810, fbDone: true, fb: 0x1700}, m
}

func TestLocationPieces(t *testing.T) {
	f, _ := testEnv()
	int8T := fakeInt("long", 8, true)
	for _, tc := range []struct {
		name string
		prog []byte
		want string // value summary, as a C long
	}{
		{"breg rsp+8 in memory", []byte{0x77, 8}, "3735928559"},
		{"register", []byte{0x50}, "1234605616436508552"},
		{"stack value", []byte{0x35, 0x9f}, "5"},
		{"fbreg", []byte{0x91, 0x88, 0x02}, "3735928559"}, // 0x1700 + 0x108 = 0x1808
		{"call frame cfa", []byte{0x9c, 0x9f}, "6160"},
		{"entry value of a callee-saved register", []byte{0xa3, 1, 0x53, 0x9f}, "42"},
		{"entry value of a scratch register", []byte{0xa3, 1, 0x51, 0x9f}, optimizedOut},
		{"implicit value", []byte{0x9e, 2, 0x34, 0x12}, "4660"},
		{"empty", nil, optimizedOut},
		{"two pieces, second lost", []byte{0x50, 0x93, 4, 0x93, 4}, optimizedOut},
		{"pieces", []byte{0x33, 0x9f, 0x93, 4, 0x30, 0x9f, 0x93, 4}, "3"},
		{"bit pieces", []byte{0x50, 0x9d, 3, 0, 0x31, 0x9f, 0x9d, 61, 0}, "8"},
		{"typed stack", []byte{0x31, 0xa8, 0, 0x32, 0x22, 0x9f}, "3"},
	} {
		prog := tc.prog
		var err error
		if prog == nil {
			err = errOptimizedOut
		}
		v, err := f.locate(emptyEntry{}, int8T, prog, err)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if got := f.c.summary(v, 0); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
	// A composite with one part missing shows the parts it has.
	st := &godwarf.StructType{CommonType: godwarf.CommonType{ByteSize: 16}, Kind: "struct", Field: []*godwarf.StructField{
		{Name: "a", Type: int8T, ByteOffset: 0}, {Name: "b", Type: int8T, ByteOffset: 8}}}
	v, err := f.locate(emptyEntry{}, st, []byte{0x50, 0x93, 8, 0x93, 8}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := f.c.summary(v, 0); got != "{a = 1234605616436508552, b = <optimized out>}" {
		t.Errorf("partial struct: %s", got)
	}
}

// TestLocationMalformed: broken expressions are errors, not panics.
func TestLocationMalformed(t *testing.T) {
	f, _ := testEnv()
	for _, prog := range [][]byte{
		{0x23, 1},                      // plus_uconst on an empty stack
		{0x22},                         // plus with nothing
		{0x0e, 1, 2},                   // const8u cut short
		{0x10, 0x80},                   // unterminated ULEB
		{0x2f, 0x00, 0x40},             // skip far beyond the end
		{0x30, 0x28, 0xf0},             // bra cut short
		{0x94, 9, 0x30},                // deref_size 9
		{0x30, 0x06},                   // deref of address 0
		{0x50, 0x30},                   // register followed by more
		{0x30, 0x30, 0x1b},             // divide by zero
		{0x15, 5},                      // pick beyond the stack
		{0xff},                         // unknown opcode
		{0xa3, 10, 0x50},               // entry value longer than the program
		{0x9e, 8, 1},                   // implicit value cut short
		{0x2f, 0xfd, 0xff},             // skip backwards forever
		{0x93, 0xff, 0xff, 0xff, 0x0f}, // a huge piece
	} {
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("% x: panic %v", prog, r)
				}
			}()
			if _, err := f.runLocation(prog, 0); err == nil {
				if ps, _ := f.runLocation(prog, 0); len(ps) == 1 && ps[0].kind == pieceMem {
					return // a plain address; reading it fails later
				}
				t.Errorf("% x: no error", prog)
			}
		}()
	}
}

// emptyEntry is a DIE with no attributes.
type emptyEntry struct{}

func (emptyEntry) Val(a dwarf.Attr) any                { return nil }
func (emptyEntry) AttrField(a dwarf.Attr) *dwarf.Field { return nil }
