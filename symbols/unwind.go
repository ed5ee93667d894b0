package symbols

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/go-delve/delve/pkg/dwarf/frame"
	"github.com/go-delve/delve/pkg/dwarf/op"
	"github.com/go-delve/delve/pkg/dwarf/regnum"
	"golang.org/x/sys/unix"
)

// Memory is how the unwinder reads the target: process_vm_readv, a core
// file, a test's fake. It must be usable from the calling goroutine.
type Memory interface {
	ReadMemory(addr uint64, buf []byte) (int, error)
}

// PCMapper maps a pc to the address the code there came from; the
// runtime passes one that turns a pc inside an out-of-line-execution slot
// back into the original instruction's address (identity elsewhere).
type PCMapper func(pc uint64) uint64

// NumRegs is the number of DWARF registers the unwinder tracks on x86-64:
// 0 rax, 1 rdx, 2 rcx, 3 rbx, 4 rsi, 5 rdi, 6 rbp, 7 rsp, 8-15 r8-r15,
// 16 the return address (rip).
const NumRegs = 17

// Regs is a register set in DWARF numbering. Known has bit i set when
// Val[i] is known (callee-saved registers a frame did not save are known
// in its caller; scratch registers are not).
type Regs struct {
	Val   [NumRegs]uint64
	Known uint32
}

// Get returns register i and whether it is known.
func (r *Regs) Get(i int) (uint64, bool) { return r.Val[i], r.Known&(1<<i) != 0 }

// Set sets register i.
func (r *Regs) Set(i int, v uint64) { r.Val[i], r.Known = v, r.Known|1<<i }

// PC returns the program counter.
func (r *Regs) PC() uint64 { return r.Val[regnum.AMD64_Rip] }

// SP returns the stack pointer.
func (r *Regs) SP() uint64 { return r.Val[regnum.AMD64_Rsp] }

// RegsFromPtrace converts ptrace's register set to DWARF numbering.
func RegsFromPtrace(p *unix.PtraceRegs) Regs {
	var r Regs
	for i, v := range [NumRegs]uint64{p.Rax, p.Rdx, p.Rcx, p.Rbx, p.Rsi, p.Rdi, p.Rbp, p.Rsp,
		p.R8, p.R9, p.R10, p.R11, p.R12, p.R13, p.R14, p.R15, p.Rip} {
		r.Set(i, v)
	}
	return r
}

// Frame is one frame of a stack trace. A physical frame whose pc is in
// inlined code is reported as several frames: the inlined ones first
// (Inlined set), sharing the physical frame's PC, CFA and Regs.
type Frame struct {
	PC    uint64 // where this frame is: the stop pc for frame 0 and for a frame a signal interrupted, else the return address
	CFA   uint64 // canonical frame address (the caller's sp before the call)
	Regs  Regs   // the frame's registers, as far as they are known
	Image *Image // nil if no image covers PC

	Function string // "" if unknown
	File     string
	Line     int

	Inlined bool // an inlined call inside the next frame
	Signal  bool // the kernel's signal trampoline (gdb: "<signal handler called>")
	// TailCall marks a frame rebuilt from DWARF call-site information:
	// a function that tail-called the frame before it, so it has no
	// stack frame of its own (gdb shows these too).
	TailCall bool
}

// UnwindOptions tune Unwind.
type UnwindOptions struct {
	MaxFrames int      // 0: 256
	MapPC     PCMapper // nil: identity
	// PastMain continues above the program's main function (C "main",
	// Go "main.main"); by default the trace stops there, as gdb's does.
	PastMain bool
}

// Unwind walks the stack of a thread stopped with registers regs.
func (t *Table) Unwind(mem Memory, regs *unix.PtraceRegs, opts UnwindOptions) ([]Frame, error) {
	return t.UnwindRegs(mem, RegsFromPtrace(regs), opts)
}

// errEndOfStack ends an unwind without an error.
var errEndOfStack = errors.New("end of stack")

// UnwindRegs walks the stack from a register set in DWARF numbering. It
// uses DWARF CFI (.eh_frame, .debug_frame) where there is some, frame
// pointers where there is none, and the saved ucontext across the
// kernel's signal trampoline. It returns the frames found and an error
// only if the walk stopped for a reason other than reaching the end.
func (t *Table) UnwindRegs(mem Memory, regs Regs, opts UnwindOptions) ([]Frame, error) {
	maxFrames := opts.MaxFrames
	if maxFrames <= 0 {
		maxFrames = 256
	}
	var frames []Frame
	cur := regs
	exact := true // the pc is where the thread is, not a return address
	for len(frames) < maxFrames {
		pc := cur.PC()
		if opts.MapPC != nil {
			pc = opts.MapPC(pc)
			cur.Val[regnum.AMD64_Rip] = pc
		}
		if pc == 0 {
			break
		}
		im := t.ImageAt(pc)
		if isSigtramp(mem, im, pc) {
			frames = append(frames, Frame{PC: pc, CFA: cur.SP(), Regs: cur, Image: im, Signal: true, Function: "<signal handler called>"})
			next, err := sigframeRegs(mem, cur.SP())
			if err != nil {
				return frames, err
			}
			cur, exact = next, true
			continue
		}
		at := pc
		if !exact {
			at = pc - 1
		}
		caller, cfa, err := t.step(mem, im, cur, at, exact && len(frames) == 0)
		phys := Frame{PC: pc, CFA: cfa, Regs: cur, Image: im}
		if im != nil {
			info := im.lookup(pc, at)
			for i, sf := range info.Frames {
				f := phys
				f.Function, f.File, f.Line, f.Inlined = sf.Function, sf.File, sf.Line, sf.Inlined
				if i < len(info.Frames)-1 {
					f.Inlined = true
				}
				frames = append(frames, f)
			}
			if len(info.Frames) == 0 {
				frames = append(frames, phys)
			}
		} else {
			frames = append(frames, phys)
		}
		if err != nil {
			if errors.Is(err, errEndOfStack) {
				return frames, nil
			}
			return frames, err
		}
		last := frames[len(frames)-1].Function
		if !opts.PastMain && (last == "main" || last == "main.main") {
			break
		}
		if last == "runtime.goexit" || last == "runtime.mstart" || last == "runtime.rt0_go" {
			break
		}
		if caller.SP() <= cur.SP() && !frames[len(frames)-1].Signal {
			return frames, fmt.Errorf("unwind at %#x: stack pointer did not grow (%#x -> %#x)", pc, cur.SP(), caller.SP())
		}
		frames = append(frames, t.tailCallFrames(im, at, caller.PC())...)
		// The Go runtime preempts a goroutine by making it call
		// asyncPreempt from wherever the signal found it, with that pc
		// as the return address: the caller's pc is the interrupted
		// instruction itself, not one after a call (the function's
		// first instruction, say, which pc-1 would put in the one
		// before it).
		cur, exact = caller, last == "runtime.asyncPreempt"
	}
	return frames, nil
}

// step computes the caller's registers from cur; at is the address to
// look rules up by (pc-1 for a return address). It returns the frame's
// CFA too.
func (t *Table) step(mem Memory, im *Image, cur Regs, at uint64, top bool) (Regs, uint64, error) {
	if im != nil {
		if fde := im.fdeFor(at); fde != nil {
			return stepCFI(mem, fde, cur, at)
		}
	}
	return stepFramePointer(mem, im, cur, at, top)
}

// fdeFor returns the frame description entry covering run-time at.
func (im *Image) fdeFor(at uint64) *frame.FrameDescriptionEntry {
	im.mu.Lock()
	if !im.fdesLoaded {
		im.fdesLoaded = true
		im.fdes = im.loadFDEs()
	}
	fdes := im.fdes
	im.mu.Unlock()
	fde, err := fdes.FDEForPC(at)
	if err != nil {
		return nil
	}
	return fde
}

// loadFDEs parses .eh_frame of the binary and .debug_frame of the binary
// or its debug file with Delve's parser, at the image's bias.
func (im *Image) loadFDEs() frame.FrameDescriptionEntries {
	var all frame.FrameDescriptionEntries
	if s := im.exe.Section(".eh_frame"); s != nil && s.Type != elf.SHT_NOBITS {
		if data, err := s.Data(); err == nil {
			if fdes, err := frame.Parse(data, im.exe.ByteOrder, im.Bias, 8, s.Addr); err == nil {
				all = all.Append(fdes)
			}
		}
	}
	for _, f := range []*elf.File{im.exe, im.dbg} {
		s := f.Section(".debug_frame")
		if s == nil || s.Type == elf.SHT_NOBITS {
			continue
		}
		if data, err := s.Data(); err == nil {
			if fdes, err := frame.Parse(data, f.ByteOrder, im.Bias, 8, 0); err == nil {
				all = all.Append(fdes)
			}
		}
		break
	}
	return all
}

// calleeSaved are the registers whose values pass unchanged to the
// caller unless the CFI says where they were saved (SysV x86-64 ABI).
const calleeSaved = 1<<regnum.AMD64_Rbx | 1<<regnum.AMD64_Rbp | 1<<regnum.AMD64_R12 |
	1<<regnum.AMD64_R13 | 1<<regnum.AMD64_R14 | 1<<regnum.AMD64_R15

func stepCFI(mem Memory, fde *frame.FrameDescriptionEntry, cur Regs, at uint64) (Regs, uint64, error) {
	fctx, err := fde.EstablishFrame(at)
	if err != nil {
		return Regs{}, 0, fmt.Errorf("CFI at %#x: %w", at, err)
	}
	dregs := dwarfRegs(cur)
	var cfa uint64
	switch fctx.CFA.Rule {
	case frame.RuleCFA:
		v, ok := cur.Get(int(fctx.CFA.Reg))
		if !ok || fctx.CFA.Reg >= NumRegs {
			return Regs{}, 0, fmt.Errorf("CFI at %#x: CFA register %d unknown", at, fctx.CFA.Reg)
		}
		cfa = uint64(int64(v) + fctx.CFA.Offset)
	case frame.RuleExpression:
		v, _, err := op.ExecuteStackProgram(*dregs, fctx.CFA.Expression, 8, readFunc(mem))
		if err != nil {
			return Regs{}, 0, fmt.Errorf("CFI at %#x: CFA expression: %w", at, err)
		}
		cfa = uint64(v)
	default:
		return Regs{}, 0, fmt.Errorf("CFI at %#x: unsupported CFA rule %d", at, fctx.CFA.Rule)
	}
	dregs.CFA = int64(cfa)
	var next Regs
	next.Known = cur.Known & calleeSaved
	next.Val = cur.Val
	next.Set(regnum.AMD64_Rsp, cfa)
	next.Known &^= 1 << regnum.AMD64_Rip
	for reg, rule := range fctx.Regs {
		if reg >= NumRegs || reg == regnum.AMD64_Rsp {
			continue
		}
		r := int(reg)
		switch rule.Rule {
		case frame.RuleOffset, frame.RuleFramePointer:
			v, err := readU64(mem, uint64(int64(cfa)+rule.Offset))
			if err != nil {
				return Regs{}, cfa, err
			}
			next.Set(r, v)
		case frame.RuleValOffset:
			next.Set(r, uint64(int64(cfa)+rule.Offset))
		case frame.RuleRegister:
			if v, ok := cur.Get(int(rule.Reg)); ok && rule.Reg < NumRegs {
				next.Set(r, v)
			} else {
				next.Known &^= 1 << r
			}
		case frame.RuleExpression, frame.RuleValExpression:
			v, _, err := op.ExecuteStackProgram(*dregs, rule.Expression, 8, readFunc(mem))
			if err != nil {
				return Regs{}, cfa, fmt.Errorf("CFI at %#x: register %d: %w", at, r, err)
			}
			if rule.Rule == frame.RuleExpression {
				if v2, err := readU64(mem, uint64(v)); err == nil {
					next.Set(r, v2)
				} else {
					return Regs{}, cfa, err
				}
			} else {
				next.Set(r, uint64(v))
			}
		case frame.RuleUndefined:
			next.Known &^= 1 << r
		case frame.RuleSameVal:
			if v, ok := cur.Get(r); ok {
				next.Set(r, v)
			}
		}
	}
	ra := int(fctx.RetAddrReg)
	if ra != regnum.AMD64_Rip {
		if v, ok := next.Get(ra); ok && ra < NumRegs {
			next.Set(regnum.AMD64_Rip, v)
		}
	}
	if _, ok := next.Get(regnum.AMD64_Rip); !ok {
		// DW_CFA_undefined rip: the outermost frame (_start, clone).
		return Regs{}, cfa, errEndOfStack
	}
	return next, cfa, nil
}

// stepFramePointer unwinds without CFI: at a function's first
// instruction the return address is at sp; elsewhere, by the frame
// pointer chain (rbp points at the saved rbp, the return address above).
func stepFramePointer(mem Memory, im *Image, cur Regs, at uint64, top bool) (Regs, uint64, error) {
	sp := cur.SP()
	var next Regs
	next.Val = cur.Val
	next.Known = cur.Known & calleeSaved
	if top && im != nil {
		if s, ok := im.symbolAt(at - im.Bias); ok && s.addr == at-im.Bias {
			ra, err := readU64(mem, sp)
			if err != nil {
				return Regs{}, 0, err
			}
			next.Set(regnum.AMD64_Rsp, sp+8)
			next.Set(regnum.AMD64_Rip, ra)
			return next, sp + 8, nil
		}
	}
	bp, ok := cur.Get(regnum.AMD64_Rbp)
	if !ok || bp == 0 || bp < sp {
		return Regs{}, 0, errEndOfStack
	}
	savedBP, err := readU64(mem, bp)
	if err != nil {
		return Regs{}, 0, err
	}
	ra, err := readU64(mem, bp+8)
	if err != nil {
		return Regs{}, 0, err
	}
	next.Set(regnum.AMD64_Rbp, savedBP)
	next.Set(regnum.AMD64_Rsp, bp+16)
	next.Set(regnum.AMD64_Rip, ra)
	return next, bp + 16, nil
}

// sigreturnCode is glibc's __restore_rt: mov $15,%rax; syscall
// (rt_sigreturn). gdb recognises signal frames by these bytes too.
var sigreturnCode = []byte{0x48, 0xc7, 0xc0, 0x0f, 0x00, 0x00, 0x00, 0x0f, 0x05}

func isSigtramp(mem Memory, im *Image, pc uint64) bool {
	buf := make([]byte, len(sigreturnCode))
	for _, start := range []uint64{pc, pc - 7} { // at the mov, or at the syscall
		if n, err := mem.ReadMemory(start, buf); (err != nil || n != len(buf)) && !(im != nil && im.readCode(start-im.Bias, buf)) {
			continue
		}
		if bytes.Equal(buf, sigreturnCode) {
			return true
		}
	}
	return false
}

// sigframeRegs reads the registers the kernel saved in the ucontext that
// sits at the trampoline's sp: uc_flags, uc_link and uc_stack (40 bytes)
// come first, then the general registers in the kernel's order.
func sigframeRegs(mem Memory, sp uint64) (Regs, error) {
	var buf [18 * 8]byte
	if n, err := mem.ReadMemory(sp+40, buf[:]); err != nil || n != len(buf) {
		return Regs{}, fmt.Errorf("reading signal frame at %#x: %v", sp, err)
	}
	g := func(i int) uint64 { return binary.LittleEndian.Uint64(buf[i*8:]) }
	// REG_R8..REG_R15 = 0..7, RDI 8, RSI 9, RBP 10, RBX 11, RDX 12,
	// RAX 13, RCX 14, RSP 15, RIP 16.
	var r Regs
	for i := 0; i < 8; i++ {
		r.Set(regnum.AMD64_R8+i, g(i))
	}
	r.Set(regnum.AMD64_Rdi, g(8))
	r.Set(regnum.AMD64_Rsi, g(9))
	r.Set(regnum.AMD64_Rbp, g(10))
	r.Set(regnum.AMD64_Rbx, g(11))
	r.Set(regnum.AMD64_Rdx, g(12))
	r.Set(regnum.AMD64_Rax, g(13))
	r.Set(regnum.AMD64_Rcx, g(14))
	r.Set(regnum.AMD64_Rsp, g(15))
	r.Set(regnum.AMD64_Rip, g(16))
	return r, nil
}

func readU64(mem Memory, addr uint64) (uint64, error) {
	var b [8]byte
	n, err := mem.ReadMemory(addr, b[:])
	if err != nil || n != 8 {
		return 0, fmt.Errorf("reading stack at %#x: %v", addr, err)
	}
	return binary.LittleEndian.Uint64(b[:]), nil
}

func readFunc(mem Memory) op.ReadMemoryFunc {
	return func(buf []byte, addr uint64) (int, error) { return mem.ReadMemory(addr, buf) }
}

// dwarfRegs converts to Delve's register set for DWARF expressions.
func dwarfRegs(r Regs) *op.DwarfRegisters {
	d := op.NewDwarfRegisters(0, nil, binary.LittleEndian, regnum.AMD64_Rip, regnum.AMD64_Rsp, regnum.AMD64_Rbp, 0)
	for i := 0; i < NumRegs; i++ {
		if v, ok := r.Get(i); ok {
			d.AddReg(uint64(i), op.DwarfRegisterFromUint64(v))
		}
	}
	return d
}
