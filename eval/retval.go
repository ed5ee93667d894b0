package eval

import (
	"debug/dwarf"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/go-delve/delve/pkg/dwarf/godwarf"
)

// Return values: what a function just returned, read in the caller's
// frame right after the return (frame 0 of the context, as a debugger's
// finish leaves the thread), from the registers the System V x86-64 ABI
// returns values in. Go's internal ABI (results in RAX, RBX, RCX...)
// is not read: it is unstable across Go versions and Delve reads Go
// results from the callee's own frame instead.

// ErrNoReturnValue: the function returns nothing (void), or it is a Go
// function, whose results are not read.
var ErrNoReturnValue = errors.New("the function returns no value")

// ReturnValue reads the value that the function containing fnPC returned,
// with xmm0 and xmm1 as the thread has them now (floating-point results).
func (c *Context) ReturnValue(fnPC uint64, xmm [2][16]byte) (*Variable, error) {
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
	if u.Lang == langGo {
		return nil, ErrNoReturnValue
	}
	fn, err := ii.tree(u.Function)
	if err != nil {
		return nil, err
	}
	off, ok := fn.Entry.Val(dwarf.AttrType).(dwarf.Offset)
	if !ok {
		return nil, ErrNoReturnValue
	}
	t, err := ii.readType(off)
	if err != nil {
		return nil, err
	}
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
		return c.newVariable("(return value)", memValue(t, rax)), nil
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
	return c.newVariable("(return value)", immValue(t, b[:size])), nil
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
