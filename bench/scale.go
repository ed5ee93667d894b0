package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/ubpdbg/ubpdbg/breakpoints"
	"github.com/ubpdbg/ubpdbg/debugger"
)

// sledTail is how many of the sled's last nops the program runs, so that
// the XOL area gets mapped and used.
const sledTail = 1000

// buildSled generates a program with a function of n one-byte nops
// (n distinct instruction addresses); main calls sled_tail, the last
// sledTail of them, and then checkpoint().
func buildSled(dir string, n int) (string, uint64, error) {
	asm := fmt.Sprintf(`	.text
	.globl sled, sled_tail
	.type sled, @function
sled:
	.rept %d
	nop
	.endr
sled_tail:
	.rept %d
	nop
	.endr
	ret
	.size sled, .-sled
	.section .note.GNU-stack,"",@progbits
`, n-sledTail, sledTail)
	c := `void sled_tail(void);
__attribute__((noinline)) void checkpoint(void) { __asm__ volatile(""); }
int main(void) { sled_tail(); checkpoint(); return 0; }
`
	if err := os.WriteFile(filepath.Join(dir, "sled_s.S"), []byte(asm), 0o644); err != nil {
		return "", 0, err
	}
	if err := os.WriteFile(filepath.Join(dir, "sled.c"), []byte(c), 0o644); err != nil {
		return "", 0, err
	}
	prog, err := buildC(dir, "sled.c", cflags, filepath.Join(dir, "sled_s.S"))
	if err != nil {
		return "", 0, err
	}
	addr, _, err := symbol(prog, "sled")
	return prog, addr, err
}

// xolMappings sums the size and resident size of the XOL areas of a
// process: anonymous executable mappings (the program has no others).
func xolMappings(pid int) (size, rss int, n int, err error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/smaps", pid))
	if err != nil {
		return 0, 0, 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	in := false
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 {
			continue
		}
		if strings.Contains(fields[0], "-") && len(fields) >= 5 {
			// A mapping's header: range perms offset dev inode [path].
			in = strings.Contains(fields[1], "x") && fields[4] == "0" && len(fields) == 5
			if in {
				n++
			}
			continue
		}
		if !in || len(fields) < 2 {
			continue
		}
		v, _ := strconv.Atoi(fields[1])
		switch fields[0] {
		case "Size:":
			size += v * 1024
		case "Rss:":
			rss += v * 1024
		}
	}
	return size, rss, n, sc.Err()
}

// insertion is how one way of inserting count breakpoints went.
type insertion struct {
	done      int           // inserted before the time cap (= count if not capped)
	took      time.Duration // for done
	firstRate time.Duration // per breakpoint, in the first chunk
	lastRate  time.Duration // per breakpoint, in the last chunk
	err       error
}

func (in insertion) capped(count int) bool { return in.err == nil && in.done < count }

// estimate is the time for count breakpoints: measured, or if capped the
// time so far plus the rest at the last chunk's rate (a lower bound while
// the cost per breakpoint grows).
func (in insertion) estimate(count int) time.Duration {
	return in.took + time.Duration(count-in.done)*in.lastRate
}

func (in insertion) String(count int) string {
	switch {
	case in.err != nil:
		return "failed: " + oneLine(in.err.Error())
	case in.capped(count):
		return fmt.Sprintf("capped: %d in %.1f s (>= %.0f s for all)", in.done, in.took.Seconds(), in.estimate(count).Seconds())
	}
	return fmt.Sprintf("%.3f s", in.took.Seconds())
}

type scaleRow struct {
	count    int
	batch    insertion // SetBreakpoints, chunkSize specs per call
	each     insertion // SetBreakpoint once per address
	removal  insertion // ClearBreakpoints, chunkSize numbers per call (after the batch)
	heap     int64     // ubpdbg's heap growth for the batch
	slotMem  int       // SlotMemory()
	xolSize  int       // from smaps
	xolRSS   int
	xolAreas int
	boosted  uint64
}

// chunkSize is how many specs one SetBreakpoints call gets.
const chunkSize = 10_000

// insert launches the sled program, inserts count breakpoints on the last
// count nops (in chunks of chunkSize specs per SetBreakpoints, or one
// SetBreakpoint each), stopping at the time cap, then runs to checkpoint()
// (through the sled's tail: sledTail hits) and reads the slot memory there.
func insert(prog string, sled uint64, total, count int, batch bool, limit time.Duration, row *scaleRow) (ins insertion) {
	defer func() {
		if batch {
			row.batch = ins
		} else {
			row.each = ins
		}
	}()
	s, err := newSession(prog)
	if err != nil {
		ins.err = err
		return
	}
	defer s.Close()
	first := sled + uint64(total-count)
	spec := func(i int) breakpoints.Spec {
		return breakpoints.Spec{Location: "*0x" + strconv.FormatUint(first+uint64(i), 16), Trace: true}
	}
	var ids []int // of the batch, for the removal
	var ms0, ms1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms0)
	start := time.Now()
	for ins.done < count && time.Since(start) < limit {
		k := min(chunkSize, count-ins.done)
		t := time.Now()
		if batch {
			specs := make([]breakpoints.Spec, k)
			for i := range specs {
				specs[i] = spec(ins.done + i)
			}
			infos, _ := s.SetBreakpoints(specs)
			for _, in := range infos {
				if !in.Verified {
					ins.err = fmt.Errorf("%s: %s", in.Spec.Location, in.Message)
					return
				}
				ids = append(ids, in.ID)
			}
		} else {
			for i := 0; i < k; i++ {
				sp := spec(ins.done + i)
				in, err := s.SetBreakpoint(sp)
				if err == nil && !in.Verified {
					err = errors.New(in.Message)
				}
				if err != nil {
					ins.err = fmt.Errorf("%s: %w", sp.Location, err)
					return
				}
			}
		}
		per := time.Since(t) / time.Duration(k)
		if ins.done == 0 {
			ins.firstRate = per
		}
		ins.lastRate = per
		ins.done += k
	}
	ins.took = time.Since(start)
	if batch {
		runtime.GC()
		runtime.ReadMemStats(&ms1)
		row.heap = int64(ms1.HeapAlloc) - int64(ms0.HeapAlloc)
	}
	if ins.done < sledTail {
		return // the run below would not use the slots
	}
	cp, err := s.SetBreakpoint(breakpoints.Spec{Location: "checkpoint"})
	if err != nil || !cp.Verified {
		ins.err = fmt.Errorf("breakpoint on checkpoint: %v %s", err, cp.Message)
		return
	}
	if err := s.ContinueAll(); err != nil {
		ins.err = err
		return
	}
	timeout := time.After(2 * time.Minute)
	for {
		select {
		case ev, ok := <-s.Events():
			if !ok || ev.Kind == debugger.Exited {
				ins.err = errors.New("the program ended before checkpoint()")
				return
			}
			if ev.Kind != debugger.Stopped {
				continue
			}
			if ev.Reason != debugger.ReasonBreakpoint {
				ins.err = fmt.Errorf("unexpected stop: %s", ev.Description)
				return
			}
			if batch {
				row.slotMem = s.SlotMemory()
				row.boosted = s.XOLStats().Boosted
				row.xolSize, row.xolRSS, row.xolAreas, ins.err = xolMappings(s.Pid())
				row.removal = remove(s, ids)
			}
			return
		case <-timeout:
			ins.err = errors.New("timed out before checkpoint()")
			return
		}
	}
}

// remove deletes the breakpoints ids through ClearBreakpoints, chunkSize
// a call, and times it.
func remove(s *debugger.Session, ids []int) (rm insertion) {
	start := time.Now()
	for rm.done < len(ids) {
		k := min(chunkSize, len(ids)-rm.done)
		t := time.Now()
		if err := s.ClearBreakpoints(ids[rm.done : rm.done+k]); err != nil {
			rm.err = err
			return
		}
		per := time.Since(t) / time.Duration(k)
		if rm.done == 0 {
			rm.firstRate = per
		}
		rm.lastRate = per
		rm.done += k
	}
	rm.took = time.Since(start)
	if left := len(s.Breakpoints()); left != 1 { // checkpoint's
		rm.err = fmt.Errorf("%d breakpoints left after the removal, want 1", left)
	}
	return rm
}

// sectionScale: inserting many breakpoints, and the slot memory.
func sectionScale(o *options, e *env, sum *summary) error {
	section(o.out, "4. scale: inserting breakpoints; slot memory in the target")
	max := 0
	for _, n := range o.sizes {
		if n > max {
			max = n
		}
	}
	total := max + sledTail
	prog, sled, err := buildSled(e.dir, total)
	if err != nil {
		return err
	}
	fmt.Fprintf(o.out, "target: a generated function of %d one-byte nops; breakpoints (Trace) on the last N of them as \"*ADDR\" specs;\n", total)
	fmt.Fprintf(o.out, "then the program runs the last %d (so %d hits) to checkpoint(), where the XOL areas are measured\n", sledTail, sledTail)
	limit := o.capTime
	fmt.Fprintf(o.out, "each way of inserting stops at a cap of %v (then: how many it inserted, and the rest estimated at its last rate)\n", limit)
	for _, n := range o.sizes {
		row := scaleRow{count: n}
		insert(prog, sled, total, n, true, limit, &row)
		insert(prog, sled, total, n, false, limit, &row)
		if row.batch.err != nil && row.each.err != nil {
			return fmt.Errorf("%d breakpoints: %v; %v", n, row.batch.err, row.each.err)
		}
		sum.scale = append(sum.scale, row)
		fmt.Fprintf(o.out, "  %d breakpoints: SetBreakpoints %s, SetBreakpoint each %s, ClearBreakpoints %s\n", n, row.batch.String(n), row.each.String(n), row.removal.String(n))
	}
	tw := newTable(o.out)
	fmt.Fprintf(tw, "breakpoints\tSetBreakpoints (%d a call)\tper bp: first, last %d\tSetBreakpoint each\tper bp: first, last %d\tClearBreakpoints (%d a call)\tubpdbg heap\tper bp\tSlotMemory()\tXOL areas (smaps)\tsize\tRss\thits boosted\t\n", chunkSize, chunkSize, chunkSize, chunkSize)
	for _, r := range sum.scale {
		fmt.Fprintf(tw, "%d\t%s\t%s, %s\t%s\t%s, %s\t%s\t%.1f MiB\t%d B\t%d B\t%d\t%d KiB\t%d KiB\t%d\t\n", r.count,
			r.batch.String(r.count), nsPer(float64(r.batch.firstRate)), nsPer(float64(r.batch.lastRate)),
			r.each.String(r.count), nsPer(float64(r.each.firstRate)), nsPer(float64(r.each.lastRate)),
			r.removal.String(r.count),
			float64(r.heap)/(1<<20), r.heap/int64(r.count), r.slotMem, r.xolAreas, r.xolSize/1024, r.xolRSS/1024, r.boosted)
	}
	tw.Flush()

	fmt.Fprintln(o.out, "\nsetBreakpoints by line over DAP: one request with every line 1..N of hit.c (most past its end: unverified with a reason), and a threads request sent right after it")
	lineCounts := []int{1_000, 100_000}
	if o.quick {
		lineCounts = []int{100, 1_000}
	}
	for _, n := range lineCounts {
		r := measureLines(e, n)
		if r.err != nil {
			return fmt.Errorf("setBreakpoints of %d lines: %w", n, r.err)
		}
		sum.lines = append(sum.lines, r)
		fmt.Fprintf(o.out, "  %d lines: response in %.0f ms (%s per line, %d verified); threads answered at %.0f ms\n",
			n, ms(r.took), nsPer(float64(r.took.Nanoseconds())/float64(n)), r.verified, ms(r.threads))
	}
	if len(sum.lines) == 2 {
		a, b := sum.lines[0], sum.lines[1]
		per := func(r linesRow) float64 { return float64(r.took.Nanoseconds()) / float64(r.lines) }
		fmt.Fprintf(o.out, "  per line, %d lines against %d: %.2fx (1.00x is linear)\n", b.lines, a.lines, per(b)/per(a))
	}
	return nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
