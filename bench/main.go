// Command bench measures ubpdbg's breakpoint hit path against the raw
// ptrace round trip, GDB, Delve, ltrace and the kernel's uprobes, and its
// scale: threads, non-stop progress, a million breakpoints, syscalls per hit.
//
// Every ratio it prints compares figures measured in the same run: machines
// are noisy, so never compare with numbers from another run.
//
//	go run ./bench                      # everything, about 10 minutes
//	go run ./bench -quick               # shorter measurements, under 2 minutes
//	go run ./bench -sections hit,scale  # some sections only
//
// Sections: hit (per-hit cost against the other tools), threads (1..16
// threads on one breakpoint), nonstop (other threads' speed while one is
// stopped), scale (inserting 10k..1M breakpoints; slot memory), syscalls
// (ubpdbg's own system calls per hit, counted with strace), sigkill (how
// often an attached program survives SIGKILL of ubpdbg), soak (the real
// `ubpdbg dap` for minutes of hits from 16 threads with breakpoints changed
// every second: its resident memory over time), bigbin (attach to big
// programs, gopls and the JVM with Debian's debug info: the time to
// attach, set a breakpoint by name, hit it and print a backtrace, against
// gdb and dlv).
//
// The target programs are the C sources in testdata, compiled with gcc.
// Tools that are missing (gdb, dlv, ltrace, strace, tracefs) are skipped with
// a note; they never fail the run.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"slices"
	"strings"
	"time"
)

var allSections = []string{"hit", "threads", "nonstop", "scale", "syscalls", "sigkill", "soak", "bigbin", "coverage"}

// options are what the flags chose.
type options struct {
	quick     bool
	sections  map[string]bool
	target    time.Duration // how long one timed measurement should take
	window    time.Duration // the non-stop measurement window
	sizes     []int         // breakpoint counts for the scale section
	threads   []int
	maxCalls  int64         // cap on calls per measurement
	tools     bool          // run the other tools (gdb, dlv, ...) in the hit section
	rounds    int           // of the per-hit measurements
	capTime   time.Duration // per way of inserting, in the scale section
	sysCalls  int64         // calls of f in the syscall count
	killRuns  int           // runs of each case in the sigkill section
	soak      time.Duration // how long the soak runs
	soakPause time.Duration // the soak program's pause after each round of calls
	bigRuns   int           // rounds of the bigbin section
	gopls     string        // the bigbin section's gopls, if given
	dlvPath   string
	keep      bool
	out       io.Writer
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "-child" {
		os.Exit(childMain(os.Args[2:]))
	}
	var o options
	quick := flag.Bool("quick", false, "short measurements (about 0.3 s each), fewer sizes: under 2 minutes")
	sections := flag.String("sections", strings.Join(allSections, ","), "comma-separated `list` of sections to run: "+strings.Join(allSections, ", "))
	target := flag.Duration("target", 0, "how long each timed measurement should take (default 1.5s, 0.3s with -quick)")
	noTools := flag.Bool("no-tools", false, "measure ubpdbg and the raw ptrace floor only (no gdb, dlv, ltrace, uprobes)")
	sizes := flag.String("sizes", "", "comma-separated breakpoint counts for the scale section (default 10000,100000,1000000; -quick: 10000,100000)")
	maxCalls := flag.Int64("max-calls", 50_000_000, "cap on the calls of f in one measurement")
	gopls := flag.String("gopls", "", "path of gopls for the bigbin section (default: built once into the bench's cache directory; -quick only uses one already built)")
	bigRuns := flag.Int("big-runs", 0, "rounds of the bigbin section (default 3, 1 with -quick)")
	dlv := flag.String("dlv", "", "path of dlv (default: PATH, then $GOPATH/bin; installed with go install if missing)")
	keep := flag.Bool("keep", false, "keep the build directory")
	soak := flag.Duration("soak", 0, "how long the soak section runs (default 2m, 20s with -quick; the documented curve is of -soak 30m)")
	soakPause := flag.Duration("soak-pause", time.Millisecond, "the soak program's pause after each round of eight calls in each thread")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the benchmark (ubpdbg included) to `FILE`")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}

	o.quick = *quick
	o.out = os.Stdout
	o.sections = map[string]bool{}
	for _, s := range strings.Split(*sections, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if !slices.Contains(allSections, s) {
			fmt.Fprintf(os.Stderr, "bench: unknown section %q (have %s)\n", s, strings.Join(allSections, ", "))
			os.Exit(2)
		}
		o.sections[s] = true
	}
	o.target = 1500 * time.Millisecond
	o.window = 2 * time.Second
	o.sizes = []int{10_000, 100_000, 1_000_000}
	o.threads = []int{1, 2, 4, 8, 16}
	o.rounds, o.capTime, o.sysCalls = 3, 60*time.Second, 4000
	if o.quick {
		o.target = 300 * time.Millisecond
		o.window = 500 * time.Millisecond
		o.sizes = []int{10_000, 100_000}
		o.rounds, o.capTime, o.sysCalls = 2, 15*time.Second, 1000
	}
	o.soak, o.soakPause, o.killRuns, o.bigRuns = 2*time.Minute, *soakPause, 20, 3
	if o.quick {
		o.soak, o.killRuns, o.bigRuns = 20*time.Second, 3, 1
	}
	if *bigRuns > 0 {
		o.bigRuns = *bigRuns
	}
	o.gopls = *gopls
	if *soak > 0 {
		o.soak = *soak
	}
	if *target > 0 {
		o.target = *target
	}
	if *sizes != "" {
		o.sizes = nil
		for _, s := range strings.Split(*sizes, ",") {
			var n int
			if _, err := fmt.Sscan(strings.TrimSpace(s), &n); err != nil || n <= 0 {
				fmt.Fprintf(os.Stderr, "bench: bad size %q\n", s)
				os.Exit(2)
			}
			o.sizes = append(o.sizes, n)
		}
	}
	o.maxCalls = *maxCalls
	o.tools = !*noTools
	o.dlvPath = *dlv
	o.keep = *keep
	if err := run(&o); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

// run builds the targets and runs the chosen sections.
func run(o *options) error {
	start := time.Now()
	env, err := setup(o)
	if err != nil {
		return err
	}
	if !o.keep {
		defer os.RemoveAll(env.dir)
	} else {
		fmt.Fprintln(o.out, "build directory:", env.dir)
	}
	printMachine(o.out)
	var sum summary
	if o.sections["hit"] {
		if err := sectionHit(o, env, &sum); err != nil {
			return fmt.Errorf("hit: %w", err)
		}
	}
	if o.sections["threads"] {
		if err := sectionThreads(o, env, &sum); err != nil {
			return fmt.Errorf("threads: %w", err)
		}
	}
	if o.sections["nonstop"] {
		if err := sectionNonstop(o, env, &sum); err != nil {
			return fmt.Errorf("nonstop: %w", err)
		}
	}
	if o.sections["scale"] {
		if err := sectionScale(o, env, &sum); err != nil {
			return fmt.Errorf("scale: %w", err)
		}
	}
	if o.sections["syscalls"] {
		if err := sectionSyscalls(o, env, &sum); err != nil {
			return fmt.Errorf("syscalls: %w", err)
		}
	}
	if o.sections["sigkill"] {
		if err := sectionSigkill(o, env, &sum); err != nil {
			return fmt.Errorf("sigkill: %w", err)
		}
	}
	if o.sections["soak"] {
		if err := sectionSoak(o, env, &sum); err != nil {
			return fmt.Errorf("soak: %w", err)
		}
	}
	if o.sections["coverage"] {
		if err := sectionCoverage(o, env, &sum); err != nil {
			return fmt.Errorf("coverage: %w", err)
		}
	}
	if o.sections["bigbin"] {
		if err := sectionBigbin(o, env, &sum); err != nil {
			return fmt.Errorf("bigbin: %w", err)
		}
	}
	sum.print(o.out)
	fmt.Fprintf(o.out, "\ntotal time %.0f s\n", time.Since(start).Seconds())
	return nil
}

func section(w io.Writer, title string) {
	fmt.Fprintf(w, "\n== %s ==   (load average %s)\n", title, loadavg())
}
