package eval

import (
	"fmt"
	"strings"

	"github.com/go-delve/delve/pkg/dwarf/godwarf"
	"github.com/ubpdbg/ubpdbg/expr"
	"github.com/ubpdbg/ubpdbg/target"
	"golang.org/x/sys/unix"
)

// Registers by name: $rax ... $r15, $rip (and $pc), $rsp ($sp), their
// 32-bit halves ($eax, $r8d, ...), and from frame 0 only, the registers
// the unwinder does not track ($eflags, $fs_base, segment registers).
// Outer frames show what the unwinder recovered; a caller-saved register
// it could not recover is an error, not a stale value.

var dwarfRegNames = [...]string{"rax", "rdx", "rcx", "rbx", "rsi", "rdi", "rbp", "rsp",
	"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "rip"}

var reg32Names = map[string]int{"eax": 0, "edx": 1, "ecx": 2, "ebx": 3, "esi": 4, "edi": 5, "ebp": 6, "esp": 7,
	"r8d": 8, "r9d": 9, "r10d": 10, "r11d": 11, "r12d": 12, "r13d": 13, "r14d": 14, "r15d": 15}

// ptraceOnly are frame-0 registers read from the thread's ptrace set.
var ptraceOnly = map[string]func(r *unix.PtraceRegs) *uint64{
	"eflags":   func(r *unix.PtraceRegs) *uint64 { return &r.Eflags },
	"fs_base":  func(r *unix.PtraceRegs) *uint64 { return &r.Fs_base },
	"gs_base":  func(r *unix.PtraceRegs) *uint64 { return &r.Gs_base },
	"cs":       func(r *unix.PtraceRegs) *uint64 { return &r.Cs },
	"ss":       func(r *unix.PtraceRegs) *uint64 { return &r.Ss },
	"ds":       func(r *unix.PtraceRegs) *uint64 { return &r.Ds },
	"es":       func(r *unix.PtraceRegs) *uint64 { return &r.Es },
	"fs":       func(r *unix.PtraceRegs) *uint64 { return &r.Fs },
	"gs":       func(r *unix.PtraceRegs) *uint64 { return &r.Gs },
	"orig_rax": func(r *unix.PtraceRegs) *uint64 { return &r.Orig_rax },
}

// ptraceField maps DWARF register numbers 0-16 to the ptrace register set.
func ptraceField(r *unix.PtraceRegs, n int) *uint64 {
	return [...]*uint64{&r.Rax, &r.Rdx, &r.Rcx, &r.Rbx, &r.Rsi, &r.Rdi, &r.Rbp, &r.Rsp,
		&r.R8, &r.R9, &r.R10, &r.R11, &r.R12, &r.R13, &r.R14, &r.R15, &r.Rip}[n]
}

func dwarfRegNum(name string) (int, bool) {
	switch name {
	case "pc":
		return 16, true
	case "sp":
		return 7, true
	case "fp":
		return 6, true
	}
	for i, n := range dwarfRegNames {
		if n == name {
			return i, true
		}
	}
	return 0, false
}

func (c *Context) regType(bits int) godwarf.Type {
	if c.lang == expr.Go {
		if bits == 32 {
			return fakeInt("uint32", 4, false)
		}
		return fakeInt("uint64", 8, false)
	}
	if bits == 32 {
		return fakeInt("unsigned int", 4, false)
	}
	return fakeInt("unsigned long", 8, false)
}

func (c *Context) inFrame0() bool { return physStart(c.cfg.Frames, c.cfg.Frame) == 0 }

// register evaluates $name.
func (c *Context) register(x *expr.Register) (*value, error) {
	name := strings.ToLower(x.Name)
	if n, ok := dwarfRegNum(name); ok {
		v, err := c.env.reg(n)
		if err != nil {
			return nil, errAt(x, "$%s is not saved in frame %d", name, c.cfg.Frame)
		}
		r := c.intValue(c.regType(64), v)
		r.reg, r.regFrame, r.expr = n, c.cfg.Frame, "$"+name
		return r, nil
	}
	if n, ok := reg32Names[name]; ok {
		v, err := c.env.reg(n)
		if err != nil {
			return nil, errAt(x, "$%s is not saved in frame %d", name, c.cfg.Frame)
		}
		r := c.intValue(c.regType(32), v&0xffffffff)
		r.expr = "$" + name
		return r, nil
	}
	if f, ok := ptraceOnly[name]; ok {
		if c.cfg.ThreadRegs == nil || !c.inFrame0() {
			return nil, errAt(x, "$%s is only known in frame 0", name)
		}
		return c.intValue(c.regType(64), *f(c.cfg.ThreadRegs)), nil
	}
	return nil, errAt(x, "unknown register $%s", x.Name)
}

// Registers lists the frame's general registers with hexadecimal values:
// all of them in frame 0, those the unwinder recovered in outer frames.
func (c *Context) Registers() []*Variable {
	var out []*Variable
	for i, n := range dwarfRegNames {
		v, err := c.env.reg(i)
		if err != nil {
			continue
		}
		out = append(out, c.regVariable(n, v))
	}
	if c.cfg.ThreadRegs != nil && c.inFrame0() {
		for _, n := range []string{"eflags", "fs_base", "gs_base", "cs", "ss", "ds", "es", "fs", "gs", "orig_rax"} {
			out = append(out, c.regVariable(n, *ptraceOnly[n](c.cfg.ThreadRegs)))
		}
	}
	return out
}

func (c *Context) regVariable(name string, v uint64) *Variable {
	return &Variable{Name: "$" + name, Type: typeName(c.regType(64), c.lang), Value: fmt.Sprintf("%#x", v),
		Kind: KindUint, Expr: "$" + name}
}

// writeRegister sets DWARF register n of frame 0.
func (c *Context) writeRegister(n int, bits uint64, at expr.Node) error {
	if c.cfg.SetRegs == nil || c.cfg.ThreadRegs == nil {
		return errAt(at, "registers are read-only here")
	}
	if n < 0 || n > 16 {
		return errAt(at, "cannot write DWARF register %d", n)
	}
	regs := *c.cfg.ThreadRegs
	*ptraceField(&regs, n) = bits
	if n == 16 && target.RestartPending(regs) {
		// A new pc for a thread leaving an interrupted system call: the
		// kernel's restart would move it back two bytes (gdb cancels the
		// restart the same way).
		regs.Orig_rax = ^uint64(0)
	}
	if err := c.cfg.SetRegs(regs); err != nil {
		return errAt(at, "writing the register: %v", err)
	}
	*c.cfg.ThreadRegs = regs
	// Later reads in this Context see the new value.
	c.env.fr.Regs.Set(n, bits)
	return nil
}
