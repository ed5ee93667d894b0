package dap

import (
	"encoding/base64"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/google/go-dap"
	"github.com/ubpdbg/ubpdbg/debugger"
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
	got, _ := dbg.ReadSome(addr, buf)
	body := dap.ReadMemoryResponseBody{Address: fmt.Sprintf("%#x", addr), UnreadableBytes: r.Arguments.Count - got}
	if got > 0 {
		body.Data = base64.StdEncoding.EncodeToString(buf[:got])
	}
	return &dap.ReadMemoryResponse{Body: body}, nil
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

// onDisassemble decodes instructions through the session's Disassembler
// (memory with our int3s hidden, the same length walk the breakpoints
// trust). Instructions before an address (negative instructionOffset) are
// those from which decoding lands on it. The response always has
// instructionCount entries, as DAP asks; unreadable memory gives "??" rows.
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
	d := dbg.Disassembler()
	row := func(in debugger.Instruction) dap.DisassembledInstruction { return disasmRow(dbg, in, a.ResolveSymbols) }
	var out []dap.DisassembledInstruction
	skip := a.InstructionOffset
	if skip < 0 {
		n := -skip
		if before, ok := d.Before(addr, n); ok {
			for _, in := range before {
				out = append(out, row(in))
			}
		} else {
			for i := range n {
				// Addresses still have to increase towards addr.
				out = append(out, dap.DisassembledInstruction{Address: fmt.Sprintf("%#x", addr-uint64(n-i)), Instruction: "??"})
			}
		}
		skip = 0
	}
	pc := addr
	for i := 0; i < skip; i++ {
		pc += uint64(d.At(pc).Len())
	}
	for len(out) < count {
		in := d.At(pc)
		out = append(out, row(in))
		pc += uint64(in.Len())
	}
	return &dap.DisassembleResponse{Body: dap.DisassembleResponseBody{Instructions: out[:count]}}, nil
}

// disasmRow makes an instruction row with its function and source line
// (VS Code groups rows by location itself).
func disasmRow(dbg *debugger.Session, in debugger.Instruction, symbols bool) dap.DisassembledInstruction {
	row := dap.DisassembledInstruction{Address: fmt.Sprintf("%#x", in.Addr), Instruction: in.Text,
		InstructionBytes: in.HexBytes()}
	if !in.Decoded() {
		return row
	}
	pi := dbg.Symbols().LookupPC(in.Addr)
	if len(pi.Frames) > 0 {
		f := pi.Frames[0]
		if symbols && f.Function != "" {
			row.Symbol = f.Function
		}
		if f.File != "" {
			row.Location = &dap.Source{Name: filepath.Base(f.File), Path: f.File}
			row.Line = f.Line
		}
	}
	return row
}
