package eval

import (
	"debug/dwarf"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"

	"github.com/go-delve/delve/pkg/dwarf/godwarf"
)

// Return values: what a function just returned, read in the caller's
// frame right after the return (frame 0 of the context, as a debugger's
// finish leaves the thread), from the registers the function returned
// them in: the System V x86-64 ABI's for C, Go's internal register ABI
// (Go 1.17 on) for Go.

// ReturnValueName names a returned value; a Go function's results are
// named ReturnValueName + " " + their name ("(return value) ~r1"), but for
// a lone unnamed one.
const ReturnValueName = "(return value)"

// ErrNoReturnValue: the function returns nothing (void, or a Go function
// without results).
var ErrNoReturnValue = errors.New("the function returns no value")

// ReturnValues reads the values that the function containing fnPC
// returned, with the thread's xmm registers as they are now
// (floating-point results): one for C, ReturnValueName; one per result
// for Go, named as the function names them (~r0 when it does not).
func (c *Context) ReturnValues(fnPC uint64, xmm *[16][16]byte) ([]*Variable, error) {
	if c.cfg.Table == nil {
		return nil, errNoDebugInfo
	}
	im := c.cfg.Table.ImageAt(fnPC)
	if im == nil || !im.HasDWARF() {
		return nil, errNoDebugInfo
	}
	ii := infoFor(im)
	u := im.UnitAt(fnPC)
	if u.Function == 0 {
		return nil, fmt.Errorf("no function DIE covers pc %#x", fnPC)
	}
	fn, err := ii.tree(u.Function)
	if err != nil {
		return nil, err
	}
	if u.Lang == langGo {
		return c.goResults(ii, fn, xmm)
	}
	off, ok := fn.Entry.Val(dwarf.AttrType).(dwarf.Offset)
	if !ok {
		return nil, ErrNoReturnValue
	}
	t, err := ii.readType(off)
	if err != nil {
		return nil, err
	}
	v, err := c.cReturnValue(t, xmm)
	if err != nil {
		return nil, err
	}
	return []*Variable{v}, nil
}

func (c *Context) cReturnValue(t godwarf.Type, xmm *[16][16]byte) (*Variable, error) {
	size := sizeOf(t)
	rax, err := c.env.reg(0)
	if err != nil {
		return nil, err
	}
	rdx, _ := c.env.reg(1)
	classes, err := returnClasses(t, size)
	if err != nil {
		return nil, err
	}
	if classes == nil {
		// Returned in memory: the caller passed the buffer, and rax
		// holds its address on return.
		return c.newVariable(ReturnValueName, memValue(t, rax)), nil
	}
	ints, sse := []uint64{rax, rdx}, 0
	b := make([]byte, 8*len(classes))
	for i, cl := range classes {
		if cl == classSSE {
			copy(b[8*i:], xmm[sse][:8])
			sse++
			continue
		}
		binary.LittleEndian.PutUint64(b[8*i:], ints[0])
		ints = ints[1:]
	}
	return c.newVariable(ReturnValueName, immValue(t, b[:size])), nil
}

// goIntRegs are Go's integer argument and result registers in order
// (RAX, RBX, RCX, RDI, RSI, R8-R11), as DWARF numbers them; 15 float
// registers X0-X14 follow them.
var goIntRegs = []int{0, 3, 2, 5, 4, 8, 9, 10, 11}

const goFloatRegs = 15

// goResults reads a Go function's results, which its DWARF lists as
// formal parameters marked DW_AT_variable_parameter, from the registers
// Go's internal ABI assigns them: each result in turn, from the first
// register again for results. A result that does not fit in the
// registers left is read from the caller's argument area on the stack.
func (c *Context) goResults(ii *imgInfo, fn *godwarf.Tree, xmm *[16][16]byte) ([]*Variable, error) {
	type param struct {
		name string
		t    godwarf.Type
	}
	var args, results []param
	for _, ch := range fn.Children {
		if ch.Tag != dwarf.TagFormalParameter {
			continue
		}
		name, _ := ch.Entry.Val(dwarf.AttrName).(string)
		off, ok := ch.Entry.Val(dwarf.AttrType).(dwarf.Offset)
		if !ok {
			continue
		}
		t, err := ii.readType(off)
		if err != nil {
			return nil, err
		}
		if isResult, _ := ch.Entry.Val(dwarf.AttrVarParam).(bool); isResult {
			results = append(results, param{name, t})
		} else {
			args = append(args, param{name, t})
		}
	}
	if len(results) == 0 {
		return nil, ErrNoReturnValue
	}
	// The stack-assigned arguments come first in the caller's argument
	// area (at the caller's sp once the callee has returned), then, from
	// the next pointer-aligned offset, the stack-assigned results.
	var stack int64
	var aa goAssigner
	for _, p := range args {
		saved := aa
		if !aa.assign(p.t, 0) {
			aa = saved
			stack = alignUp(stack, goAlign(p.t)) + sizeOf(p.t)
		}
	}
	stack = alignUp(stack, 8)
	sp, err := c.env.reg(7)
	if err != nil {
		return nil, err
	}
	var out []*Variable
	var a goAssigner
	for _, p := range results {
		label := ReturnValueName + " " + p.name
		saved := a
		a.pieces = nil
		if !a.assign(p.t, 0) {
			a = saved // stack-assigned: the registers it took are given back
			stack = alignUp(stack, goAlign(p.t))
			out = append(out, c.newVariable(label, memValue(p.t, sp+uint64(stack))))
			stack += sizeOf(p.t)
			continue
		}
		b := make([]byte, sizeOf(p.t))
		for _, pc := range a.pieces {
			var reg [8]byte
			if pc.float {
				if xmm == nil {
					return nil, errors.New("no floating-point registers")
				}
				copy(reg[:], xmm[pc.reg][:8])
			} else {
				v, err := c.env.reg(goIntRegs[pc.reg])
				if err != nil {
					return nil, err
				}
				binary.LittleEndian.PutUint64(reg[:], v)
			}
			copy(b[pc.off:pc.off+pc.size], reg[:pc.size])
		}
		out = append(out, c.newVariable(label, immValue(p.t, b)))
	}
	if len(out) == 1 && strings.HasPrefix(results[0].name, "~r") {
		out[0].Name = ReturnValueName
	}
	return out, nil
}

func alignUp(n, a int64) int64 {
	if a <= 1 {
		return n
	}
	return (n + a - 1) / a * a
}

// goAlign is a Go type's alignment on amd64: its largest scalar's size.
func goAlign(t godwarf.Type) int64 {
	switch rt := resolve(t).(type) {
	case *godwarf.StringType, *godwarf.SliceType:
		return 8
	case *godwarf.StructType:
		var m int64 = 1
		for _, f := range rt.Field {
			m = max(m, goAlign(f.Type))
		}
		return m
	case *godwarf.ArrayType:
		return goAlign(rt.Type)
	case *godwarf.ComplexType:
		return max(1, rt.ByteSize/2)
	}
	return min(8, max(1, sizeOf(t)))
}

// goAssigner follows Go's register assignment (the internal ABI's
// "register assignment" algorithm): which register holds each piece.
type goAssigner struct {
	ints, floats int
	pieces       []goPiece
}

type goPiece struct {
	off, size int64
	float     bool
	reg       int
}

func (a *goAssigner) assign(t godwarf.Type, off int64) bool {
	switch rt := resolve(t).(type) {
	case *godwarf.StringType:
		return a.assignFields(rt.Field, off)
	case *godwarf.SliceType:
		return a.assignFields(rt.Field, off)
	case *godwarf.StructType:
		return a.assignFields(rt.Field, off)
	case *godwarf.ArrayType:
		switch rt.Count {
		case 0:
			return true
		case 1:
			return a.assign(rt.Type, off)
		}
		return false
	case *godwarf.FloatType:
		return a.float(off, rt.ByteSize)
	case *godwarf.ComplexType:
		half := rt.ByteSize / 2
		return a.float(off, half) && a.float(off+half, half)
	default:
		size := sizeOf(t)
		if size <= 0 || size > 8 || a.ints == len(goIntRegs) {
			return size == 0
		}
		a.pieces = append(a.pieces, goPiece{off: off, size: size, reg: a.ints})
		a.ints++
		return true
	}
}

func (a *goAssigner) assignFields(fs []*godwarf.StructField, off int64) bool {
	for _, f := range fs {
		if !a.assign(f.Type, off+f.ByteOffset) {
			return false
		}
	}
	return true
}

func (a *goAssigner) float(off, size int64) bool {
	if a.floats == goFloatRegs {
		return false
	}
	a.pieces = append(a.pieces, goPiece{off: off, size: size, float: true, reg: a.floats})
	a.floats++
	return true
}

// The ABI's classes of an eightbyte of a value: integer registers or SSE
// registers (classNone: padding only so far).
const (
	classNone = iota
	classInteger
	classSSE
)

// returnClasses classifies a returned value of type t the System V way
// (section 3.2.3 of the psABI): nil for a value returned in memory (over
// 16 bytes), else one class per eightbyte.
func returnClasses(t godwarf.Type, size int64) ([]int, error) {
	if size <= 0 {
		return nil, fmt.Errorf("a returned %s has no size", t)
	}
	if size > 16 {
		return nil, nil
	}
	classes := make([]int, (size+7)/8)
	if err := classify(t, 0, classes); err != nil {
		return nil, err
	}
	for i, cl := range classes {
		if cl == classNone {
			classes[i] = classSSE // all padding: nothing reads it
		}
	}
	return classes, nil
}

// classify merges the classes of t, at byte offset off of the returned
// value, into classes.
func classify(t godwarf.Type, off int64, classes []int) error {
	mark := func(cl int) {
		i := off / 8
		if i < int64(len(classes)) && classes[i] != classInteger {
			classes[i] = cl
		}
	}
	switch rt := resolve(t).(type) {
	case *godwarf.FloatType:
		if rt.ByteSize > 8 {
			return errors.New("long double results (returned in x87 st0) are not shown")
		}
		mark(classSSE)
	case *godwarf.ComplexType:
		if rt.ByteSize > 16 {
			return errors.New("complex long double results are not shown")
		}
		half := rt.ByteSize / 2
		mark(classSSE)
		return classify(&godwarf.FloatType{BasicType: godwarf.BasicType{CommonType: godwarf.CommonType{ByteSize: half}}}, off+half, classes)
	case *godwarf.StructType:
		for _, f := range rt.Field {
			if f.BitSize != 0 {
				i := (off + f.ByteOffset) / 8
				if i < int64(len(classes)) {
					classes[i] = classInteger
				}
				continue
			}
			if err := classify(f.Type, off+f.ByteOffset, classes); err != nil {
				return err
			}
		}
	case *godwarf.ArrayType:
		es := sizeOf(rt.Type)
		for i := int64(0); i < rt.Count && es > 0; i++ {
			if err := classify(rt.Type, off+i*es, classes); err != nil {
				return err
			}
		}
	default:
		// Integers, characters, booleans, enums, pointers.
		mark(classInteger)
	}
	return nil
}
