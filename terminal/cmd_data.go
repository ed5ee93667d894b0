package terminal

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/ubpdbg/ubpdbg/symbols"
)

// Data: registers and memory here; values of variables and expressions in
// cmd_eval.go.

func init() {
	register(
		&command{name: "regs", aliases: []string{"registers"}, group: "data",
			summary: "show the selected frame's registers (outer frames: those the unwinder knows)",
			run:     cmdRegs},
		&command{name: "x", group: "data", usage: "ADDR [N]", repeat: true,
			summary: "dump N bytes of memory (default 64) at ADDR in hex and ASCII",
			help:    "ADDR is a number (0x... or decimal), $REG, or an expression giving an address.",
			run:     cmdExamine},
	)
}

// DWARF register names in symbols' numbering.
var dwarfRegNames = [symbols.NumRegs]string{"rax", "rdx", "rcx", "rbx", "rsi", "rdi", "rbp", "rsp",
	"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "rip"}

func cmdRegs(t *Term, args string) error {
	tid, err := t.stoppedThread()
	if err != nil {
		return err
	}
	_, n := t.selected()
	var b strings.Builder
	if n == 0 {
		r, err := t.s.Regs(tid)
		if err != nil {
			return err
		}
		for _, x := range []struct {
			n string
			v uint64
		}{{"rip", r.Rip}, {"rsp", r.Rsp}, {"rbp", r.Rbp}, {"rax", r.Rax}, {"rbx", r.Rbx}, {"rcx", r.Rcx},
			{"rdx", r.Rdx}, {"rsi", r.Rsi}, {"rdi", r.Rdi}, {"r8", r.R8}, {"r9", r.R9}, {"r10", r.R10},
			{"r11", r.R11}, {"r12", r.R12}, {"r13", r.R13}, {"r14", r.R14}, {"r15", r.R15},
			{"eflags", r.Eflags}, {"fs_base", r.Fs_base}, {"gs_base", r.Gs_base}} {
			fmt.Fprintf(&b, "%-8s 0x%016x %d\n", x.n, x.v, int64(x.v))
		}
		t.con.printf("%s", b.String())
		return nil
	}
	f, err := t.currentFrame()
	if err != nil {
		return err
	}
	for _, i := range []int{16, 7, 6, 0, 3, 2, 1, 4, 5, 8, 9, 10, 11, 12, 13, 14, 15} {
		if v, ok := f.Regs.Get(i); ok {
			fmt.Fprintf(&b, "%-8s 0x%016x %d\n", dwarfRegNames[i], v, int64(v))
		} else {
			fmt.Fprintf(&b, "%-8s <not saved>\n", dwarfRegNames[i])
		}
	}
	t.con.printf("%s", b.String())
	return nil
}

// address reads an address argument: a number, $REG of the selected frame,
// or (if an evaluator is available) an expression.
func (t *Term) address(s string) (uint64, error) {
	if a, err := strconv.ParseUint(s, 0, 64); err == nil {
		return a, nil
	}
	if strings.HasPrefix(s, "$") {
		f, err := t.currentFrame()
		if err != nil {
			return 0, err
		}
		name := strings.ToLower(s[1:])
		if name == "pc" {
			name = "rip"
		}
		if name == "sp" {
			name = "rsp"
		}
		for i, n := range dwarfRegNames {
			if n == name {
				if v, ok := f.Regs.Get(i); ok {
					return v, nil
				}
				return 0, fmt.Errorf("%s is not known in this frame", s)
			}
		}
	}
	return t.evalAddress(s)
}

func cmdExamine(t *Term, args string) error {
	if args == "" {
		return badArgs("missing address")
	}
	if err := t.needProcess(); err != nil {
		return err
	}
	n := 64
	addrText := args
	if i := strings.LastIndexByte(args, ' '); i > 0 {
		if v, err := strconv.Atoi(args[i+1:]); err == nil {
			if v <= 0 || v > 1<<20 {
				return badArgs("byte count %d out of range (1..1048576)", v)
			}
			n, addrText = v, strings.TrimSpace(args[:i])
		}
	}
	addr, err := t.address(addrText)
	if err != nil {
		return err
	}
	buf := make([]byte, n)
	got, err := t.s.ReadMemory(addr, buf)
	t.con.printf("%s", hexDump(addr, buf[:got]))
	if got < n {
		return fmt.Errorf("read %d of %d bytes at %#x: %v", got, n, addr, err)
	}
	return nil
}

// hexDump formats memory 16 bytes a line, with ASCII.
func hexDump(addr uint64, data []byte) string {
	var b strings.Builder
	for off := 0; off < len(data); off += 16 {
		row := data[off:min(off+16, len(data))]
		fmt.Fprintf(&b, "0x%012x:", addr+uint64(off))
		for i := 0; i < 16; i++ {
			if i == 8 {
				b.WriteByte(' ')
			}
			if i < len(row) {
				fmt.Fprintf(&b, " %02x", row[i])
			} else {
				b.WriteString("   ")
			}
		}
		b.WriteString("  |")
		for _, c := range row {
			if c >= 0x20 && c < 0x7f {
				b.WriteByte(c)
			} else {
				b.WriteByte('.')
			}
		}
		b.WriteString("|\n")
	}
	return b.String()
}
