package dap

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/google/go-dap"
	"github.com/ubpdbg/ubpdbg/debugger"
	"github.com/ubpdbg/ubpdbg/xol/x86"
)

// parseAddr reads a memory or instruction reference ("0x401000", or a
// decimal number) and adds a byte offset.
func parseAddr(ref string, off int64) (uint64, error) {
	ref = strings.TrimSpace(ref)
	var a uint64
	var err error
	if h, ok := strings.CutPrefix(strings.ToLower(ref), "0x"); ok {
		a, err = strconv.ParseUint(h, 16, 64)
	} else {
		a, err = strconv.ParseUint(ref, 10, 64)
	}
	if err != nil {
		return 0, fmt.Errorf("bad memory reference %q", ref)
	}
	return a + uint64(off), nil
}

// maxReadMemory bounds one readMemory (the client pages larger views).
const maxReadMemory = 1 << 20

// onReadMemory reads the program's memory as the program sees it: where
// our breakpoints have put int3s, the original bytes are shown. Memory
// can be read while threads run.
func (s *session) onReadMemory(r *dap.ReadMemoryRequest) (dap.ResponseMessage, error) {
	dbg, err := s.debuggee()
	if err != nil {
		return nil, err
	}
	addr, err := parseAddr(r.Arguments.MemoryReference, int64(r.Arguments.Offset))
	if err != nil {
		return nil, err
	}
	n := r.Arguments.Count
	if n < 0 {
		return nil, fmt.Errorf("bad count %d", n)
	}
	if n > maxReadMemory {
		n = maxReadMemory
	}
	buf := make([]byte, n)
	got, _ := readSome(dbg, addr, buf)
	body := dap.ReadMemoryResponseBody{Address: fmt.Sprintf("%#x", addr), UnreadableBytes: r.Arguments.Count - got}
	if got > 0 {
		body.Data = base64.StdEncoding.EncodeToString(buf[:got])
	}
	return &dap.ReadMemoryResponse{Body: body}, nil
}

// readSome reads as much of buf as can be read from its start: a read
// that crosses into an unmapped page is retried up to the page end.
func readSome(dbg *debugger.Session, addr uint64, buf []byte) (int, error) {
	n, err := dbg.ReadMemory(addr, buf)
	if n > 0 || len(buf) == 0 {
		return n, err
	}
	if pageEnd := (addr | 0xfff) + 1; pageEnd-addr < uint64(len(buf)) {
		return dbg.ReadMemory(addr, buf[:pageEnd-addr])
	}
	return n, err
}

// onWriteMemory writes the program's memory. Writing over one of our
// breakpoints' int3s would silently break that breakpoint (and the engine
// would later "restore" stale bytes over the new ones), so such a write is
// refused: clear the breakpoint first.
func (s *session) onWriteMemory(r *dap.WriteMemoryRequest) (dap.ResponseMessage, error) {
	dbg, err := s.debuggee()
	if err != nil {
		return nil, err
	}
	addr, err := parseAddr(r.Arguments.MemoryReference, int64(r.Arguments.Offset))
	if err != nil {
		return nil, err
	}
	data, err := base64.StdEncoding.DecodeString(r.Arguments.Data)
	if err != nil {
		return nil, fmt.Errorf("data is not base64: %v", err)
	}
	for _, bp := range dbg.Breakpoints() {
		for _, l := range bp.Locations {
			if l.Addr >= addr && l.Addr < addr+uint64(len(data)) {
				return nil, fmt.Errorf("%#x holds breakpoint %d: clear it before writing there", l.Addr, bp.ID)
			}
		}
	}
	if err := dbg.WriteMemory(addr, data); err != nil {
		return nil, fmt.Errorf("write %d bytes at %#x: %w", len(data), addr, err)
	}
	return &dap.WriteMemoryResponse{Body: dap.WriteMemoryResponseBody{BytesWritten: len(data)}}, nil
}

// maxDisassemble bounds one disassemble request.
const maxDisassemble = 10000

// onDisassemble decodes instructions with x86.Analyze (the same length walk
// the breakpoints trust) from memory read with our int3s hidden.
//
// x86 has no fixed instruction size, so instructions before an address
// (negative instructionOffset) are found by decoding forward from some
// bytes earlier and keeping a start from which decoding lands exactly on
// the address: code almost always resynchronises within a few
// instructions. The response always has instructionCount entries, as DAP
// asks; unreadable memory gives "??" rows.
func (s *session) onDisassemble(r *dap.DisassembleRequest) (dap.ResponseMessage, error) {
	dbg, err := s.debuggee()
	if err != nil {
		return nil, err
	}
	a := r.Arguments
	addr, err := parseAddr(a.MemoryReference, int64(a.Offset))
	if err != nil {
		return nil, err
	}
	count := a.InstructionCount
	if count <= 0 {
		return &dap.DisassembleResponse{Body: dap.DisassembleResponseBody{Instructions: []dap.DisassembledInstruction{}}}, nil
	}
	if count > maxDisassemble {
		return nil, fmt.Errorf("instructionCount %d is more than %d", count, maxDisassemble)
	}
	d := disasm{s: s, dbg: dbg, symbols: a.ResolveSymbols}
	var out []dap.DisassembledInstruction
	skip := a.InstructionOffset
	if skip < 0 {
		before := d.before(addr, -skip)
		out = append(out, before...)
		skip = 0
	}
	pc := addr
	for i := 0; i < skip; i++ {
		pc += uint64(d.decode(pc).len)
	}
	for len(out) < count {
		in := d.decode(pc)
		out = append(out, d.row(in))
		pc += uint64(in.len)
	}
	return &dap.DisassembleResponse{Body: dap.DisassembleResponseBody{Instructions: out[:count]}}, nil
}

type disasm struct {
	s       *session
	dbg     *debugger.Session
	symbols bool
	// win caches the memory being decoded: each read goes through the
	// ptrace thread (to hide our int3s), so read pages, not instructions.
	winBase uint64
	win     []byte
}

// insn is one decoded (or undecodable) instruction.
type insn struct {
	addr  uint64
	len   int
	bytes []byte
	text  string
	ok    bool
}

// bytesAt returns up to 16 bytes of memory at pc (fewer at the end of
// what can be read).
func (d *disasm) bytesAt(pc uint64) []byte {
	if pc < d.winBase || pc+16 > d.winBase+uint64(len(d.win)) {
		buf := make([]byte, 4096)
		n, _ := readSome(d.dbg, pc, buf)
		d.winBase, d.win = pc, buf[:n]
	}
	off := pc - d.winBase
	if off >= uint64(len(d.win)) {
		return nil
	}
	return d.win[off:min(off+16, uint64(len(d.win)))]
}

func (d *disasm) decode(pc uint64) insn {
	b := d.bytesAt(pc)
	if len(b) == 0 {
		return insn{addr: pc, len: 1, text: "??"}
	}
	in, err := x86.Analyze(b, pc)
	if err != nil {
		return insn{addr: pc, len: 1, bytes: b[:1], text: "(bad)"}
	}
	return insn{addr: pc, len: in.Len, bytes: in.Bytes, text: in.Text, ok: true}
}

// before returns the n instructions that end at addr, or "??" rows when
// no decoding lands on addr. It tries the farthest start first: the more
// instructions decoded before addr, the surer the synchronisation.
func (d *disasm) before(addr uint64, n int) []dap.DisassembledInstruction {
	// Read the whole stretch once; if its start is not mapped, from the
	// page addr is in.
	for _, lo := range []uint64{addr - min(addr, uint64(n)*15), addr &^ 0xfff} {
		buf := make([]byte, addr+16-lo)
		if got, _ := d.dbg.ReadMemory(lo, buf); got > 0 {
			d.winBase, d.win = lo, buf[:got]
			break
		}
	}
	for back := uint64(n) * 15; back >= uint64(n); back-- {
		if back > addr {
			continue
		}
		var seq []insn
		pc := addr - back
		for pc < addr {
			in := d.decode(pc)
			if !in.ok {
				break
			}
			seq = append(seq, in)
			pc += uint64(in.len)
		}
		if pc != addr || len(seq) < n {
			continue
		}
		var out []dap.DisassembledInstruction
		for _, in := range seq[len(seq)-n:] {
			out = append(out, d.row(in))
		}
		return out
	}
	out := make([]dap.DisassembledInstruction, n)
	for i := range out {
		// Addresses still have to increase towards addr.
		out[i] = dap.DisassembledInstruction{Address: fmt.Sprintf("%#x", addr-uint64(n-i)), Instruction: "??"}
	}
	return out
}

// row makes an instruction row with its function and source line (VS Code
// groups rows by location itself).
func (d *disasm) row(in insn) dap.DisassembledInstruction {
	row := dap.DisassembledInstruction{Address: fmt.Sprintf("%#x", in.addr), Instruction: in.text,
		InstructionBytes: spacedHex(in.bytes)}
	if !in.ok {
		return row
	}
	pi := d.dbg.Symbols().LookupPC(in.addr)
	if len(pi.Frames) > 0 {
		f := pi.Frames[0]
		if d.symbols && f.Function != "" {
			row.Symbol = f.Function
		}
		if f.File != "" {
			row.Location = &dap.Source{Name: filepath.Base(f.File), Path: f.File}
			row.Line = f.Line
		}
	}
	return row
}

func spacedHex(b []byte) string {
	var sb strings.Builder
	for i, c := range b {
		if i > 0 {
			sb.WriteByte(' ')
		}
		sb.WriteString(hex.EncodeToString([]byte{c}))
	}
	return sb.String()
}
