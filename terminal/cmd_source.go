package terminal

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
)

// Source and machine code: list and disassemble.

func init() {
	register(
		&command{name: "list", aliases: []string{"l"}, group: "source", usage: "[LOCSPEC]", repeat: true,
			summary: "show source around the selected frame's line, or LOCSPEC; again: the next lines",
			run:     cmdList},
		&command{name: "disassemble", aliases: []string{"disas"}, group: "source", usage: "[LOCSPEC | *ADDR]",
			summary: "disassemble the function of the selected frame, of LOCSPEC, or at ADDR",
			run:     cmdDisassemble},
	)
}

// Source files are read from the paths the DWARF line tables give, once.
var sources struct {
	sync.Mutex
	files map[string][]string
}

func sourceLines(path string) ([]string, bool) {
	if path == "" {
		return nil, false
	}
	sources.Lock()
	defer sources.Unlock()
	if sources.files == nil {
		sources.files = map[string][]string{}
	}
	lines, ok := sources.files[path]
	if !ok {
		if b, err := os.ReadFile(path); err == nil {
			lines = strings.Split(strings.ReplaceAll(string(b), "\t", "    "), "\n")
		}
		sources.files[path] = lines
	}
	return lines, lines != nil
}

// sourceLine returns one line (1-based) of a source file.
func sourceLine(path string, n int) (string, bool) {
	lines, ok := sourceLines(path)
	if !ok || n <= 0 || n > len(lines) {
		return "", false
	}
	return lines[n-1], true
}

// listPos is where a bare `list` goes on from.
type listPos struct {
	file string
	next int
}

func cmdList(t *Term, args string) error {
	var file string
	var center, mark int
	switch {
	case args == "" && t.listNext != nil:
		t.printSource(t.listNext.file, t.listNext.next, t.listNext.next+9, 0)
		return nil
	case args == "":
		f, err := t.currentFrame()
		if err != nil {
			return err
		}
		if f.File == "" {
			return fmt.Errorf("no line information at %#x (try disassemble)", f.PC)
		}
		file, center, mark = f.File, f.Line, f.Line
	default:
		locs, err := t.s.Symbols().ResolveLines(args)
		if err != nil {
			return err
		}
		if len(locs) == 0 || locs[0].File == "" {
			return fmt.Errorf("no line information for %s", args)
		}
		file, center = locs[0].File, locs[0].Line
		if i := strings.LastIndexByte(args, ':'); i > 0 {
			if n, err := strconv.Atoi(args[i+1:]); err == nil {
				center = n
			}
		}
	}
	start := max(1, center-5)
	return t.printSource(file, start, start+10, mark)
}

// printSource prints lines from..to (inclusive) of file, marking one.
func (t *Term) printSource(file string, from, to, mark int) error {
	lines, ok := sourceLines(file)
	if !ok {
		return fmt.Errorf("cannot read source file %s", file)
	}
	if from > len(lines) {
		return fmt.Errorf("line %d is past the end of %s (%d lines)", from, file, len(lines))
	}
	to = min(to, len(lines))
	var b strings.Builder
	for n := from; n <= to; n++ {
		m := "  "
		if n == mark {
			m = "=>"
		}
		fmt.Fprintf(&b, "%s%5d:\t%s\n", m, n, lines[n-1])
	}
	t.con.printf("%s", b.String())
	t.listNext = &listPos{file: file, next: to + 1}
	return nil
}

// maxDisas bounds how much one disassemble shows.
const maxDisas = 8192

func cmdDisassemble(t *Term, args string) error {
	var pc, mark uint64
	switch {
	case args == "":
		f, err := t.currentFrame()
		if err != nil {
			return err
		}
		pc, mark = f.PC, f.PC
	case strings.HasPrefix(args, "*"):
		a, err := strconv.ParseUint(strings.TrimSpace(args[1:]), 0, 64)
		if err != nil {
			return badArgs("bad address %q: want 0x-prefixed hex or decimal", args[1:])
		}
		pc = a
	default:
		locs, err := t.s.Symbols().ResolveLines(args)
		if err != nil {
			return err
		}
		pc = locs[0].PC
	}
	lo, hi := pc, pc+64
	if info, ok := t.s.Symbols().StepInfo(pc); ok {
		for _, r := range info.FuncRanges {
			if pc >= r[0] && pc < r[1] {
				lo, hi = r[0], r[1]
			}
		}
	}
	if hi-lo > maxDisas {
		hi = lo + maxDisas
	}
	insns := t.s.Disassembler().Range(lo, hi)
	if len(insns) == 0 {
		return fmt.Errorf("cannot read memory at %#x", lo)
	}
	var b strings.Builder
	name, entry := "", uint64(0)
	if pi := t.s.Symbols().LookupPC(lo); len(pi.Frames) > 0 {
		name = pi.Frames[len(pi.Frames)-1].Function
		entry = lo
	}
	lastLine := 0
	for _, in := range insns {
		a := in.Addr
		pi := t.s.Symbols().LookupPC(a)
		if len(pi.Frames) > 0 && pi.Frames[0].Line != lastLine && pi.Frames[0].File != "" {
			lastLine = pi.Frames[0].Line
			src, _ := sourceLine(pi.Frames[0].File, lastLine)
			fmt.Fprintf(&b, "%s:%d\t%s\n", shortFile(pi.Frames[0].File), lastLine, strings.TrimSpace(src))
		}
		m := "   "
		if a == mark && mark != 0 {
			m = "=> "
		}
		label := ""
		if name != "" {
			label = fmt.Sprintf(" <%s+%d>", name, a-entry)
		}
		if !in.Decoded() {
			fmt.Fprintf(&b, "%s%#x%s:\t%s\t(bad: %v)\n", m, a, label, in.HexBytes(), in.Err)
			continue
		}
		fmt.Fprintf(&b, "%s%#x%s:\t%-24s %s\n", m, a, label, in.HexBytes(), in.Text)
	}
	t.con.printf("%s", b.String())
	return nil
}

func shortFile(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[i+1:]
	}
	return p
}
