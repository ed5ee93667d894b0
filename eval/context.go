package eval

import (
	"errors"
	"fmt"
	"strings"

	"github.com/ubpdbg/ubpdbg/expr"
	"github.com/ubpdbg/ubpdbg/symbols"
	"golang.org/x/sys/unix"
)

// Memory reads and writes the target. *target.Process satisfies it (and
// so does a snapshot in tests). Writes happen only for assignments.
type Memory interface {
	ReadMemory(addr uint64, buf []byte) (int, error)
	WriteMemory(addr uint64, data []byte) error
}

// Config is what a Context needs of a stopped thread.
type Config struct {
	Table *symbols.Table
	// Frames is the thread's stack as symbols.Unwind returned it; Frame
	// indexes the frame to evaluate in. Outer frames are used to resolve
	// DW_OP_entry_value from the caller's call sites.
	Frames []symbols.Frame
	Frame  int
	Mem    Memory

	// ThreadRegs are the thread's registers as ptrace reports them
	// (frame 0's). Optional: they supply fs_base for thread-locals and
	// eflags and the segment registers for $-names.
	ThreadRegs *unix.PtraceRegs
	// Vector holds XMM0-15 of frame 0 (Go keeps floats there); optional.
	Vector    *[16][16]byte
	SetRegs   func(unix.PtraceRegs) error // writes frame 0's registers; nil: registers are read-only
	MaxString int                         // cap for strings shown in values; 0: 256 bytes
	MaxArray  int                         // elements shown in a summary; 0: 64
	// MaxDepth is how deep aggregates nest in a summary before they show
	// as {...}; 0: 2, enough for a line in a variables view, whose
	// children show the rest. A terminal's print asks for more.
	MaxDepth int
	// Format is a gdb format letter for the numbers in a summary (see
	// Formats); 0: natural.
	Format byte
}

// Formats are the format letters of gdb's print/FMT that summaries take:
// hexadecimal, signed and unsigned decimal, octal, binary (two), a
// character, a string.
const Formats = "xduotcs"

// Print says how summaries are written: zero fields keep the Config's.
type Print struct {
	MaxDepth  int  // see Config.MaxDepth
	MaxArray  int  // see Config.MaxArray
	MaxString int  // see Config.MaxString
	Format    byte // see Config.Format
}

// CheckFormat tells whether f is a format letter summaries take.
func CheckFormat(f byte) error {
	if f != 0 && !strings.ContainsRune(Formats, rune(f)) {
		return fmt.Errorf("undefined output format %q (want one of %s)", f, Formats)
	}
	return nil
}

// SetPrint changes how the summaries of values made from now on are
// written.
func (c *Context) SetPrint(p Print) error {
	if err := CheckFormat(p.Format); err != nil {
		return err
	}
	if p.MaxDepth > 0 {
		c.cfg.MaxDepth = p.MaxDepth
	}
	if p.MaxArray > 0 {
		c.cfg.MaxArray = p.MaxArray
	}
	if p.MaxString > 0 {
		c.cfg.MaxString = p.MaxString
	}
	c.cfg.Format = p.Format
	return nil
}

// Context evaluates expressions in one frame of a stopped thread. It is
// cheap to make (the DWARF it reads is cached per image) and must be
// thrown away when the thread runs again. Not safe for concurrent use.
type Context struct {
	cfg   Config
	frame symbols.Frame
	im    *symbols.Image
	ii    *imgInfo
	lang  expr.Lang
	unit  symbols.UnitInfo
	pc    uint64 // the address scopes and location lists are looked up at
	env   *frameEnv
	pkg   string // Go: the package of the frame's function, for unqualified globals

	scopeDone bool
	scope     []*scopeVar
	scopeErr  error

	consts      map[expr.Expr]*value // a Compiled's folded constants, while it runs
	typesBase   uint64               // Go: runtime.firstmoduledata.types
	typesBaseOK bool
}

// NewContext prepares evaluation in cfg.Frames[cfg.Frame].
func NewContext(cfg Config) (*Context, error) {
	if cfg.Frame < 0 || cfg.Frame >= len(cfg.Frames) {
		return nil, fmt.Errorf("frame %d does not exist (the stack has %d)", cfg.Frame, len(cfg.Frames))
	}
	if cfg.Mem == nil {
		return nil, errors.New("eval: no memory to read")
	}
	if cfg.MaxString <= 0 {
		cfg.MaxString = 256
	}
	if cfg.MaxArray <= 0 {
		cfg.MaxArray = 64
	}
	if cfg.MaxDepth <= 0 {
		cfg.MaxDepth = 2
	}
	c := &Context{cfg: cfg, frame: cfg.Frames[cfg.Frame]}
	c.im = c.frame.Image
	if c.im == nil && cfg.Table != nil {
		c.im = cfg.Table.ImageAt(c.frame.PC)
	}
	c.pc = lookupPC(cfg.Frames, cfg.Frame)
	if c.im != nil && c.im.HasDWARF() {
		c.ii = infoFor(c.im)
		c.unit = c.im.UnitAt(c.pc)
		if c.unit.Lang == langGo {
			c.lang = expr.Go
		}
	} else if c.im != nil && c.im.Go {
		c.lang = expr.Go
	}
	if c.lang == expr.Go {
		c.pkg = goPackage(c.frame.Function)
	}
	c.env = c.newEnv(cfg.Frame)
	return c, nil
}

// Lang is the language of the frame's compile unit (C for anything that
// is not Go).
func (c *Context) Lang() expr.Lang { return c.lang }

// lookupPC is the address that says which scope a frame is in: the pc
// itself where the thread is (frame 0, or a frame a signal interrupted),
// else the return address minus one, which is still inside the call.
func lookupPC(frames []symbols.Frame, i int) uint64 {
	start := physStart(frames, i)
	pc := frames[i].PC
	if start == 0 || frames[start-1].Signal {
		return pc
	}
	return pc - 1
}

// physStart returns the index of the first frame sharing frame i's
// physical frame (inlined frames come first, with the same PC and CFA).
func physStart(frames []symbols.Frame, i int) int {
	for i > 0 && frames[i-1].Inlined && frames[i-1].PC == frames[i].PC && frames[i-1].CFA == frames[i].CFA {
		i--
	}
	return i
}

// physEnd returns the index of the physical (not inlined) frame that
// frame i belongs to.
func physEnd(frames []symbols.Frame, i int) int {
	for i+1 < len(frames) && frames[i].Inlined && frames[i+1].PC == frames[i].PC && frames[i+1].CFA == frames[i].CFA {
		i++
	}
	return i
}

// goPackage returns the package part of a Go function name:
// "main" for "main.(*T).m", "example.com/a/b" for "example.com/a/b.F".
func goPackage(fn string) string {
	slash := strings.LastIndexByte(fn, '/')
	dot := strings.IndexByte(fn[slash+1:], '.')
	if dot < 0 {
		return ""
	}
	return fn[:slash+1+dot]
}

// readFull reads exactly len(buf) bytes.
func (c *Context) readFull(addr uint64, buf []byte) error {
	n, err := c.cfg.Mem.ReadMemory(addr, buf)
	if err == nil && n < len(buf) {
		err = fmt.Errorf("short read")
	}
	if err != nil {
		return fmt.Errorf("cannot read memory at %#x: %w", addr, err)
	}
	return nil
}
