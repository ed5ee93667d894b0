package target

import (
	"encoding/binary"
	"fmt"

	"golang.org/x/sys/unix"
)

// Regs returns the general registers of a stopped thread. They are read
// once per stop and cached; SetRegs changes them.
func (c *Ctl) Regs(tid int) (unix.PtraceRegs, error) {
	t, err := c.stopped(tid)
	if err != nil {
		return unix.PtraceRegs{}, err
	}
	if !t.regsValid {
		if err := ptraceGetRegs(tid, &t.regs); err != nil {
			return unix.PtraceRegs{}, c.p.opErr(t, err)
		}
		t.regsValid = true
	}
	return t.regs, nil
}

// SetRegs sets the general registers of a stopped thread. They are written
// to the kernel once, when the thread resumes (or is stepped or detached),
// however many times they change in between.
func (c *Ctl) SetRegs(tid int, r unix.PtraceRegs) error {
	t, err := c.stopped(tid)
	if err != nil {
		return err
	}
	t.regs, t.regsValid, t.regsDirty = r, true, true
	if c.p.guard != nil {
		c.p.parkCheck = true // the kernel's copy may need a stub, or lose one
		t.parkStale = t.parkedAt != 0
	}
	return nil
}

// SetPC sets only the instruction pointer of a stopped thread.
func (c *Ctl) SetPC(tid int, pc uint64) error {
	r, err := c.Regs(tid)
	if err != nil {
		return err
	}
	r.Rip = pc
	return c.SetRegs(tid, r)
}

func (p *Process) flushRegs(t *thread) error {
	if !t.regsDirty {
		return nil
	}
	if err := ptraceSetRegs(t.tid, &t.regs); err != nil {
		return p.opErr(t, err)
	}
	t.regsDirty = false
	t.parkedAt = 0
	return nil
}

// FPRegs is the x87, SSE and AVX state of a thread.
type FPRegs struct {
	Fcw, Fsw  uint16
	Ftw       uint8 // abridged tag word, as FXSAVE stores it
	Fop       uint16
	Fip, Fdp  uint64
	Mxcsr     uint32
	St        [8][10]byte  // 80-bit x87 registers ST(0)..ST(7)
	Xmm       [16][16]byte // XMM0..15
	Ymm       [16][32]byte // YMM0..15 (low half is the XMM register); valid if HasAVX
	HasAVX    bool         // the AVX upper halves are in the saved state
	Zmm       [32][64]byte // ZMM0..31; valid if HasAVX512
	K         [8]uint64    // opmask registers; valid if HasAVX512
	HasAVX512 bool
	XstateBV  uint64 // which components the kernel saved
	Raw       []byte // the XSAVE area as the kernel gave it
}

// Offsets in the standard (non-compacted) XSAVE layout, which is what
// PTRACE_GETREGSET NT_X86_XSTATE returns. They are architectural for the
// components below (Intel SDM vol. 1, 13.4 and table 13-1 via CPUID 0xD,
// identical on every CPU that has the component).
const (
	xsaveHeaderOff = 512
	xsaveYmmHiOff  = 576
	xsaveOpmaskOff = 1088
	xsaveZmmHiOff  = 1152
	xsaveHi16Off   = 1664
)

// FPRegs reads the floating-point and vector state of a stopped thread.
func (c *Ctl) FPRegs(tid int) (*FPRegs, error) {
	t, err := c.stopped(tid)
	if err != nil {
		return nil, err
	}
	buf := make([]byte, 16384)
	n, err := ptraceGetRegSet(tid, unix.NT_X86_XSTATE, buf)
	if err != nil {
		return nil, c.p.opErr(t, err)
	}
	return parseXsave(buf[:n])
}

func parseXsave(b []byte) (*FPRegs, error) {
	if len(b) < 512 {
		return nil, fmt.Errorf("xsave area is %d bytes, want at least 512", len(b))
	}
	le := binary.LittleEndian
	f := &FPRegs{Raw: b}
	f.Fcw = le.Uint16(b[0:])
	f.Fsw = le.Uint16(b[2:])
	f.Ftw = b[4]
	f.Fop = le.Uint16(b[6:])
	f.Fip = le.Uint64(b[8:])
	f.Fdp = le.Uint64(b[16:])
	f.Mxcsr = le.Uint32(b[24:])
	for i := range 8 {
		copy(f.St[i][:], b[32+16*i:])
	}
	for i := range 16 {
		copy(f.Xmm[i][:], b[160+16*i:])
		copy(f.Ymm[i][:16], f.Xmm[i][:])
		copy(f.Zmm[i][:16], f.Xmm[i][:])
	}
	if len(b) >= xsaveHeaderOff+8 {
		f.XstateBV = le.Uint64(b[xsaveHeaderOff:])
	}
	// A component whose XSTATE_BV bit is clear is in its initial state
	// (zero), which is what the zeroed arrays already hold.
	if len(b) >= xsaveYmmHiOff+256 {
		f.HasAVX = true
		if f.XstateBV&(1<<2) != 0 {
			for i := range 16 {
				copy(f.Ymm[i][16:], b[xsaveYmmHiOff+16*i:xsaveYmmHiOff+16*i+16])
				copy(f.Zmm[i][16:32], f.Ymm[i][16:])
			}
		}
	}
	if len(b) >= xsaveHi16Off+16*64 {
		f.HasAVX512 = true
		if f.XstateBV&(1<<5) != 0 {
			for i := range 8 {
				f.K[i] = le.Uint64(b[xsaveOpmaskOff+8*i:])
			}
		}
		if f.XstateBV&(1<<6) != 0 {
			for i := range 16 {
				copy(f.Zmm[i][32:], b[xsaveZmmHiOff+32*i:xsaveZmmHiOff+32*i+32])
			}
		}
		if f.XstateBV&(1<<7) != 0 {
			for i := range 16 {
				copy(f.Zmm[16+i][:], b[xsaveHi16Off+64*i:xsaveHi16Off+64*i+64])
			}
		}
	}
	return f, nil
}
