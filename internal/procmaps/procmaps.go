// Package procmaps reads a process's memory mappings from /proc/PID/maps.
// One reader for target (the vDSO), xol (free gaps for slot areas),
// symbols (the mapped images) and debugger (is an address code?).
package procmaps

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Mapping is one line of /proc/PID/maps.
type Mapping struct {
	Start, End uint64 // [Start, End)
	Perms      string // "r-xp" and the like
	Offset     uint64 // in the file
	Path       string // the file, "[vdso]", "[stack]", ... or "" (anonymous)
}

// Executable says whether the mapping's code can run.
func (m Mapping) Executable() bool { return strings.Contains(m.Perms, "x") }

// Read returns the mappings of process pid in address order (the order
// the kernel lists them in).
func Read(pid int) ([]Mapping, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/maps", pid))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var ms []Mapping
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if m, ok := parseLine(sc.Text()); ok {
			ms = append(ms, m)
		}
	}
	return ms, sc.Err()
}

// parseLine parses "start-end perms offset dev inode [path]"; the path
// may hold spaces (and ends in " (deleted)" for a file removed since).
func parseLine(line string) (Mapping, bool) {
	var m Mapping
	fs := strings.Fields(line)
	if len(fs) < 5 {
		return m, false
	}
	lo, hi, ok := strings.Cut(fs[0], "-")
	if !ok {
		return m, false
	}
	var err1, err2, err3 error
	m.Start, err1 = strconv.ParseUint(lo, 16, 64)
	m.End, err2 = strconv.ParseUint(hi, 16, 64)
	m.Offset, err3 = strconv.ParseUint(fs[2], 16, 64)
	if err1 != nil || err2 != nil || err3 != nil || m.End < m.Start {
		return Mapping{}, false
	}
	m.Perms = fs[1]
	if len(fs) > 5 {
		// The path is the rest of the line after the inode, as written.
		rest := line
		for range 5 {
			rest = strings.TrimLeft(rest, " ")
			_, rest, _ = strings.Cut(rest, " ")
		}
		m.Path = strings.TrimLeft(rest, " ")
	}
	return m, true
}

// Find returns the mapping that holds addr in ms (in address order).
func Find(ms []Mapping, addr uint64) (Mapping, bool) {
	lo, hi := 0, len(ms)
	for lo < hi {
		mid := (lo + hi) / 2
		if ms[mid].End <= addr {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo < len(ms) && ms[lo].Start <= addr {
		return ms[lo], true
	}
	return Mapping{}, false
}
