package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

func newTable(w io.Writer) *tabwriter.Writer {
	return tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
}

// summary collects what the targets are judged on.
type summary struct {
	hitDone               bool
	nativePerCall         float64
	raw, ubp, cond, logp  result
	gdb, dlv              result
	threads               []threadRow
	nonstop               float64
	nonstopDone           bool
	scale                 []scaleRow
	lines                 []linesRow
	coverage              []covRow
	syscalls, rawSyscalls float64
	soakDone, soakFlat    bool
	soakEarly, soakLate   int64
	kills                 []killResult
	bigbin                []bigRow
}

// verdict is one line of the summary.
func verdict(tw io.Writer, target, got string, met bool, by string) {
	v := "MET"
	if !met {
		v = "MISSED"
		if by != "" {
			v += " (" + by + ")"
		}
	}
	fmt.Fprintf(tw, "%s\t%s\t%s\n", target, got, v)
}

func (s *summary) print(w io.Writer) {
	section(w, "summary: the issue's targets, judged on this run's figures")
	tw := newTable(w)
	fmt.Fprintln(tw, "target\tthis run\tverdict")
	if s.hitDone {
		if s.ubp.ok() && s.raw.ok() {
			r := s.ubp.per / s.raw.per
			verdict(tw, "per-hit cost <= 1.5x the raw ptrace round trip",
				fmt.Sprintf("%s vs %s = %.2fx", nsPer(s.ubp.per), nsPer(s.raw.per), r),
				r <= 1.5, fmt.Sprintf("%.2fx over the 1.5x bound", r/1.5))
		} else {
			fmt.Fprintln(tw, "per-hit cost <= 1.5x raw ptrace\tnot measured\t-")
		}
		// Against the debuggers' conditional breakpoints: our own
		// conditional breakpoint if conditions work, else the trace count.
		ours, oursName := s.ubp, "trace count"
		if s.cond.ok() {
			ours, oursName = s.cond, "false condition"
		}
		for _, d := range []struct {
			r    result
			name string
			want float64
		}{{s.gdb, "GDB", 10}, {s.dlv, "Delve", 20}} {
			label := fmt.Sprintf(">= %.0fx faster than %s's conditional breakpoint", d.want, d.name)
			if !d.r.ok() || !ours.ok() {
				why := "not measured"
				if d.r.err != nil {
					why = "n/a: " + oneLine(d.r.err.Error())
				}
				fmt.Fprintf(tw, "%s\t%s\t-\n", label, why)
				continue
			}
			x := d.r.per / ours.per
			verdict(tw, label, fmt.Sprintf("%s vs ubpdbg %s %s = %.1fx", nsPer(d.r.per), oursName, nsPer(ours.per), x),
				x >= d.want, fmt.Sprintf("%.1fx short: needs %s per hit", d.want/x, nsPer(d.r.per/d.want)))
		}
	}
	if s.nonstopDone {
		verdict(tw, "other threads >= 90% speed while one is stopped", fmt.Sprintf("%.1f%%", 100*s.nonstop),
			s.nonstop >= 0.9, fmt.Sprintf("%.1f points short", 100*(0.9-s.nonstop)))
	}
	if len(s.scale) > 0 {
		var million *scaleRow
		for i := range s.scale {
			if s.scale[i].count == 1_000_000 {
				million = &s.scale[i]
			}
		}
		if million == nil {
			fmt.Fprintln(tw, "1,000,000 breakpoints (batched, one at a time, removal, heap)\tnot measured (sizes)\t-")
		} else {
			n := million.count
			b := million.batch
			verdict(tw, "1,000,000 breakpoints through SetBreakpoints in under 1 s", b.String(n),
				b.err == nil && !b.capped(n) && b.took < time.Second, fmt.Sprintf("%.1fx too slow", b.estimate(n).Seconds()))
			e := million.each
			per := e.estimate(n) / time.Duration(n)
			verdict(tw, "SetBreakpoint one at a time under 20 us each", fmt.Sprintf("%s (%s each)", e.String(n), nsPer(float64(per))),
				e.err == nil && per < 20*time.Microsecond, fmt.Sprintf("%.1fx too slow", float64(per)/float64(20*time.Microsecond)))
			r := million.removal
			verdict(tw, "removal as fast: 1,000,000 through ClearBreakpoints in under 1 s", r.String(n),
				r.err == nil && r.done == n && r.took < time.Second, fmt.Sprintf("%.1fx too slow", r.took.Seconds()))
			perBP := million.heap / int64(n)
			verdict(tw, "under 150 B of heap per breakpoint", fmt.Sprintf("%d B", perBP), perBP < 150,
				fmt.Sprintf("%.1fx too much", float64(perBP)/150))
		}
		same := s.scale[0].slotMem > 0
		got := ""
		for i, r := range s.scale {
			if r.slotMem != s.scale[0].slotMem || r.xolSize != s.scale[0].xolSize {
				same = false
			}
			if i > 0 {
				got += ", "
			}
			got += fmt.Sprintf("%d: %d B", r.count, r.slotMem)
		}
		verdict(tw, "slot memory independent of the breakpoint count", got, same, "it grows with the count")
	}
	for _, r := range s.lines {
		if r.lines == 100_000 {
			verdict(tw, "setBreakpoints with 100,000 lines in under 1 s", fmt.Sprintf("%.0f ms", ms(r.took)),
				r.took < time.Second, fmt.Sprintf("%.1fx too slow", r.took.Seconds()))
		}
	}
	if s.soakDone {
		verdict(tw, "ubpdbg's memory flat over the soak", fmt.Sprintf("RSS %.1f MiB after the first tenth, %.1f MiB in the last", float64(s.soakEarly)/(1<<20), float64(s.soakLate)/(1<<20)),
			s.soakFlat, "it grew")
	}
	if len(s.kills) > 0 {
		worst := s.kills[0]
		for _, k := range s.kills {
			if k.ok*worst.runs < worst.ok*k.runs {
				worst = k
			}
		}
		verdict(tw, "an attached program survives SIGKILL of ubpdbg, 20 of 20 in every case",
			fmt.Sprintf("worst %d of %d (%s)", worst.ok, worst.runs, worst.name), worst.ok == worst.runs,
			"hot int3s outlive their tracer; jump sites would need none")
	}
	for i, r := range s.bigbin {
		if r.tool != "gdb" {
			continue
		}
		var ours *bigRow
		for j := range s.bigbin[:i] {
			if s.bigbin[j].target == r.target && s.bigbin[j].tool == "ubpdbg" {
				ours = &s.bigbin[j]
			}
		}
		label := "attach + breakpoint + backtrace no slower than gdb: " + strings.SplitN(r.target, " (", 2)[0]
		switch {
		case ours == nil || !ours.ok():
			why := "not measured"
			if ours != nil && ours.err != nil {
				why = "ubpdbg failed: " + oneLine(ours.err.Error())
			}
			fmt.Fprintf(tw, "%s\t%s\t-\n", label, why)
		case !r.ok():
			fmt.Fprintf(tw, "%s\t%s\t-\n", label, "gdb n/a: "+oneLine(fmt.Sprint(r.err)))
		default:
			x := ours.med.bt.Seconds() / r.med.bt.Seconds()
			verdict(tw, label, fmt.Sprintf("ubpdbg %.2f s vs gdb %.2f s = %.2fx", ours.med.bt.Seconds(), r.med.bt.Seconds(), x),
				x <= 1, fmt.Sprintf("%.2fx slower", x))
		}
	}
	tw.Flush()
	if s.syscalls > 0 {
		fmt.Fprintf(w, "(syscalls per hit: ubpdbg trace %.2f, raw C tracer %.2f)\n", s.syscalls, s.rawSyscalls)
	}
}
