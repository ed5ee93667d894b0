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

type scaleRow struct {
	count      int
	perCall    time.Duration // SetBreakpoint once per address
	batch      time.Duration // ReplaceBreakpoints with every spec at once
	heap       int64         // ubpdbg's heap growth for the batch
	slotMem    int           // SlotMemory()
	xolSize    int           // from smaps
	xolRSS     int
	xolAreas   int
	boosted    uint64
	perCallErr error
}

// insert launches the sled program, inserts count breakpoints on the last
// count nops, runs to checkpoint() (through the sled's tail: sledTail hits)
// and reads the slot memory there.
func insert(prog string, sled uint64, total, count int, batch bool, row *scaleRow) error {
	s, err := newSession(prog)
	if err != nil {
		return err
	}
	defer s.Close()
	specs := make([]breakpoints.Spec, count)
	first := sled + uint64(total-count)
	for i := range specs {
		specs[i] = breakpoints.Spec{Location: "*0x" + strconv.FormatUint(first+uint64(i), 16), Trace: true}
	}
	var ms0, ms1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms0)
	start := time.Now()
	if batch {
		infos, _ := s.ReplaceBreakpoints(nil, specs)
		row.batch = time.Since(start)
		for _, in := range infos {
			if !in.Verified {
				return fmt.Errorf("%s: %s", in.Spec.Location, in.Message)
			}
		}
		runtime.GC()
		runtime.ReadMemStats(&ms1)
		row.heap = int64(ms1.HeapAlloc) - int64(ms0.HeapAlloc)
	} else {
		for _, sp := range specs {
			in, err := s.SetBreakpoint(sp)
			if err != nil {
				return fmt.Errorf("%s: %w", sp.Location, err)
			}
			if !in.Verified {
				return fmt.Errorf("%s: %s", sp.Location, in.Message)
			}
		}
		row.perCall = time.Since(start)
	}
	specs = nil
	cp, err := s.SetBreakpoint(breakpoints.Spec{Location: "checkpoint"})
	if err != nil || !cp.Verified {
		return fmt.Errorf("breakpoint on checkpoint: %v %s", err, cp.Message)
	}
	if err := s.ContinueAll(); err != nil {
		return err
	}
	timeout := time.After(2 * time.Minute)
	for {
		select {
		case ev, ok := <-s.Events():
			if !ok || ev.Kind == debugger.Exited {
				return errors.New("the program ended before checkpoint()")
			}
			if ev.Kind != debugger.Stopped {
				continue
			}
			if ev.Reason != debugger.ReasonBreakpoint {
				return fmt.Errorf("unexpected stop: %s", ev.Description)
			}
			if batch {
				row.slotMem = s.SlotMemory()
				row.boosted = s.XOLStats().Boosted
				row.xolSize, row.xolRSS, row.xolAreas, err = xolMappings(s.Pid())
			}
			return err
		case <-timeout:
			return errors.New("timed out before checkpoint()")
		}
	}
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
	for _, n := range o.sizes {
		row := scaleRow{count: n}
		if err := insert(prog, sled, total, n, true, &row); err != nil {
			return fmt.Errorf("%d breakpoints in one ReplaceBreakpoints: %w", n, err)
		}
		row.perCallErr = insert(prog, sled, total, n, false, &row)
		sum.scale = append(sum.scale, row)
		fmt.Fprintf(o.out, "  %d breakpoints: batch %.3f s, one call each %.3f s\n", n, row.batch.Seconds(), row.perCall.Seconds())
	}
	tw := newTable(o.out)
	fmt.Fprintln(tw, "breakpoints\tone ReplaceBreakpoints\tper bp\tSetBreakpoint each\tper bp\tubpdbg heap\tper bp\tSlotMemory()\tXOL areas (smaps)\tsize\tRss\thits boosted\t")
	for _, r := range sum.scale {
		each, eachPer := r.perCall.Round(time.Millisecond).String(), nsPer(float64(r.perCall)/float64(r.count))
		if r.perCallErr != nil {
			each, eachPer = "failed: "+oneLine(r.perCallErr.Error()), "-"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%.1f MiB\t%d B\t%d B\t%d\t%d KiB\t%d KiB\t%d\t\n", r.count,
			r.batch.Round(time.Millisecond), nsPer(float64(r.batch)/float64(r.count)), each, eachPer,
			float64(r.heap)/(1<<20), r.heap/int64(r.count), r.slotMem, r.xolAreas, r.xolSize/1024, r.xolRSS/1024, r.boosted)
	}
	tw.Flush()
	return nil
}
