package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ubpdbg/ubpdbg/internal/testharness"
	"github.com/ubpdbg/ubpdbg/xol"
)

// mixIters is how many times each of mix's four threads calls each
// function; under a breakpoint on every instruction that is about 1,000 (the SIGALRM handler adds its own)
// traps per iteration.
const mixIters = "80"

// straight are mix.S's functions without branches of their own: every one
// of their instructions runs exactly once per call, so each must count as
// many hits as the entry (a rep string op interrupted by SIGALRM and
// replayed, or counted once per iteration, would show here).
var straight = map[string]bool{
	"f_vex": true, "f_evex": true, "f_stack": true, "f_flags": true, "f_rep": true,
	"f_lock": true, "f_tls": true, "f_syscall": true, "f_misc": true,
	"h_add": true, "h_mul": true, "h_sub": true,
}

// TestEveryInstruction runs testdata/mix (four threads, SIGALRM every 2 ms
// whose handler calls the same functions) with a Trace breakpoint on every
// instruction of mix.S: RIP-relative legacy/VEX/EVEX operands with
// immediates after the displacement, relative branches, calls and jumps
// through registers and memory, push/pop of memory, pushf/popf, rep string
// ops, lock prefixes, fs-relative operands, syscall, vzeroupper, endbr64.
// Its stdout must equal the native run's, no signal may stop it, and every
// function's entry must count exactly the calls the program made.
func TestEveryInstruction(t *testing.T) {
	prog := build(t, []string{"-O2", "-no-pie", "-pthread"}, []string{"mix.h"}, "mix.c", "mix.S")
	evex := "noevex"
	if hasAVX512F() {
		evex = "evex"
	}
	want := testharness.NativeOK(t, prog, mixIters, evex)
	if !strings.Contains(want, "gcount ok") {
		t.Fatalf("native run is wrong:\n%s", want)
	}
	funcs := functions(t, prog, func(n string) bool { return strings.HasPrefix(n, "f_") || strings.HasPrefix(n, "h_") })
	if len(funcs) != 16 {
		t.Fatalf("found %d functions of mix.S, want 16", len(funcs))
	}
	var total xol.Stats
	for i := 0; i < 3; i++ {
		t.Run(fmt.Sprint("run", i), func(t *testing.T) {
			st := runMix(t, prog, evex, want, funcs)
			total.Boosted += st.Boosted
			total.Emulated += st.Emulated
			total.Stepped += st.Stepped
			total.Fixed += st.Fixed
			total.Replays += st.Replays
			total.SlotWrites += st.SlotWrites
		})
	}
	if total.Fixed == 0 {
		t.Errorf("no signal ever found a thread in its slot: Fix was not exercised")
	}
	t.Logf("3 runs: boosted %d, emulated %d, stepped %d, fixed %d, replays %d, slot writes %d",
		total.Boosted, total.Emulated, total.Stepped, total.Fixed, total.Replays, total.SlotWrites)
}

func runMix(t *testing.T, prog, evex, want string, funcs []*fn) xol.Stats {
	r := launch(t, prog, mixIters, evex)
	b := bias(t, r.s, prog)
	ids := map[uint64]int{}
	n := 0
	for _, f := range funcs {
		for _, in := range f.insns {
			ids[in.Addr] = trace(t, r.s, in.Addr+b)
			n++
		}
	}
	start := time.Now()
	r.start()
	r.wait(60 * time.Second)
	elapsed := time.Since(start)
	if got := r.stdout.String(); got != want {
		t.Errorf("stdout differs from the native run:\n got:\n%s\nwant:\n%s", got, want)
	}
	loop := counts(r.stdout.String(), "calls")
	handler := counts(r.stderr.String(), "hcalls")
	calls := map[string]uint64{}
	for name, n := range loop {
		calls[name] = n + handler[name]
	}
	calls["h_add"] = calls["f_call"]
	calls["h_mul"] = 2 * calls["f_call"]
	calls["h_sub"] = calls["f_call"]
	var all uint64
	for _, f := range funcs {
		entry := hits(t, r.s, ids[f.insns[0].Addr])
		if entry != calls[f.name] {
			t.Errorf("%s: entry hit %d times, called %d times", f.name, entry, calls[f.name])
		}
		for _, in := range f.insns {
			h := hits(t, r.s, ids[in.Addr])
			all += h
			if straight[f.name] && h != entry {
				t.Errorf("%s+%#x %s: %d hits, entry %d", f.name, in.Addr-f.addr, in.Text, h, entry)
			}
		}
	}
	st := r.s.XOLStats()
	var signals int
	fmt.Sscanf(r.stderr.String()[strings.Index(r.stderr.String(), "handlers "):], "handlers %d", &signals)
	t.Logf("%d breakpoints, %d hits in %v (%.1f µs/hit); %d SIGALRMs; %+v",
		n, all, elapsed.Round(time.Millisecond), float64(elapsed.Microseconds())/float64(all), signals, st)
	if signals == 0 {
		t.Errorf("SIGALRM never arrived: the run tested no signal in a slot")
	}
	return st
}
