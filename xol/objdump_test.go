package xol

import (
	"bufio"
	"bytes"
	"debug/elf"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/arch/x86/x86asm"
)

// TestLengthsMatchObjdump checks the length walk against GNU objdump on
// every instruction objdump lists in the executable sections of the
// machine's libc, of a Go binary built here, and of testdata/tricky.S (odd
// encodings, assembled here). Lengths must agree 100% wherever objdump
// decodes; the RIP-relative disp32 position must give the target objdump
// prints in its "# <addr>" comment, and every RIP-relative operand the walk
// finds must be one objdump comments on.
func TestLengthsMatchObjdump(t *testing.T) {
	objdump, err := exec.LookPath("objdump")
	if err != nil {
		t.Skip("objdump not installed")
	}
	type corpus struct {
		name  string
		build func(dir string) (string, error)
	}
	corpora := []corpus{
		{"libc", func(string) (string, error) {
			const p = "/lib/x86_64-linux-gnu/libc.so.6"
			_, err := os.Stat(p)
			return p, err
		}},
		{"go", func(dir string) (string, error) {
			out := filepath.Join(dir, "goprog")
			cmd := exec.Command("go", "build", "-o", out, "./testdata/goprog")
			if b, err := cmd.CombinedOutput(); err != nil {
				return "", fmt.Errorf("go build: %v\n%s", err, b)
			}
			return out, nil
		}},
		{"tricky", func(dir string) (string, error) {
			return gccCompile(dir, "testdata/tricky.S", "tricky.o", "-c")
		}},
	}
	for _, c := range corpora {
		c := c
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			path, err := c.build(t.TempDir())
			if err != nil {
				t.Skipf("no %s corpus: %v", c.name, err)
			}
			st := compareWithObjdump(t, objdump, path)
			t.Logf("%s: %d instructions compared, %d with RIP-relative targets checked; excluded: %d (bad), %d REX/prefix-only lines merged, %d fwait split; x86asm length disagrees on %d, Op 0 on %d",
				c.name, st.checked, st.rip, st.bad, st.merged, st.fwait, st.x86asmLen, st.x86asmOp0)
			if st.checked == 0 {
				t.Errorf("no instructions compared")
			}
		})
	}
}

func gccCompile(dir, src, out string, args ...string) (string, error) {
	gcc, err := exec.LookPath("gcc")
	if err != nil {
		return "", err
	}
	o := filepath.Join(dir, out)
	cmd := exec.Command(gcc, append(args, "-o", o, src)...)
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("gcc %s: %v\n%s", src, err, b)
	}
	return o, nil
}

type objdumpStats struct {
	checked, rip, bad, merged, fwait, x86asmLen, x86asmOp0 int
}

type textSection struct {
	addr uint64
	data []byte
}

func compareWithObjdump(t *testing.T, objdump, path string) objdumpStats {
	f, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var secs []textSection
	for _, s := range f.Sections {
		if s.Flags&elf.SHF_EXECINSTR == 0 || s.Type != elf.SHT_PROGBITS {
			continue
		}
		data, err := s.Data()
		if err != nil {
			t.Fatal(err)
		}
		secs = append(secs, textSection{s.Addr, data})
	}
	sort.Slice(secs, func(i, j int) bool { return secs[i].addr < secs[j].addr })
	// code returns up to 15 bytes at addr.
	code := func(addr uint64) []byte {
		i := sort.Search(len(secs), func(i int) bool { return secs[i].addr+uint64(len(secs[i].data)) > addr })
		if i == len(secs) || addr < secs[i].addr {
			return nil
		}
		b := secs[i].data[addr-secs[i].addr:]
		if len(b) > 15 {
			b = b[:15]
		}
		return b
	}

	cmd := exec.Command(objdump, "-d", "-w", path)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()

	var st objdumpStats
	var failures []string
	fail := func(format string, args ...any) {
		if len(failures) < 40 {
			failures = append(failures, fmt.Sprintf(format, args...))
		}
	}
	pendAddr, pendLen := uint64(0), 0 // a prefix-only line objdump split off
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Bytes()
		addr, nbytes, first, text, ok := parseObjdumpLine(line)
		if !ok {
			pendLen = 0
			continue
		}
		if bytes.Contains(text, []byte("(bad)")) {
			st.bad++
			pendLen = 0
			continue
		}
		// objdump prints a REX that a later prefix cancels, and prefixes
		// beyond what it accepts, on lines of their own; the CPU takes
		// them as part of the next instruction.
		if allPrefixes(line, nbytes) {
			if pendLen == 0 {
				pendAddr = addr
			}
			pendLen += nbytes
			st.merged++
			continue
		}
		if pendLen > 0 {
			if pendAddr+uint64(pendLen) == addr {
				addr, nbytes = pendAddr, nbytes+pendLen
			}
			pendLen = 0
		}
		// objdump shows fwait (9B) and the x87 instruction after it
		// as one ("fstcw"); the CPU runs them as two instructions.
		if first == 0x9b && nbytes > 1 {
			in, err := Analyze(code(addr), addr)
			if err != nil || in.Len != 1 {
				fail("%#x: fwait: walk says %v %v", addr, in, err)
			}
			addr, nbytes = addr+1, nbytes-1
			st.fwait++
		}
		b := code(addr)
		in, err := Analyze(b, addr)
		st.checked++
		if err != nil {
			fail("%#x: % x: objdump %d bytes %q, walk: %v", addr, b, nbytes, text, err)
			continue
		}
		if in.Len != nbytes {
			fail("%#x: % x: objdump %d bytes %q, walk %d", addr, b, nbytes, text, in.Len)
			continue
		}
		if _, err := in.SlotBytes(addr + 0x1000); err != nil && in.Class != Emulate && in.Class != Refuse {
			fail("%#x: SlotBytes: %v", addr, err)
		}
		target, hasTarget := objdumpTarget(text)
		switch {
		case in.RIPDispOff >= 2 && in.Bytes[in.RIPDispOff-2] == 0xc7 && in.Bytes[in.RIPDispOff-1] == 0xf8:
			// xbegin's rel32: objdump prints the target without "#".
		case hasTarget && in.RIPDispOff < 0:
			fail("%#x: % x %q: objdump sees a RIP-relative operand, walk does not", addr, in.Bytes, text)
		case !hasTarget && in.RIPDispOff >= 0:
			fail("%#x: % x %q: walk finds a RIP disp32 at %d, objdump prints no target", addr, in.Bytes, text, in.RIPDispOff)
		case hasTarget:
			disp := int32(binary.LittleEndian.Uint32(in.Bytes[in.RIPDispOff:]))
			got := addr + uint64(in.Len) + uint64(int64(disp))
			if in.AddrSize == 32 {
				got = uint64(uint32(got))
			}
			if got != target || in.RIPTarget != target {
				fail("%#x: % x %q: RIP target %#x (RIPTarget %#x), objdump %#x", addr, in.Bytes, text, got, in.RIPTarget, target)
			}
			st.rip++
		}
		inst, err := x86asm.Decode(b, 64)
		if err == nil && inst.Len != in.Len {
			st.x86asmLen++
		}
		if err == nil && inst.Op == 0 {
			st.x86asmOp0++
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("objdump: %v", err)
	}
	if len(failures) > 0 {
		t.Errorf("%s: %d or more disagreements with objdump:\n%s", path, len(failures), strings.Join(failures, "\n"))
	}
	return st
}

// parseObjdumpLine splits an "objdump -d -w" instruction line,
// "  4010b6:\t48 8d 05 e3 02 0d 00 \tlea    0xd02e3(%rip),%rax  # 4d13a0 <x>",
// into address, number of bytes, first byte and text, without allocating.
func parseObjdumpLine(line []byte) (addr uint64, nbytes int, first byte, text []byte, ok bool) {
	colon := bytes.IndexByte(line, ':')
	if colon < 0 || colon+1 >= len(line) || line[colon+1] != '\t' {
		return 0, 0, 0, nil, false
	}
	a, err := strconv.ParseUint(string(bytes.TrimSpace(line[:colon])), 16, 64)
	if err != nil {
		return 0, 0, 0, nil, false
	}
	rest := line[colon+2:]
	hexPart := rest
	if tab := bytes.IndexByte(rest, '\t'); tab >= 0 {
		hexPart, text = rest[:tab], rest[tab+1:]
	}
	for i := 0; i+1 < len(hexPart); {
		if hexPart[i] == ' ' {
			i++
			continue
		}
		if nbytes == 0 {
			first = unhex(hexPart[i])<<4 | unhex(hexPart[i+1])
		}
		nbytes++
		i += 2
	}
	return a, nbytes, first, text, nbytes > 0
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return 0
}

// allPrefixes reports whether the hex bytes of the line are all legacy or
// REX prefixes.
func allPrefixes(line []byte, nbytes int) bool {
	colon := bytes.IndexByte(line, ':')
	hexPart := line[colon+2:]
	if tab := bytes.IndexByte(hexPart, '\t'); tab >= 0 {
		hexPart = hexPart[:tab]
	}
	for _, f := range bytes.Fields(hexPart) {
		b := unhex(f[0])<<4 | unhex(f[1])
		switch {
		case b&0xf0 == 0x40:
		case b == 0x26 || b == 0x2e || b == 0x36 || b == 0x3e || b == 0x64 || b == 0x65 ||
			b == 0x66 || b == 0x67 || b == 0xf0 || b == 0xf2 || b == 0xf3:
		default:
			return false
		}
	}
	return nbytes > 0
}

// objdumpTarget extracts the address of objdump's "# 4d13a0 <sym>" or
// "# 0x4d13a0" comment, which it prints for RIP-relative memory operands.
func objdumpTarget(text []byte) (uint64, bool) {
	i := bytes.LastIndex(text, []byte("# "))
	if i < 0 {
		return 0, false
	}
	s := text[i+2:]
	s = bytes.TrimPrefix(s, []byte("0x"))
	end := 0
	for end < len(s) && (s[end] >= '0' && s[end] <= '9' || s[end] >= 'a' && s[end] <= 'f') {
		end++
	}
	v, err := strconv.ParseUint(string(s[:end]), 16, 64)
	return v, err == nil
}
