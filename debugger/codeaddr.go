package debugger

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/ubpdbg/ubpdbg/xol/x86"
)

// An int3 written one byte into an instruction, into its displacement or
// into data corrupts the program silently or crashes it. So an address
// given as such (*ADDR in the terminal, trace and DAP instruction
// breakpoints) must be in executable memory and must start an
// instruction: decoding the code from the start of its function (DWARF or
// ELF symbols) must land on it.

// checkCodeAddr says why a breakpoint cannot go at addr, or nil.
func (s *Session) checkCodeAddr(addr uint64) error {
	if perms, path, ok := mappingOf(s.proc.Pid(), addr); !ok {
		return fmt.Errorf("%#x is not mapped in the program", addr)
	} else if !strings.Contains(perms, "x") {
		where := path
		if where == "" {
			where = "anonymous memory"
		}
		return fmt.Errorf("%#x is not code: it is in %s, mapped %s (not executable)", addr, where, perms)
	}
	start, fn, ok := s.syms.CodeStart(addr)
	if !ok {
		return fmt.Errorf("%#x is in no function known from symbols, so it cannot be checked to start an instruction", addr)
	}
	const maxWalk = 1 << 20 // a function of a megabyte is not real
	if addr-start > maxWalk {
		return fmt.Errorf("%#x is %d bytes into %s: too far to check that an instruction starts there", addr, addr-start, fn)
	}
	code := make([]byte, addr-start+16)
	n, err := s.proc.ReadMemory(start, code)
	if err != nil && n == 0 {
		return fmt.Errorf("read the code of %s: %w", fn, err)
	}
	code = code[:n]
	s.sites.Original(start, code) // our int3s are not the program's code
	pc := start
	for pc < addr {
		in, err := x86.Analyze(code[pc-start:], pc)
		if err != nil {
			return fmt.Errorf("%#x: cannot decode %s at %#x to check that an instruction starts there: %v", addr, fn, pc, err)
		}
		if pc+uint64(in.Len) > addr {
			return fmt.Errorf("%#x is inside an instruction: %s+%#x, the instruction at %#x (%s) is %d bytes long", addr, fn, addr-start, pc, in.Text, in.Len)
		}
		pc += uint64(in.Len)
	}
	return nil
}

// mappingOf finds the mapping of pid that holds addr in /proc/PID/maps:
// its permissions (such as "r-xp") and path.
func mappingOf(pid int, addr uint64) (perms, path string, ok bool) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/maps", pid))
	if err != nil {
		return "", "", false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 {
			continue
		}
		lo, hi, _ := strings.Cut(fields[0], "-")
		l, err1 := strconv.ParseUint(lo, 16, 64)
		h, err2 := strconv.ParseUint(hi, 16, 64)
		if err1 != nil || err2 != nil || addr < l || addr >= h {
			continue
		}
		if len(fields) >= 6 {
			path = fields[5]
		}
		return fields[1], path, true
	}
	return "", "", false
}
