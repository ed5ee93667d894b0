package debugger

import (
	"fmt"

	"github.com/ubpdbg/ubpdbg/internal/procmaps"
	"github.com/ubpdbg/ubpdbg/xol/x86"
)

// An int3 written one byte into an instruction, into its displacement or
// into data corrupts the program silently or crashes it. So an address
// given as such (*ADDR in the terminal, trace and DAP instruction
// breakpoints) must be in executable memory and must start an
// instruction: decoding the code from the start of its function (DWARF or
// ELF symbols) must land on it.
//
// The session keeps one codeChecker: the mappings are read once, and each
// function is decoded once, however many of its instructions get
// breakpoints (checking each address from its function's start made
// breakpoints in one function quadratic: 1,000 took a second). It is
// dropped when libraries load or unload and at exec; an address that the
// remembered mappings do not show as code is checked again against a fresh
// reading (the program may have mapped code itself).

// codeChecker checks instruction addresses against one reading of the
// mappings and of the functions' code.
type codeChecker struct {
	s     *Session
	maps  []procmaps.Mapping // nil until first needed
	funcs map[uint64]*insnStarts
	last  *insnStarts // the function of the last check: addresses come in order
}

// insnStarts are the instruction starts of one function, decoded from its
// start as far as needed.
type insnStarts struct {
	start, to uint64   // decoded from start up to to (an instruction start)
	bits      []uint64 // bit i: an instruction starts at start+i
	err       error    // why decoding stopped at to, if it did
	fn        string
}

// checkCodeAddr says why a breakpoint cannot go at addr, or nil.
func (s *Session) checkCodeAddr(addr uint64) error {
	if s.codeCheck == nil {
		s.codeCheck = &codeChecker{s: s, funcs: map[uint64]*insnStarts{}}
	}
	return s.codeCheck.check(addr)
}

// uncheckedError says that an address could not be checked (rather than
// that it was found wrong): a breakpoint with Spec.Force goes there anyway.
type uncheckedError struct{ msg string }

func (e uncheckedError) Error() string { return e.msg }

// maxWalk bounds the decode of one function: a function of a megabyte is
// not real.
const maxWalk = 1 << 20

func (cc *codeChecker) check(addr uint64) error {
	if cc.maps == nil {
		cc.maps, _ = procmaps.Read(cc.s.proc.Pid())
	}
	m, ok := procmaps.Find(cc.maps, addr)
	if !ok || !m.Executable() {
		cc.maps, _ = procmaps.Read(cc.s.proc.Pid())
		m, ok = procmaps.Find(cc.maps, addr)
	}
	if !ok {
		return fmt.Errorf("%#x is not mapped in the program", addr)
	}
	if !m.Executable() {
		where := m.Path
		if where == "" {
			where = "anonymous memory"
		}
		return fmt.Errorf("%#x is not code: it is in %s, mapped %s (not executable)", addr, where, m.Perms)
	}
	start, fn, ok := cc.s.syms.CodeStart(addr)
	if !ok {
		return uncheckedError{fmt.Sprintf("%#x is in no function known from symbols, so it cannot be checked to start an instruction", addr)}
	}
	if addr-start > maxWalk {
		return uncheckedError{fmt.Sprintf("%#x is %d bytes into %s: too far to check that an instruction starts there", addr, addr-start, fn)}
	}
	f := cc.last
	if f == nil || f.start != start {
		f = cc.funcs[start]
	}
	if f == nil {
		f = &insnStarts{start: start, to: start, fn: fn}
		f.set(start)
		cc.funcs[start] = f
	}
	cc.last = f
	if err := cc.decodeTo(f, addr); err != nil {
		return err
	}
	if !f.has(addr) {
		pc := f.before(addr)
		in, err := cc.decodeAt(pc)
		if err != nil {
			return fmt.Errorf("%#x is inside the instruction at %#x (%s+%#x)", addr, pc, fn, pc-start)
		}
		return fmt.Errorf("%#x is inside an instruction: %s+%#x, the instruction at %#x (%s) is %d bytes long", addr, fn, addr-start, pc, in.Text, in.Len)
	}
	return nil
}

// readAhead is how far past the address asked for decodeTo reads and
// decodes: breakpoints on consecutive instructions (a trace of every one)
// then cost one read per page, not one per instruction.
const readAhead = 4096

// decodeTo extends f's decode until it reaches or passes addr, and goes on
// up to readAhead bytes further while the bytes read hold whole
// instructions. Only the part up to addr can fail: what lies ahead may be
// data past the function's end, and is decoded (and found wrong) only if
// an address there is asked for.
func (cc *codeChecker) decodeTo(f *insnStarts, addr uint64) error {
	if f.to >= addr {
		return nil
	}
	if f.err != nil {
		return fmt.Errorf("%#x: %w", addr, f.err)
	}
	// Read up to addr and ahead in one piece, plus room for the
	// instruction that may straddle the end.
	ahead := min(uint64(readAhead), f.start+maxWalk-addr)
	code := make([]byte, addr-f.to+ahead+x86.MaxLen)
	n, err := cc.s.proc.ReadMemory(f.to, code)
	if err != nil && n == 0 {
		f.err = fmt.Errorf("read the code of %s: %w", f.fn, err)
		return fmt.Errorf("%#x: %w", addr, f.err)
	}
	code = code[:n]
	base := f.to
	cc.s.sites.Original(base, code) // our int3s are not the program's code
	for {
		rest := code[f.to-base:]
		if f.to >= addr && len(rest) < x86.MaxLen {
			return nil // what is left may hold a cut instruction
		}
		n, err := x86.Length(rest)
		if err != nil {
			if f.to >= addr {
				return nil
			}
			f.err = fmt.Errorf("cannot decode %s at %#x to check that an instruction starts there: %v", f.fn, f.to, err)
			return fmt.Errorf("%#x: %w", addr, f.err)
		}
		f.to += uint64(n)
		f.set(f.to)
	}
}

// decodeAt decodes the one instruction at pc (for a message).
func (cc *codeChecker) decodeAt(pc uint64) (*x86.Insn, error) {
	code := make([]byte, 16)
	n, _ := cc.s.proc.ReadMemory(pc, code)
	code = code[:n]
	cc.s.sites.Original(pc, code)
	return x86.Analyze(code, pc)
}

func (f *insnStarts) set(pc uint64) {
	i := pc - f.start
	for uint64(len(f.bits)) <= i/64 {
		f.bits = append(f.bits, 0)
	}
	f.bits[i/64] |= 1 << (i % 64)
}

func (f *insnStarts) has(pc uint64) bool {
	i := pc - f.start
	return i/64 < uint64(len(f.bits)) && f.bits[i/64]&(1<<(i%64)) != 0
}

// before returns the last instruction start before pc.
func (f *insnStarts) before(pc uint64) uint64 {
	for p := pc - 1; p > f.start; p-- {
		if f.has(p) {
			return p
		}
	}
	return f.start
}
