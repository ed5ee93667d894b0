package x86

import (
	"bufio"
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand"
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
			cmd := exec.Command("go", "build", "-buildvcs=false", "-o", out, "./testdata/goprog")
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
			st := compareWithObjdump(t, objdump, elfText(t, path), false, "-d", "-w", path)
			t.Logf("%s: %d instructions compared, %d with RIP-relative targets checked; excluded: %d (bad), %d REX/prefix-only lines skipped, %d fwait split; x86asm length disagrees on %d, Op 0 on %d",
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
	checked, rip, bad, merged, fwait, unsupported, x86asmLen, x86asmOp0 int
}

type textSection struct {
	addr uint64
	data []byte
}

// elfText returns the executable sections of an ELF file.
func elfText(t *testing.T, path string) []textSection {
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
	return secs
}

// compareWithObjdump runs objdump with args (which name the file) and
// compares every instruction it lists with the walk over secs.
func compareWithObjdump(t *testing.T, objdump string, secs []textSection, allowUnsupported bool, args ...string) objdumpStats {
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

	cmd := exec.Command(objdump, args...)
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
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Bytes()
		addr, nbytes, _, text, ok := parseObjdumpLine(line)
		if !ok {
			continue
		}
		if bytes.Contains(text, []byte("(bad)")) || bytes.HasPrefix(text, []byte(".byte")) {
			st.bad++
			continue
		}
		// objdump prints a REX that a later prefix cancels (and
		// prefixes beyond what it accepts) on a line of its own, then
		// decodes the rest as if they were not there. The CPU takes
		// them as part of the next instruction, and they may change
		// its length (66, 67), so such a line is skipped and the next
		// one compared as objdump decoded it, from its own address.
		// (Unit tests check prefixes that cancel a REX.)
		if allPrefixes(line, nbytes) {
			st.merged++
			continue
		}
		// objdump shows fwait (9B, perhaps with prefixes) and the x87
		// instruction after it as one ("fstcw"); the CPU runs them
		// as two instructions (or more: 9B 9B ...). Compare the parts.
		for {
			w, err := Analyze(code(addr), addr)
			if err != nil || w.Len >= nbytes || w.Bytes[w.Len-1] != 0x9b {
				break
			}
			addr, nbytes = addr+uint64(w.Len), nbytes-w.Len
			st.fwait++
		}
		if onlyPrefixes(code(addr)[:nbytes]) {
			continue // a rest of prefixes only: see above
		}
		b := code(addr)
		in, err := Analyze(b, addr)
		if errors.Is(err, ErrUnsupported) && allowUnsupported {
			st.unsupported++ // XOP: the walk does not decode it, on purpose
			continue
		}
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
				// [eip+disp32]: objdump prints the address sign-extended.
				got, target = uint64(uint32(got)), uint64(uint32(target))
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
		t.Errorf("%s: %d or more disagreements with objdump:\n%s", args[len(args)-1], len(failures), strings.Join(failures, "\n"))
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
	var b []byte
	for _, f := range bytes.Fields(hexPart) {
		b = append(b, unhex(f[0])<<4|unhex(f[1]))
	}
	return nbytes > 0 && onlyPrefixes(b)
}

func onlyPrefixes(b []byte) bool {
	for _, c := range b {
		switch {
		case c&0xf0 == 0x40:
		case c == 0x26 || c == 0x2e || c == 0x36 || c == 0x3e || c == 0x64 || c == 0x65 ||
			c == 0x66 || c == 0x67 || c == 0xf0 || c == 0xf2 || c == 0xf3:
		default:
			return false
		}
	}
	return true
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

// TestRandomAgainstObjdump compares the walk with objdump on structured
// random code (prefixes, REX, every opcode map, VEX, EVEX, random operand
// bytes): far more opcodes and operand forms than compilers emit. objdump
// decodes it as one stream; every instruction it does not call (bad) must
// have the walk's length. XOL_RANDOM_SEED and XOL_RANDOM_KB (default 2 and
// 384) allow longer runs by hand.
func TestRandomAgainstObjdump(t *testing.T) {
	objdump, err := exec.LookPath("objdump")
	if err != nil {
		t.Skip("objdump not installed")
	}
	t.Parallel()
	seed, size := int64(2), 384
	if v, err := strconv.ParseInt(os.Getenv("XOL_RANDOM_SEED"), 10, 64); err == nil {
		seed = v
	}
	if v, err := strconv.Atoi(os.Getenv("XOL_RANDOM_KB")); err == nil {
		size = v
	}
	rnd := rand.New(rand.NewSource(seed))
	prefixes := []byte{0x66, 0x67, 0xf2, 0xf3, 0xf0, 0x2e, 0x3e, 0x64, 0x65, 0x26, 0x36}
	var buf []byte
	for len(buf) < size<<10 {
		for i := rnd.Intn(3); i > 0; i-- {
			buf = append(buf, prefixes[rnd.Intn(len(prefixes))])
		}
		if rnd.Intn(3) == 0 {
			buf = append(buf, 0x40|byte(rnd.Intn(16)))
		}
		switch rnd.Intn(8) {
		case 0:
			buf = append(buf, 0x0f)
		case 1:
			buf = append(buf, 0x0f, 0x38)
		case 2:
			buf = append(buf, 0x0f, 0x3a)
		case 3:
			buf = append(buf, 0xc5)
		case 4:
			buf = append(buf, 0xc4, byte(rnd.Intn(8))<<5|byte(1+rnd.Intn(3)))
		case 5:
			maps := []byte{1, 2, 3, 5, 6}
			buf = append(buf, 0x62, byte(rnd.Intn(16))<<4|maps[rnd.Intn(len(maps))], byte(rnd.Intn(256))|4)
		}
		for i := 0; i < 14; i++ {
			buf = append(buf, byte(rnd.Intn(256)))
		}
	}
	path := filepath.Join(t.TempDir(), "random.bin")
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		t.Fatal(err)
	}
	st := compareWithObjdump(t, objdump, []textSection{{0, buf}}, true, "-D", "-w", "-b", "binary", "-m", "i386:x86-64", path)
	t.Logf("random: %d instructions compared, %d with RIP-relative targets checked; excluded: %d (bad), %d REX/prefix-only lines skipped, %d XOP; %d fwait split",
		st.checked, st.rip, st.bad, st.merged, st.unsupported, st.fwait)
}
