package main

import (
	"debug/dwarf"
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"

	"github.com/ubpdbg/ubpdbg/symbols"
	"github.com/ubpdbg/ubpdbg/xol/jumpsite"
)

// The coverage section tells, for every function breakpoint (its address
// past the prologue, as the debugger places it) and every line start of a
// binary, which jump-site tactic applies (xol/jumpsite), and why the rest
// keep their int3. It reads files only.

// covCount tallies plans.
type covCount struct {
	n       int
	tactics [4]int
	why     map[string]int // Int3 reasons, shortened to their kind
}

func (c *covCount) add(p jumpsite.Plan) {
	c.n++
	c.tactics[p.Tactic]++
	if p.Tactic == jumpsite.Int3 {
		if c.why == nil {
			c.why = map[string]int{}
		}
		c.why[whyKind(p.Why)]++
	}
}

func (c *covCount) jump() int { return c.n - c.tactics[jumpsite.Int3] }

// whyKind drops addresses and lengths from a reason, so that reasons of
// one kind count together.
func whyKind(why string) string {
	why = hexAddr.ReplaceAllString(why, "ADDR")
	return byteLen.ReplaceAllString(why, "N-byte")
}

var (
	hexAddr = regexp.MustCompile(`0x[0-9a-f]+`)
	byteLen = regexp.MustCompile(`\b\d+-byte`)
)

type covRow struct {
	name        string
	funcs, rows covCount
	err         error
}

// coverageOf plans every function breakpoint and line start of path.
func coverageOf(path string) (row covRow) {
	im, err := symbols.OpenImage(path, 0)
	if err != nil {
		row.err = err
		return
	}
	defer im.Close()
	exe := im.ELF()
	symFile := im.DebugELF()
	if symFile == nil {
		symFile = exe
	}
	type fn struct{ start, end uint64 }
	var fns []fn
	syms, _ := symFile.Symbols()
	for _, s := range syms {
		if elf.ST_TYPE(s.Info) == elf.STT_FUNC && s.Size > 0 && s.Value != 0 {
			fns = append(fns, fn{s.Value, s.Value + s.Size})
		}
	}
	sort.Slice(fns, func(i, j int) bool { return fns[i].start < fns[j].start })
	fns = dedupFuncs(fns, func(f fn) uint64 { return f.start })
	if len(fns) == 0 {
		row.err = errors.New("no function symbols")
		return
	}
	text := func(lo, hi uint64) []byte {
		for _, sec := range exe.Sections {
			if sec.Type == elf.SHT_PROGBITS && sec.Flags&elf.SHF_EXECINSTR != 0 && lo >= sec.Addr && hi <= sec.Addr+sec.Size {
				b := make([]byte, hi-lo)
				if _, err := sec.ReadAt(b, int64(lo-sec.Addr)); err == nil {
					return b
				}
			}
		}
		return nil
	}
	var targets jumpsite.Targets
	for _, f := range fns {
		targets.Add(f.start, text(f.start, f.end))
	}
	targets.Done()
	lines := stmtRows(im.DWARF())

	// The image's own extent: a punned jmp's trampoline goes elsewhere.
	// Whether the range is free is known only in a process; here it
	// must at least leave the image.
	var imgLo, imgHi uint64 = ^uint64(0), 0
	for _, p := range exe.Progs {
		if p.Type == elf.PT_LOAD {
			imgLo, imgHi = min(imgLo, p.Vaddr), max(imgHi, p.Vaddr+p.Memsz)
		}
	}
	free := func(lo, hi uint64) bool { return lo < imgLo || hi >= imgHi }

	decoded := map[uint64]*jumpsite.Function{}
	plan := func(site uint64) (jumpsite.Plan, bool) {
		i := sort.Search(len(fns), func(i int) bool { return fns[i].end > site })
		if i == len(fns) || site < fns[i].start {
			return jumpsite.Plan{}, false // not in a function of the symbol table
		}
		f := fns[i]
		d := decoded[f.start]
		if d == nil {
			j := sort.Search(len(lines), func(j int) bool { return lines[j] >= f.start })
			k := sort.Search(len(lines), func(k int) bool { return lines[k] >= f.end })
			d = jumpsite.Decode(jumpsite.Code{Start: f.start, Bytes: text(f.start, f.end), Rows: lines[j:k],
				Targeted: targets.In, Fixed: text(f.end, f.end+jumpsite.JmpLen)})
			decoded[f.start] = d
		}
		return d.Plan(site, free), true
	}
	seen := map[uint64]bool{}
	for _, name := range im.FunctionNames() {
		locs, err := im.Resolve(name)
		if err != nil {
			continue
		}
		for _, l := range locs {
			if seen[l.PC] {
				continue
			}
			seen[l.PC] = true
			if p, ok := plan(l.PC); ok {
				row.funcs.add(p)
			}
		}
	}
	for _, a := range lines {
		if p, ok := plan(a); ok {
			row.rows.add(p)
		}
	}
	return row
}

func dedupFuncs[T any](s []T, key func(T) uint64) []T {
	out := s[:0]
	for i, x := range s {
		if i == 0 || key(x) != key(s[i-1]) {
			out = append(out, x)
		}
	}
	return out
}

// stmtRows are the distinct addresses of the is_stmt rows of every line
// table, sorted: the line starts a breakpoint can be asked for.
func stmtRows(d *dwarf.Data) []uint64 {
	if d == nil {
		return nil
	}
	set := map[uint64]bool{}
	r := d.Reader()
	for {
		e, err := r.Next()
		if err != nil || e == nil {
			break
		}
		if e.Tag != dwarf.TagCompileUnit {
			r.SkipChildren()
			continue
		}
		lr, err := d.LineReader(e)
		if err == nil && lr != nil {
			var le dwarf.LineEntry
			for lr.Next(&le) == nil {
				if le.IsStmt && !le.EndSequence && le.Address != 0 {
					set[le.Address] = true
				}
			}
		}
		r.SkipChildren()
	}
	out := make([]uint64, 0, len(set))
	for a := range set {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// sectionCoverage: which tactic each breakpoint site would get.
func sectionCoverage(o *options, e *env, sum *summary) error {
	section(o.out, "9. jump-site coverage: the tactic each function breakpoint and line start would get")
	fmt.Fprintln(o.out, "single: the instruction is 5 bytes or more; punned: a jmp whose rel32 runs into the next instruction (target outside the image;")
	fmt.Fprintln(o.out, "whether it is free is known only in a process); multi: instructions relocated together; int3: none applies (the XOL path)")
	type bin struct{ name, path string }
	var bins []bin
	// -quick: the test programs only (libc and the Go binary take
	// seconds each).
	if p, err := filepath.EvalSymlinks("/lib/x86_64-linux-gnu/libc.so.6"); err == nil && !o.quick {
		bins = append(bins, bin{"libc (" + filepath.Base(p) + ")", p})
	}
	for _, src := range []string{"hit.c", "soak.c", "progress.c"} {
		for _, opt := range []string{"-O0", "-O2"} {
			dir := filepath.Join(e.dir, "cov"+opt)
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
			p, err := buildC(dir, src, []string{"-g", opt, "-pthread"})
			if err != nil {
				return err
			}
			bins = append(bins, bin{src + " " + opt, p})
		}
	}
	if o.quick {
		// no Go binary
	} else if p, err := buildUbpdbg(e.dir); err == nil {
		bins = append(bins, bin{"ubpdbg itself (Go)", p})
	} else {
		fmt.Fprintf(o.out, "  (no Go binary: %v)\n", err)
	}
	tw := newTable(o.out)
	fmt.Fprintln(tw, "binary\tfunction breakpoints\tjump\tsingle\tpunned\tmulti\tint3\tline starts\tjump\tsingle\tpunned\tmulti\tint3\t")
	for _, b := range bins {
		r := coverageOf(b.path)
		r.name = b.name
		sum.coverage = append(sum.coverage, r)
		if r.err != nil {
			fmt.Fprintf(tw, "%s\tfailed: %s\t\n", b.name, oneLine(r.err.Error()))
			continue
		}
		cell := func(c covCount) string {
			return fmt.Sprintf("%d\t%s\t%s\t%s\t%s\t%s", c.n, pct(c.jump(), c.n), pct(c.tactics[1], c.n), pct(c.tactics[2], c.n), pct(c.tactics[3], c.n), pct(c.tactics[0], c.n))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t\n", b.name, cell(r.funcs), cell(r.rows))
	}
	tw.Flush()
	fmt.Fprintln(o.out, "\nwhy the rest keep their int3 (the most frequent reasons, function breakpoints and line starts together):")
	for _, r := range sum.coverage {
		if r.err != nil {
			continue
		}
		printReasons(o.out, r)
	}
	return nil
}

func pct(k, n int) string {
	if n == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(k)/float64(n))
}

func printReasons(w io.Writer, r covRow) {
	all := map[string]int{}
	for _, c := range []covCount{r.funcs, r.rows} {
		for k, v := range c.why {
			all[k] += v
		}
	}
	type kv struct {
		k string
		v int
	}
	var list []kv
	for k, v := range all {
		list = append(list, kv{k, v})
	}
	sort.Slice(list, func(i, j int) bool { return list[i].v > list[j].v || list[i].v == list[j].v && list[i].k < list[j].k })
	fmt.Fprintf(w, "  %s:\n", r.name)
	for i, x := range list {
		if i == 4 {
			break
		}
		fmt.Fprintf(w, "    %6d  %s\n", x.v, x.k)
	}
}
