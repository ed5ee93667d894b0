package x86

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math/rand"
	"os"
	"os/exec"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// TestRunForReal executes instructions on this CPU, at their original place
// and relocated into a slot 1.75 GiB away (SlotBytes, with an int3 over the
// original as a real breakpoint leaves it), from identical registers,
// vector registers, flags, data and stack, and compares everything after.
// Emulate-class instructions run in place only; their real outcome is
// compared with Insn.Emulate. The executor is testdata/runner.c, built here
// with gcc.

// Memory layout of every case.
const (
	rrCode  = 0x10_0000_0000       // code page: the instruction and the pads
	rrAddr  = rrCode + 0x100       // the instruction under test
	rrFar   = rrCode + 0x800       // branch target (pad 1) for rel32 and indirect
	rrData  = rrCode + 0x1_0000    // data page, RIP-relative operands point here
	rrDTgt  = rrData + 0x100       // the RIP-relative operand's address
	rrStack = rrCode + 0x2_0000    // stack, 8 KiB
	rrSP    = rrStack + 0x1000     // initial rsp
	rrSlotA = rrCode + 0x7000_0040 // slot above the code
	rrSlotB = rrCode - 0x6fff_ffc0 // slot below the code
)

type rrState struct {
	GPR    [16]uint64 // rax rcx rdx rbx rsp rbp rsi rdi r8..r15
	Rflags uint64
	Vec    [32][64]byte
	K      [8]uint64
}

type rrRegion struct {
	addr uint64
	data []byte
	prot uint32
	dump bool
}

type rrPad struct {
	addr uint64
	id   uint32
}

type rrRun struct {
	regions []rrRegion
	pads    []rrPad
	entry   uint64
	in      rrState
}

type rrResult struct {
	sig              uint32
	faultPC, faultAt uint64
	pad              uint32
	out              rrState
	dumps            [][]byte
}

const (
	gAX = iota
	gCX
	gDX
	gBX
	gSP
	gBP
	gSI
	gDI
	g8
	g9
	g10
	g11
)

// rrEnv is what a case's setup may need to know.
type rrEnv struct {
	tgt   uint64 // where pad 1 is: the branch target
	st    *rrState
	data  []byte // the data page (address rrData)
	stack []byte // the stack (address rrStack)
}

func (e *rrEnv) put64(mem []byte, off int, v uint64) { binary.LittleEndian.PutUint64(mem[off:], v) }

type realCase struct {
	name  string
	hex   string // "DISP": disp32 to rrDTgt; "REL8"/"REL32": to the branch target
	setup func(e *rrEnv)
	need  string // a /proc/cpuinfo flag the case needs
	// rcxNextIP: syscall leaves the next ip in rcx, a documented slot
	// difference; rcx is checked for addr+Len and slot+Len instead.
	rcxNextIP bool
	fault     bool // the instruction is expected to fault in both runs
	// orAbort: on some CPUs the expected fault does not come and the
	// instruction goes to its branch target instead; the slot run must
	// then do the same, registers included.
	orAbort bool
}

func realCases() []realCase {
	stackTop := func(v func(e *rrEnv) uint64) func(e *rrEnv) {
		return func(e *rrEnv) { e.put64(e.stack, rrSP-rrStack, v(e)) }
	}
	tgtInData := func(e *rrEnv) { e.put64(e.data, rrDTgt-rrData, e.tgt) }
	flags := func(f uint64) func(e *rrEnv) { return func(e *rrEnv) { e.st.Rflags = 0x202 | f } }
	cs := []realCase{
		// RIP-relative loads, stores, read-modify-write; immediates after the disp32.
		{name: "mov eax,[rip+x]", hex: "8b 05 DISP"},
		{name: "mov [rip+x],rbx", hex: "48 89 1d DISP"},
		{name: "cmp dword [rip+x],imm32 equal", hex: "81 3d DISP 78 56 34 12", setup: func(e *rrEnv) {
			binary.LittleEndian.PutUint32(e.data[rrDTgt-rrData:], 0x12345678)
		}},
		{name: "cmp dword [rip+x],imm32 below", hex: "81 3d DISP 78 56 34 12", setup: func(e *rrEnv) {
			binary.LittleEndian.PutUint32(e.data[rrDTgt-rrData:], 5)
		}},
		{name: "add qword [rip+x],imm8", hex: "48 83 05 DISP 7f"},
		{name: "test byte [rip+x],imm8", hex: "f6 05 DISP 81"},
		{name: "test dword [rip+x],imm32", hex: "f7 05 DISP 00 00 00 80"},
		{name: "imul eax,[rip+x],imm32", hex: "69 05 DISP 78 56 34 12"},
		{name: "imul ax,[rip+x],imm16", hex: "66 69 05 DISP 34 12"},
		{name: "mov qword [rip+x],imm32", hex: "48 c7 05 DISP 88 99 aa bb"},
		{name: "mov word [rip+x],imm16", hex: "66 c7 05 DISP 34 12"},
		{name: "shld [rip+x],ebx,imm8", hex: "0f a4 1d DISP 05"},
		{name: "bts dword [rip+x],imm8", hex: "0f ba 2d DISP 0d"},
		{name: "lea rax,[rip+x]", hex: "48 8d 05 DISP"},
		{name: "lea eax,[eip+x]", hex: "67 8d 05 DISP"},
		{name: "mov eax,[eip+x] (faults below 4 GiB)", hex: "67 8b 05 DISP", fault: true},
		{name: "mov rax,fs:[rip+x] (fault address)", hex: "64 48 8b 05 DISP", fault: true},
		{name: "push [rip+x]", hex: "ff 35 DISP"},
		{name: "pop [rip+x]", hex: "8f 05 DISP"},
		{name: "lock xadd [rip+x],ecx", hex: "f0 0f c1 0d DISP"},
		{name: "lock cmpxchg16b [rip+x]", hex: "f0 48 0f c7 0d DISP"},
		{name: "xchg [rip+x],rax", hex: "48 87 05 DISP"},
		{name: "pushf", hex: "9c", setup: flags(0x8d5)},
		{name: "popf", hex: "9d", setup: stackTop(func(*rrEnv) uint64 { return 0xcd7 })},
		{name: "rep movsb", hex: "f3 a4", setup: func(e *rrEnv) {
			e.st.GPR[gSI], e.st.GPR[gDI], e.st.GPR[gCX] = rrData+0x200, rrData+0x400, 100
		}},
		{name: "rep stosq", hex: "f3 48 ab", setup: func(e *rrEnv) { e.st.GPR[gDI], e.st.GPR[gCX] = rrData+0x600, 20 }},
		{name: "syscall getpid", hex: "0f 05", rcxNextIP: true, setup: func(e *rrEnv) { e.st.GPR[gAX] = unix.SYS_GETPID }},
		{name: "endbr64", hex: "f3 0f 1e fa"},
		{name: "adcx eax,[rip+x]", hex: "66 0f 38 f6 05 DISP", setup: flags(1)},
		{name: "adox rax,[rip+x]", hex: "f3 48 0f 38 f6 05 DISP", setup: flags(0x800)},
		{name: "crc32 eax,byte [rip+x]", hex: "f2 0f 38 f0 05 DISP"},
		{name: "pshufd xmm0,[rip+x],imm8", hex: "66 0f 70 05 DISP 1b"},
		{name: "pclmulqdq xmm0,[rip+x],imm8", hex: "66 0f 3a 44 05 DISP 11", need: "pclmulqdq"},
		{name: "pinsrw xmm3,[rip+x],imm8", hex: "66 0f c4 1d DISP 05"},
		// VEX.
		{name: "vmovdqu ymm0,[rip+x]", hex: "c5 fe 6f 05 DISP", need: "avx"},
		{name: "vmovdqu ymm8,[rip+x]", hex: "c5 7e 6f 05 DISP", need: "avx"},
		{name: "vmovdqu [rip+x],ymm1", hex: "c5 fe 7f 0d DISP", need: "avx"},
		{name: "vpermq ymm0,[rip+x],imm8", hex: "c4 e3 fd 00 05 DISP 1b", need: "avx2"},
		{name: "vpshufd xmm0,[rip+x],imm8", hex: "c5 f9 70 05 DISP 1b", need: "avx"},
		{name: "vpblendd ymm0,ymm1,[rip+x],imm8", hex: "c4 e3 75 02 05 DISP 5a", need: "avx2"},
		{name: "vpaddd ymm0,ymm1,[rip+x]", hex: "c5 f5 fe 05 DISP", need: "avx2"},
		{name: "vblendvps xmm0,xmm1,[rip+x],xmm2", hex: "c4 e3 71 4a 05 DISP 20", need: "avx"},
		{name: "rorx eax,[rip+x],imm8", hex: "c4 e3 7b f0 05 DISP 03", need: "bmi2"},
		{name: "andn eax,ebx,[rip+x]", hex: "c4 e2 60 f2 05 DISP", need: "bmi1"},
		{name: "vzeroupper", hex: "c5 f8 77", need: "avx"},
		// EVEX.
		{name: "vmovdqu64 zmm16,[rip+x]", hex: "62 e1 fe 48 6f 05 DISP", need: "avx512f"},
		{name: "vmovdqu64 [rip+x],zmm2", hex: "62 f1 fe 48 7f 15 DISP", need: "avx512f"},
		{name: "vpaddd xmm16,xmm17,[rip+x]", hex: "62 e1 75 00 fe 05 DISP", need: "avx512vl"},
		{name: "vpaddd zmm0{k1}{z},zmm1,[rip+x]{1to16}", hex: "62 f1 75 d9 fe 05 DISP", need: "avx512f"},
		{name: "vpternlogd zmm0,zmm1,[rip+x],imm8", hex: "62 f3 75 48 25 05 DISP 55", need: "avx512f"},
		{name: "vpcmpd k1,zmm0,[rip+x],imm8", hex: "62 f3 7d 48 1f 0d DISP 01", need: "avx512f"},
		{name: "vpshufd zmm0,[rip+x],imm8", hex: "62 f1 7d 48 70 05 DISP 1b", need: "avx512f"},
		{name: "vpaddd zmm0,zmm1,[rax+0x40] (disp8*N)", hex: "62 f1 75 48 fe 40 01", need: "avx512f", setup: func(e *rrEnv) {
			e.st.GPR[gAX] = rrData
		}},
		{name: "kmovw k1,[rip+x]", hex: "c5 f8 90 0d DISP", need: "avx512f"},
		// Control leaves the slot by itself.
		{name: "ret", hex: "c3", setup: stackTop(func(e *rrEnv) uint64 { return e.tgt })},
		{name: "ret imm16", hex: "c2 10 00", setup: stackTop(func(e *rrEnv) uint64 { return e.tgt })},
		{name: "jmp [rip+x]", hex: "ff 25 DISP", setup: tgtInData},
		{name: "bnd jmp [rip+x]", hex: "f2 ff 25 DISP", setup: tgtInData},
		{name: "jmp rax", hex: "ff e0", setup: func(e *rrEnv) { e.st.GPR[gAX] = e.tgt }},
		{name: "notrack jmp rax", hex: "3e ff e0", setup: func(e *rrEnv) { e.st.GPR[gAX] = e.tgt }},
		{name: "jmp [rax+rbx*8]", hex: "ff 24 d8", setup: func(e *rrEnv) {
			e.st.GPR[gAX], e.st.GPR[gBX] = rrData+0x300, 2
			e.put64(e.data, 0x310, e.tgt)
		}},
		// Indirect calls: the slot's return address is fixed up.
		{name: "call [rip+x]", hex: "ff 15 DISP", setup: tgtInData},
		{name: "call rax", hex: "ff d0", setup: func(e *rrEnv) { e.st.GPR[gAX] = e.tgt }},
		{name: "call r11", hex: "41 ff d3", setup: func(e *rrEnv) { e.st.GPR[g11] = e.tgt }},
		{name: "call [rsp+8]", hex: "ff 54 24 08", setup: func(e *rrEnv) { e.put64(e.stack, rrSP-rrStack+8, e.tgt) }},
		// Relative branches, emulated: compared with the CPU.
		{name: "call rel32", hex: "e8 REL32"},
		{name: "bnd call rel32", hex: "f2 e8 REL32"},
		{name: "jmp rel8", hex: "eb REL8"},
		{name: "jmp rel32", hex: "e9 REL32"},
		// xbegin faults (#UD) without RTM; with RTM it would start a
		// transaction that this harness cannot follow. A CPU whose TSX is
		// switched off by microcode (TSX_CTRL, RTM_ALWAYS_ABORT) hides
		// the rtm flag yet does not fault: xbegin aborts at once to its
		// abort address (CI's machine does this).
		{name: "xbegin rel32 (#UD or abort without RTM)", hex: "c7 f8 REL32", fault: true, orAbort: true, need: "!rtm"},
	}
	const zf, cf, sf, of, pf = 1 << 6, 1 << 0, 1 << 7, 1 << 11, 1 << 2
	for cc := 0; cc < 16; cc++ {
		for bits := 0; bits < 32; bits++ {
			var f uint64
			for i, b := range []uint64{cf, pf, zf, sf, of} {
				if bits&(1<<i) != 0 {
					f |= b
				}
			}
			cs = append(cs,
				realCase{name: fmt.Sprintf("j%v rel8 flags %#x", Cond(cc), f), hex: fmt.Sprintf("%02x REL8", 0x70+cc), setup: flags(f)},
				realCase{name: fmt.Sprintf("j%v rel32 flags %#x", Cond(cc), f), hex: fmt.Sprintf("0f %02x REL32", 0x80+cc), setup: flags(f)})
		}
	}
	for _, op := range []struct{ name, hex string }{
		{"loop", "e2"}, {"loope", "e1"}, {"loopne", "e0"}, {"jrcxz", "e3"},
		{"addr32 loop", "67 e2"}, {"addr32 loope", "67 e1"}, {"addr32 loopne", "67 e0"}, {"jecxz", "67 e3"},
	} {
		for _, rcx := range []uint64{0, 1, 2, 0x1_0000_0000, 0x1_0000_0001, 0xffff_ffff_ffff_ffff} {
			for _, f := range []uint64{0, zf} {
				rcx, f := rcx, f
				cs = append(cs, realCase{name: fmt.Sprintf("%s rcx=%#x flags %#x", op.name, rcx, f), hex: op.hex + " REL8",
					setup: func(e *rrEnv) { e.st.GPR[gCX], e.st.Rflags = rcx, 0x202|f }})
			}
		}
	}
	return cs
}

// assemble turns a case's hex into bytes at rrAddr, filling DISP, REL8 and
// REL32; it returns the bytes and the branch target.
func assemble(t *testing.T, hexs string) ([]byte, uint64) {
	var b []byte
	var dispAt, relAt, relLen = -1, -1, 0
	for _, tok := range strings.Fields(hexs) {
		switch tok {
		case "DISP":
			dispAt = len(b)
			b = append(b, 0, 0, 0, 0)
		case "REL8":
			relAt, relLen = len(b), 1
			b = append(b, 0)
		case "REL32":
			relAt, relLen = len(b), 4
			b = append(b, 0, 0, 0, 0)
		default:
			b = append(b, unhexStr(t, tok)...)
		}
	}
	next := uint64(rrAddr + len(b))
	tgt := uint64(rrFar)
	if dispAt >= 0 {
		binary.LittleEndian.PutUint32(b[dispAt:], uint32(rrDTgt-next))
	}
	switch relLen {
	case 1:
		tgt = rrAddr - 0x40 // backwards, to exercise the sign
		b[relAt] = byte(int8(int64(tgt - next)))
	case 4:
		binary.LittleEndian.PutUint32(b[relAt:], uint32(tgt-next))
	}
	return b, tgt
}

func cpuFlags(t *testing.T) map[string]bool {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		t.Skipf("no /proc/cpuinfo: %v", err)
	}
	m := map[string]bool{}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "flags") {
			for _, f := range strings.Fields(line[strings.IndexByte(line, ':')+1:]) {
				m[f] = true
			}
			break
		}
	}
	return m
}

type realPlan struct {
	c      realCase
	in     *Insn
	tgt    uint64
	slot   uint64
	orig   int // index of the run in place
	moved  int // index of the run in the slot, -1 for Emulate
	st     rrState
	skip   string
	stack0 []byte
}

func TestRunForReal(t *testing.T) {
	dir := t.TempDir()
	runner, err := gccCompile(dir, "testdata/runner.c", "runner", "-O1")
	if err != nil {
		t.Skipf("cannot build the runner: %v", err)
	}
	have := cpuFlags(t)
	avx512 := have["avx512f"] && have["avx512bw"]
	rnd := rand.New(rand.NewSource(1))

	var runs []rrRun
	var plans []realPlan
	for i, c := range realCases() {
		p := realPlan{c: c, moved: -1}
		if c.need != "" {
			missing := !have[c.need]
			if strings.HasPrefix(c.need, "!") {
				missing = have[c.need[1:]]
			}
			if missing || strings.HasPrefix(c.need, "avx512") && !avx512 {
				p.skip = fmt.Sprintf("CPU lacks %s (or has it, for !)", c.need)
				plans = append(plans, p)
				continue
			}
		}
		code, tgt := assemble(t, c.hex)
		in, err := Analyze(code, rrAddr)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if in.Len != len(code) {
			t.Fatalf("%s: length %d, assembled %d", c.name, in.Len, len(code))
		}
		p.in, p.tgt = in, tgt
		p.slot = rrSlotA
		if i%2 == 1 {
			p.slot = rrSlotB
		}

		// Identical starting state for both runs.
		st := rrState{Rflags: 0x202}
		for r := range st.GPR {
			st.GPR[r] = rnd.Uint64()
		}
		st.GPR[gSP] = rrSP
		for v := range st.Vec {
			rnd.Read(st.Vec[v][:])
		}
		for k := range st.K {
			st.K[k] = rnd.Uint64()
		}
		data := make([]byte, 0x1000)
		rnd.Read(data)
		stack := make([]byte, 0x2000)
		rnd.Read(stack)
		env := &rrEnv{tgt: tgt, st: &st, data: data, stack: stack}
		if c.setup != nil {
			c.setup(env)
		}
		p.st = st
		p.stack0 = stack

		page := func(fill byte) []byte { return bytes.Repeat([]byte{fill}, 0x1000) }
		pads := []rrPad{{rrAddr + uint64(in.Len), 0}, {tgt, 1}}
		origCode := page(0xcc)
		copy(origCode[rrAddr-rrCode:], code)
		common := []rrRegion{
			{rrData, data, unix.PROT_READ | unix.PROT_WRITE, true},
			{rrStack, stack, unix.PROT_READ | unix.PROT_WRITE, true},
		}
		p.orig = len(runs)
		runs = append(runs, rrRun{
			regions: append([]rrRegion{{rrCode, origCode, unix.PROT_READ | unix.PROT_EXEC, false}}, common...),
			pads:    pads, entry: rrAddr, in: st,
		})
		if in.Class == Emulate {
			plans = append(plans, p)
			continue
		}
		if in.Class == Refuse {
			t.Fatalf("%s: refused: %s", c.name, in.Reason)
		}
		sb, err := in.SlotBytes(p.slot)
		if err != nil {
			t.Fatalf("%s: SlotBytes: %v", c.name, err)
		}
		bpCode := append([]byte(nil), origCode...)
		bpCode[rrAddr-rrCode] = 0xcc // the breakpoint stays in place
		slotPage := page(0xcc)
		slotBase := p.slot &^ 0xfff
		copy(slotPage[p.slot-slotBase:], sb)
		p.moved = len(runs)
		runs = append(runs, rrRun{
			regions: append([]rrRegion{
				{rrCode, bpCode, unix.PROT_READ | unix.PROT_EXEC, false},
				{slotBase, slotPage, unix.PROT_READ | unix.PROT_EXEC, false},
			}, common...),
			pads: pads, entry: p.slot, in: st,
		})
		plans = append(plans, p)
	}

	results := execRunner(t, runner, runs)
	checked := map[Class]int{}
	for _, p := range plans {
		p := p
		t.Run(p.c.name, func(t *testing.T) {
			if p.skip != "" {
				t.Skip(p.skip)
			}
			orig := results[p.orig]
			if p.in.Class == Emulate {
				checkEmulated(t, p, orig)
			} else {
				checkMoved(t, p, orig, results[p.moved])
			}
			if !t.Failed() {
				checked[p.in.Class]++
			}
		})
	}
	t.Logf("passed on the CPU: %d Boost, %d BoostLeave, %d StepFixup, %d Emulate", checked[Boost], checked[BoostLeave], checked[StepFixup], checked[Emulate])
}

func padAddr(p realPlan, id uint32) uint64 {
	switch id {
	case 0:
		return rrAddr + uint64(p.in.Len)
	case 1:
		return p.tgt
	}
	return 0
}

func checkMoved(t *testing.T, p realPlan, orig, moved rrResult) {
	if p.c.fault && orig.sig == 0 && p.c.orAbort && orig.pad == 1 {
		t.Logf("no fault on this CPU: went to the abort address, as the slot run must")
	} else if p.c.fault {
		if orig.sig == 0 {
			t.Fatalf("expected a fault in place, reached pad %d", orig.pad)
		}
		at := moved.faultAt
		if moved.sig == uint32(unix.SIGILL) {
			at = OrigPC(p.in, p.slot, at) // si_addr is the pc for #UD
		}
		if moved.sig != orig.sig || at != orig.faultAt {
			t.Errorf("slot: signal %d at %#x, in place: signal %d at %#x", moved.sig, moved.faultAt, orig.sig, orig.faultAt)
		}
		if got := OrigPC(p.in, p.slot, moved.faultPC); got != orig.faultPC {
			t.Errorf("slot fault pc %#x maps to %#x, in place %#x", moved.faultPC, got, orig.faultPC)
		}
		return
	}
	if orig.sig != 0 || moved.sig != 0 {
		t.Fatalf("signal in place %d (pc %#x addr %#x), in slot %d (pc %#x addr %#x)",
			orig.sig, orig.faultPC, orig.faultAt, moved.sig, moved.faultPC, moved.faultAt)
	}
	if p.in.Class == StepFixup {
		// The runtime single-steps the call and then stores the fixed
		// return address at rsp: do that to the slot run's stack.
		regs := ptraceRegs(&moved.out, padAddr(p, moved.pad))
		off := int(moved.out.GPR[gSP] - rrStack)
		if got := binary.LittleEndian.Uint64(moved.dumps[1][off:]); got != p.slot+uint64(p.in.Len) {
			t.Errorf("call in slot pushed %#x, want slot+Len %#x", got, p.slot+uint64(p.in.Len))
		}
		w := p.in.FixupAfterStep(&regs, p.slot)
		if w == nil {
			t.Fatalf("FixupAfterStep gave nothing")
		}
		binary.LittleEndian.PutUint64(moved.dumps[1][off:], *w)
	}
	if p.c.rcxNextIP {
		if orig.out.GPR[gCX] != rrAddr+uint64(p.in.Len) || moved.out.GPR[gCX] != p.slot+uint64(p.in.Len) {
			t.Errorf("syscall rcx: in place %#x, in slot %#x", orig.out.GPR[gCX], moved.out.GPR[gCX])
		}
		moved.out.GPR[gCX] = orig.out.GPR[gCX]
	}
	if orig.pad != moved.pad {
		t.Errorf("landed at pad %d in place, %d from the slot", orig.pad, moved.pad)
	}
	compareStates(t, "slot", &orig.out, &moved.out)
	for i, name := range []string{"data", "stack"} {
		if !bytes.Equal(orig.dumps[i], moved.dumps[i]) {
			j := 0
			for orig.dumps[i][j] == moved.dumps[i][j] {
				j++
			}
			t.Errorf("%s differs first at +%#x: in place % x, slot % x", name, j, orig.dumps[i][j:j+8], moved.dumps[i][j:min(j+8, len(moved.dumps[i]))])
		}
	}
	if p.in.Class == Boost && orig.pad != 0 && !p.c.orAbort {
		t.Errorf("Boost ended at pad %d, not the next instruction", orig.pad)
	}
}

func compareStates(t *testing.T, what string, a, b *rrState) {
	t.Helper()
	names := []string{"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"}
	for i := range a.GPR {
		if a.GPR[i] != b.GPR[i] {
			t.Errorf("%s: %s %#x, in place %#x", what, names[i], b.GPR[i], a.GPR[i])
		}
	}
	if a.Rflags != b.Rflags {
		t.Errorf("%s: rflags %#x, in place %#x", what, b.Rflags, a.Rflags)
	}
	for v := range a.Vec {
		if a.Vec[v] != b.Vec[v] {
			t.Errorf("%s: zmm%d differs", what, v)
		}
	}
	if a.K != b.K {
		t.Errorf("%s: mask registers differ", what)
	}
}

func ptraceRegs(s *rrState, rip uint64) unix.PtraceRegs {
	g := s.GPR
	return unix.PtraceRegs{Rax: g[0], Rcx: g[1], Rdx: g[2], Rbx: g[3], Rsp: g[4], Rbp: g[5], Rsi: g[6], Rdi: g[7],
		R8: g[8], R9: g[9], R10: g[10], R11: g[11], R12: g[12], R13: g[13], R14: g[14], R15: g[15],
		Eflags: s.Rflags, Rip: rip}
}

func checkEmulated(t *testing.T, p realPlan, orig rrResult) {
	if orig.sig != 0 {
		t.Fatalf("signal %d at %#x", orig.sig, orig.faultPC)
	}
	cpu := ptraceRegs(&orig.out, padAddr(p, orig.pad))
	emu := ptraceRegs(&p.st, rrAddr)
	push, err := p.in.Emulate(&emu)
	if err != nil {
		t.Fatal(err)
	}
	if cpu != emu {
		t.Errorf("CPU: rip %#x rcx %#x rsp %#x flags %#x; Emulate: rip %#x rcx %#x rsp %#x flags %#x",
			cpu.Rip, cpu.Rcx, cpu.Rsp, cpu.Eflags, emu.Rip, emu.Rcx, emu.Rsp, emu.Eflags)
	}
	stack := orig.dumps[1]
	if push != nil {
		off := int(cpu.Rsp - rrStack)
		if got := binary.LittleEndian.Uint64(stack[off:]); got != *push {
			t.Errorf("CPU pushed %#x, Emulate %#x", got, *push)
		}
		binary.LittleEndian.PutUint64(stack[off:], binary.LittleEndian.Uint64(p.stack0[off:]))
	}
	if !bytes.Equal(stack, p.stack0) {
		t.Errorf("stack changed beyond the pushed return address")
	}
}

// execRunner sends all runs to the runner at once and reads the results.
func execRunner(t *testing.T, runner string, runs []rrRun) []rrResult {
	var in bytes.Buffer
	le := binary.LittleEndian
	in.WriteString("XOLR")
	binary.Write(&in, le, uint32(len(runs)))
	for _, r := range runs {
		binary.Write(&in, le, uint32(len(r.regions)))
		for _, g := range r.regions {
			dump := uint32(0)
			if g.dump {
				dump = 1
			}
			binary.Write(&in, le, []uint64{g.addr, uint64(len(g.data))})
			binary.Write(&in, le, []uint32{g.prot, dump})
			in.Write(g.data)
		}
		binary.Write(&in, le, uint32(len(r.pads)))
		for _, p := range r.pads {
			binary.Write(&in, le, p.addr)
			binary.Write(&in, le, p.id)
		}
		binary.Write(&in, le, r.entry)
		binary.Write(&in, le, &r.in)
	}
	cmd := exec.Command(runner)
	cmd.Stdin = &in
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("runner: %v\n%s", err, stderr.String())
	}
	rd := bufio.NewReader(bytes.NewReader(out))
	res := make([]rrResult, len(runs))
	for i, r := range runs {
		var hdr struct {
			Sig    uint32
			PC, At uint64
			Pad    uint32
		}
		if err := binary.Read(rd, le, &hdr); err != nil {
			t.Fatalf("runner output, run %d: %v", i, err)
		}
		res[i] = rrResult{sig: hdr.Sig, faultPC: hdr.PC, faultAt: hdr.At, pad: hdr.Pad}
		if err := binary.Read(rd, le, &res[i].out); err != nil {
			t.Fatalf("runner output, run %d: %v", i, err)
		}
		for _, g := range r.regions {
			if g.dump {
				b := make([]byte, len(g.data))
				if _, err := io.ReadFull(rd, b); err != nil {
					t.Fatalf("runner output, run %d: %v", i, err)
				}
				res[i].dumps = append(res[i].dumps, b)
			}
		}
	}
	return res
}
