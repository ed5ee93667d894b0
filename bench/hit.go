package main

import (
	"debug/elf"
	"fmt"
	"strings"
	"text/tabwriter"
)

// sectionHit: the per-hit cost of an auto-continued breakpoint in one
// thread, for ubpdbg and for every other tool at hand.
func sectionHit(o *options, e *env, sum *summary) error {
	section(o.out, "1. per-hit cost of an auto-continued breakpoint (1 thread)")
	native, err := nativePerCall(e)
	if err != nil {
		return err
	}
	sum.nativePerCall = native
	fmt.Fprintf(o.out, "target: testdata/hit.c (gcc %s), f called N times; native call of f: %s\n",
		strings.Join(cflags, " "), nsPer(native))
	fmt.Fprintln(o.out, "per hit = (run with N calls - run with 0 calls) / hits - native call; N chosen so a run takes about",
		o.target)

	// Where ubpdbg puts "f" (after the prologue, like GDB); the uprobe goes
	// there too. The raw tracer uses f's first byte, the nop.
	probe, err := runUbpdbg(e, kindTrace, 1, 0, nil)
	if err != nil {
		return fmt.Errorf("ubpdbg: %w", err)
	}
	probeOff := e.fOff
	if f, err := elf.Open(e.hit); err == nil {
		if off, err := fileOffset(f, probe.addr); err == nil {
			probeOff = off
		}
		f.Close()
	}
	fmt.Fprintf(o.out, "f is at %#x; ubpdbg's breakpoint \"f\" at %#x; raw tracer int3 at %#x (the nop); uprobe at file offset %#x\n",
		e.fAddr, probe.addr, e.fAddr, probeOff)

	raw := newTool("raw ptrace (C)", "waitpid+GETREGS+SETREGS+CONT", 2000, rawMeasurer(e, 1))
	ubp := newTool("ubpdbg trace", `SetBreakpoint{f, Trace}`, 2000, ubpMeasurer(e, kindTrace, 1))
	cond := newTool("ubpdbg false condition", `SetBreakpoint{f, Cond: "x < 0"}`, 2000, ubpMeasurer(e, kindCond, 1))
	logp := newTool("ubpdbg logpoint", `SetBreakpoint{f, Log: "{$tid}"}, discarded`, 2000, ubpMeasurer(e, kindLog, 1))
	tools := []*tool{raw, ubp, cond, logp}
	gdb := newTool("gdb", "break f if x < 0", 200, nil)
	dlv := newTool("dlv", "break f; condition 1 x < 0", 200, nil)
	if o.tools {
		lt := newTool("ltrace", "ltrace -c -x f", 500, nil)
		up := newTool("uprobe event", "tracefs p:ubpdbgbench/f", 100_000, nil)
		gdb.m, gdb.res.err = gdbMeasurer(e)
		dlv.m, dlv.res.err = dlvMeasurer(o, e)
		lt.m, lt.res.err = ltraceMeasurer(e)
		var cleanup func()
		up.m, cleanup, up.res.err = uprobeMeasurer(e, probeOff)
		if cleanup != nil {
			defer cleanup()
		}
		tools = append(tools, gdb, dlv, lt, up)
	}
	rounds := o.rounds
	fmt.Fprintf(o.out, "each tool: calibrated, then %d rounds of (0 calls, N calls) over all tools; the fastest of each kept\n", rounds)
	measure(o, tools, rounds, native, raw, ubp, cond, logp)

	fmt.Fprintln(o.out)
	tw := tabwriter.NewWriter(o.out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "tool\thow\tcalls\thits\tper hit\tx raw ptrace\tx ubpdbg trace\t")
	for _, t := range tools {
		r := t.res
		if r.err != nil && !r.ok() {
			fmt.Fprintf(tw, "%s\t%s\t\t\tn/a\t\t\t%s\n", r.name, r.how, oneLine(strings.TrimPrefix(r.err.Error(), "n/a: ")))
			continue
		}
		hits := "?"
		if r.hits >= 0 {
			hits = fmt.Sprint(r.hits)
		}
		note := ""
		if r.err != nil {
			note = oneLine(r.err.Error())
		} else if r.hits < 0 {
			note = "hits: the tool counts only stops"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%s\t  %s\n", r.name, r.how, r.calls, hits, nsPer(r.per),
			ratio(r.per, raw.res.per), ratio(r.per, ubp.res.per), note)
	}
	tw.Flush()
	fmt.Fprintln(o.out, "(x raw ptrace: cost / the C floor's; x ubpdbg trace: cost / ubpdbg's trace count)")

	sum.raw, sum.ubp, sum.cond, sum.logp, sum.gdb, sum.dlv = raw.res, ubp.res, cond.res, logp.res, gdb.res, dlv.res
	sum.hitDone = true
	return nil
}

// sectionThreads: one trace breakpoint hit by 1..16 threads.
func sectionThreads(o *options, e *env, sum *summary) error {
	section(o.out, "2. ubpdbg trace count, threads hitting one breakpoint")
	per := sum.ubp.per
	if !sum.ubp.ok() {
		t := newTool("ubpdbg trace", "", 2000, ubpMeasurer(e, kindTrace, 1))
		measure(o, []*tool{t}, 1, 0)
		per = t.res.per
		if per <= 0 {
			per = 20000 // the machine is too noisy to tell: a guess
		}
	}
	total := int64(float64(o.target) / per)
	if total < 1000 {
		total = 1000
	}
	fmt.Fprintf(o.out, "%d hits in all, split over the threads; the raw C tracer follows the threads too (one tracer thread)\n", total)
	tw := tabwriter.NewWriter(o.out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "threads\thits\tubpdbg hits/s\tns per hit\traw ptrace hits/s\tns per hit\tubpdbg / raw\t")
	for _, t := range o.threads {
		n := total / int64(t)
		u0, err := runUbpdbg(e, kindTrace, t, 0, nil)
		if err != nil {
			return err
		}
		u, err := runUbpdbg(e, kindTrace, t, n, nil)
		if err != nil {
			return err
		}
		if want := uint64(n * int64(t)); u.hits != want {
			return fmt.Errorf("%d threads: %d hits, want %d", t, u.hits, want)
		}
		rm := rawMeasurer(e, t)
		r0, _, err := rm(0)
		if err != nil {
			return err
		}
		rn, rhits, err := rm(n)
		if err != nil {
			return err
		}
		up := float64(u.elapsed-u0.elapsed) / float64(u.hits)
		rp := float64(rn-r0) / float64(rhits)
		fmt.Fprintf(tw, "%d\t%d\t%.0f\t%s\t%.0f\t%s\t%.2f\t\n", t, u.hits, 1e9/up, nsPer(up), 1e9/rp, nsPer(rp), up/rp)
		sum.threads = append(sum.threads, threadRow{t, up, rp})
	}
	tw.Flush()
	return nil
}

func ratio(a, b float64) string {
	if a <= 0 || b <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f", a/b)
}

func oneLine(s string) string {
	s = strings.ReplaceAll(s, "\n", " | ")
	if len(s) > 160 {
		s = s[:160] + "..."
	}
	return s
}

type threadRow struct {
	threads int
	ubp     float64 // ns per hit
	raw     float64
}
