// Package goruntime reads the Go runtime's own view of a program's
// goroutines from its memory: the runtime.allgs slice and, for each g, its
// id, status, wait reason, the OS thread running it and the context saved
// when it last stopped running. Every field offset comes from the
// binary's DWARF (runtime.g, runtime.m, runtime.gobuf), because they
// change between Go versions; nothing here is hard-coded but the status
// numbers, which the runtime has kept since Go 1.0 and which debuggers
// (Delve, gdb's runtime-gdb.py) rely on too.
package goruntime

import (
	"debug/dwarf"
	"encoding/binary"
	"errors"
	"fmt"
)

// Memory reads the program's memory.
type Memory interface {
	ReadMemory(addr uint64, buf []byte) (int, error)
}

// Status is a g's atomicstatus, the scan bit masked off.
type Status uint32

// The runtime's _G* constants (runtime/runtime2.go).
const (
	Idle      Status = 0
	Runnable  Status = 1
	Running   Status = 2
	Syscall   Status = 3
	Waiting   Status = 4
	Dead      Status = 6
	CopyStack Status = 8
	Preempted Status = 9
	Leaked    Status = 10 // Go 1.26's goroutine leak detector

	scanBit = 0x1000
)

func (s Status) String() string {
	switch s {
	case Idle:
		return "idle"
	case Runnable:
		return "runnable"
	case Running:
		return "running"
	case Syscall:
		return "syscall"
	case Waiting:
		return "waiting"
	case Dead:
		return "dead"
	case CopyStack:
		return "copystack"
	case Preempted:
		return "preempted"
	case Leaked:
		return "leaked"
	}
	return fmt.Sprintf("status %d", uint32(s))
}

// Goroutine is one g as the runtime records it.
type Goroutine struct {
	Addr       uint64 // the g itself
	ID         int64
	Status     Status
	WaitReason string // for Waiting goroutines; "" otherwise or if unknown
	// Tid is the OS thread the g is on (m.procid), 0 if it has no m:
	// a parked or runnable goroutine.
	Tid int
	// The context saved in g.sched when the g last stopped running: where
	// a parked goroutine's stack is unwound from. Stale while it runs.
	PC, SP, BP uint64
	StartPC    uint64 // the function the goroutine was started with
	GoPC       uint64 // the go statement that started it
	StackHi    uint64 // the top of its stack (g.stack.hi)
}

// Runtime knows where a program's runtime keeps its goroutines, read once
// from its DWARF.
type Runtime struct {
	allgs uint64 // address of runtime.allgs (a []*g)

	gSize                                int64
	goid, status, waitreason, m, stackHi field
	sched, startpc, gopc                 int64
	schedPC, schedSP, schedBP            int64
	procid                               int64
	waitStrings, waitStringsLen          uint64 // runtime.waitReasonStrings, if present
}

type field struct {
	off  int64
	size int64
}

// ErrNoRuntime: the binary has no Go runtime DWARF (a C program, or a Go
// binary built with -ldflags=-w).
var ErrNoRuntime = errors.New("no Go runtime information (not a Go program, or built without DWARF)")

// Load finds the runtime's structures in d. bias is the image's load bias
// (run-time minus link-time address; 0 for a non-PIE executable).
func Load(d *dwarf.Data, bias uint64) (*Runtime, error) {
	if d == nil {
		return nil, ErrNoRuntime
	}
	types := map[string]dwarf.Offset{}
	vars := map[string]*dwarf.Entry{}
	r := d.Reader()
	for {
		e, err := r.Next()
		if err != nil {
			return nil, fmt.Errorf("read DWARF: %w", err)
		}
		if e == nil {
			break
		}
		switch e.Tag {
		case dwarf.TagCompileUnit:
			continue // its children are what we look at
		case dwarf.TagStructType:
			switch n, _ := e.Val(dwarf.AttrName).(string); n {
			case "runtime.g", "runtime.m", "runtime.gobuf":
				types[n] = e.Offset
			}
		case dwarf.TagVariable:
			switch n, _ := e.Val(dwarf.AttrName).(string); n {
			case "runtime.allgs", "runtime.waitReasonStrings":
				vars[n] = e
			}
		}
		if e.Children {
			r.SkipChildren()
		}
	}
	if types["runtime.g"] == 0 || vars["runtime.allgs"] == nil {
		return nil, ErrNoRuntime
	}
	rt := &Runtime{}
	var err error
	if rt.allgs, err = varAddr(vars["runtime.allgs"], bias); err != nil {
		return nil, err
	}
	g, err := structOf(d, types["runtime.g"])
	if err != nil {
		return nil, err
	}
	m, err := structOf(d, types["runtime.m"])
	if err != nil {
		return nil, err
	}
	gobuf, err := structOf(d, types["runtime.gobuf"])
	if err != nil {
		return nil, err
	}
	rt.gSize = g.ByteSize
	for _, f := range []struct {
		s    *dwarf.StructType
		name string
		dst  *field
	}{
		{g, "goid", &rt.goid},
		{g, "atomicstatus", &rt.status},
		{g, "waitreason", &rt.waitreason},
		{g, "m", &rt.m},
	} {
		if *f.dst, err = fieldOf(f.s, f.name); err != nil {
			return nil, err
		}
	}
	stack, err := fieldOf(g, "stack")
	if err != nil {
		return nil, err
	}
	rt.stackHi = field{stack.off + 8, 8} // stack{lo, hi uintptr}
	offs := []struct {
		s    *dwarf.StructType
		name string
		dst  *int64
	}{
		{g, "sched", &rt.sched}, {g, "startpc", &rt.startpc}, {g, "gopc", &rt.gopc},
		{gobuf, "pc", &rt.schedPC}, {gobuf, "sp", &rt.schedSP}, {gobuf, "bp", &rt.schedBP},
		{m, "procid", &rt.procid},
	}
	for _, o := range offs {
		f, err := fieldOf(o.s, o.name)
		if err != nil {
			return nil, err
		}
		*o.dst = f.off
	}
	if e := vars["runtime.waitReasonStrings"]; e != nil {
		// [N]string; a binary without it falls back to a table.
		if a, err := varAddr(e, bias); err == nil {
			if off, ok := e.Val(dwarf.AttrType).(dwarf.Offset); ok {
				if t, err := d.Type(off); err == nil {
					if at, ok := t.(*dwarf.ArrayType); ok && at.Count > 0 {
						rt.waitStrings, rt.waitStringsLen = a, uint64(at.Count)
					}
				}
			}
		}
	}
	return rt, nil
}

func varAddr(e *dwarf.Entry, bias uint64) (uint64, error) {
	loc, _ := e.Val(dwarf.AttrLocation).([]byte)
	if len(loc) != 9 || loc[0] != 0x03 { // DW_OP_addr
		return 0, fmt.Errorf("goruntime: %s has no static address", e.Val(dwarf.AttrName))
	}
	return binary.LittleEndian.Uint64(loc[1:]) + bias, nil
}

func structOf(d *dwarf.Data, off dwarf.Offset) (*dwarf.StructType, error) {
	if off == 0 {
		return nil, ErrNoRuntime
	}
	t, err := d.Type(off)
	if err != nil {
		return nil, err
	}
	st, ok := t.(*dwarf.StructType)
	if !ok {
		return nil, fmt.Errorf("goruntime: %s is not a struct", t)
	}
	return st, nil
}

func fieldOf(st *dwarf.StructType, name string) (field, error) {
	for _, f := range st.Field {
		if f.Name == name {
			return field{f.ByteOffset, f.Type.Size()}, nil
		}
	}
	return field{}, fmt.Errorf("goruntime: %s has no field %s (an unsupported Go version?)", st.StructName, name)
}

// maxGoroutines bounds what a corrupt allgs could make us read.
const maxGoroutines = 1 << 22

// Goroutines reads every goroutine the runtime knows, dead ones left out
// (the runtime keeps their gs for reuse).
func (rt *Runtime) Goroutines(mem Memory) ([]Goroutine, error) {
	var hdr [16]byte
	if err := read(mem, rt.allgs, hdr[:]); err != nil {
		return nil, fmt.Errorf("read runtime.allgs: %w", err)
	}
	ptr, n := binary.LittleEndian.Uint64(hdr[:]), binary.LittleEndian.Uint64(hdr[8:])
	if n > maxGoroutines {
		return nil, fmt.Errorf("runtime.allgs has %d entries: not believable", n)
	}
	ptrs := make([]byte, 8*n)
	if err := read(mem, ptr, ptrs); err != nil {
		return nil, fmt.Errorf("read runtime.allgs: %w", err)
	}
	gbuf := make([]byte, rt.gSize)
	out := make([]Goroutine, 0, n)
	for i := uint64(0); i < n; i++ {
		ga := binary.LittleEndian.Uint64(ptrs[8*i:])
		if ga == 0 {
			continue
		}
		if err := read(mem, ga, gbuf); err != nil {
			return nil, fmt.Errorf("read g at %#x: %w", ga, err)
		}
		g := Goroutine{
			Addr:    ga,
			ID:      int64(rt.goid.get(gbuf)),
			Status:  Status(rt.status.get(gbuf) &^ scanBit),
			PC:      u64(gbuf, rt.sched+rt.schedPC),
			SP:      u64(gbuf, rt.sched+rt.schedSP),
			BP:      u64(gbuf, rt.sched+rt.schedBP),
			StartPC: u64(gbuf, rt.startpc),
			GoPC:    u64(gbuf, rt.gopc),
			StackHi: rt.stackHi.get(gbuf),
		}
		if g.Status == Dead {
			continue
		}
		if g.Status == Waiting {
			g.WaitReason = rt.waitReason(mem, uint8(rt.waitreason.get(gbuf)))
		}
		if m := rt.m.get(gbuf); m != 0 {
			var b [8]byte
			if read(mem, m+uint64(rt.procid), b[:]) == nil {
				g.Tid = int(binary.LittleEndian.Uint64(b[:]))
			}
		}
		out = append(out, g)
	}
	return out, nil
}

func (f field) get(b []byte) uint64 {
	switch f.size {
	case 1:
		return uint64(b[f.off])
	case 2:
		return uint64(binary.LittleEndian.Uint16(b[f.off:]))
	case 4:
		return uint64(binary.LittleEndian.Uint32(b[f.off:]))
	}
	return binary.LittleEndian.Uint64(b[f.off:])
}

func u64(b []byte, off int64) uint64 { return binary.LittleEndian.Uint64(b[off:]) }

func read(mem Memory, addr uint64, buf []byte) error {
	n, err := mem.ReadMemory(addr, buf)
	if err == nil && n < len(buf) {
		err = fmt.Errorf("short read at %#x", addr)
	}
	return err
}

// waitReason names a wait reason the way the running program would: from
// its own runtime.waitReasonStrings, whose order changes between versions.
func (rt *Runtime) waitReason(mem Memory, r uint8) string {
	if rt.waitStrings == 0 || uint64(r) >= rt.waitStringsLen {
		return fmt.Sprintf("wait reason %d", r)
	}
	var s [16]byte
	if read(mem, rt.waitStrings+16*uint64(r), s[:]) != nil {
		return fmt.Sprintf("wait reason %d", r)
	}
	p, n := binary.LittleEndian.Uint64(s[:]), binary.LittleEndian.Uint64(s[8:])
	if n == 0 || n > 128 {
		return fmt.Sprintf("wait reason %d", r)
	}
	b := make([]byte, n)
	if read(mem, p, b) != nil {
		return fmt.Sprintf("wait reason %d", r)
	}
	return string(b)
}
