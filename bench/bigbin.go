package main

import (
	"bufio"
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// The bigbin section attaches to large running programs, each debugger's
// own command line in batch mode, and times from starting the debugger to:
// attached, a breakpoint set on a function by name, the breakpoint hit, a
// backtrace printed; then it detaches, leaving the program running. The
// programs:
//
//   - Go: gopls (golang.org/x/tools/gopls@v0.23.0, built once with the
//     module proxy into the bench's cache directory), serving LSP on a
//     pipe that the bench writes a notification to every 10 ms; the
//     breakpoint is on golang.org/x/tools/internal/jsonrpc2.DecodeMessage,
//     which decodes each. Without gopls: the toolchain's own `go` command,
//     running `go test -json` of a generated test that prints a line every
//     few ms (cmd/go converts each line to JSON in its own process), with
//     the breakpoint on runtime.mallocgc.
//   - C++: the JVM from Debian's openjdk-17 packages (libjvm.so, 24 MB),
//     with its separate debug info from openjdk-17-dbg (found by build-id
//     in /usr/lib/debug, 156 MB compressed DWARF), running a Java loop of
//     Thread.sleep(5); the breakpoint is on JavaThread::sleep.
//
// Every tool runs once per round, in turn, so that load elsewhere on the
// machine hits them alike; the figures are medians over the rounds.

// bigTarget is one big program and how to drive it.
type bigTarget struct {
	name     string   // what it is, for the output
	binary   string   // the file whose size and debug info we report
	debug    string   // where its DWARF is: "" for in the binary
	argv     []string // the command that starts the program
	dir      string
	feed     func(w io.Writer, stop <-chan struct{}) // writes the program's input until stop, or nil
	ready    string                                  // a line of its output that says it is running, or ""
	fn       string                                  // the function to break at, as every tool names it
	wantFile string                                  // the breakpoint's source file: the backtrace must show it
	goProg   bool                                    // dlv can debug it
	gdbPre   []string                                // gdb commands before the rest
}

// phases are the times from the debugger's start.
type phases struct {
	attached, bpSet, hit, bt, end time.Duration
	err                           error
}

// bigRow is one tool's runs on one target.
type bigRow struct {
	target, tool string
	runs         []phases
	med          phases
	err          error
}

func (r bigRow) ok() bool { return r.err == nil && len(r.runs) > 0 }

// cacheDir is the bench's own cache: $XDG_CACHE_HOME/ubpdbg-bench or
// ~/.cache/ubpdbg-bench.
func cacheDir() (string, error) {
	d, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	d = filepath.Join(d, "ubpdbg-bench")
	return d, os.MkdirAll(d, 0o755)
}

const goplsVersion = "v0.23.0" // v0.24.0 needs a newer Go than the machine's

// findGopls returns gopls from the bench's cache, building it there with
// go install if it is missing and build is true.
func findGopls(o *options, build bool) (string, error) {
	if o.gopls != "" {
		return o.gopls, nil
	}
	cache, err := cacheDir()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(cache, "gopls-"+goplsVersion)
	p := filepath.Join(bin, "gopls")
	if _, err := os.Stat(p); err == nil {
		return p, nil
	}
	if !build {
		return "", fmt.Errorf("%w: gopls is not in %s (a run without -quick builds it)", errNA, bin)
	}
	fmt.Fprintf(o.out, "  (building gopls: GOBIN=%s go install golang.org/x/tools/gopls@%s; once, about 2 minutes)\n", bin, goplsVersion)
	cmd := exec.Command("go", "install", "golang.org/x/tools/gopls@"+goplsVersion)
	cmd.Dir = os.TempDir()
	cmd.Env = append(os.Environ(), "GOBIN="+bin)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("%w: go install gopls failed: %v: %s", errNA, err, lastLines(string(out), 3))
	}
	return p, nil
}

// lspFeed writes a JSON-RPC notification (which gopls decodes and drops)
// every 10 ms.
func lspFeed(w io.Writer, stop <-chan struct{}) {
	msg := `{"jsonrpc":"2.0","method":"$/ubpdbg/bench","params":{}}`
	frame := fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(msg), msg)
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	for {
		if _, err := io.WriteString(w, frame); err != nil {
			return
		}
		select {
		case <-stop:
			return
		case <-t.C:
		}
	}
}

func goplsTarget(o *options) (*bigTarget, error) {
	p, err := findGopls(o, !o.quick)
	if err != nil {
		return nil, err
	}
	return &bigTarget{
		name: "gopls " + goplsVersion + " (serve, an LSP notification every 10 ms)", binary: p,
		argv: []string{p, "serve"}, feed: lspFeed,
		fn: "golang.org/x/tools/internal/jsonrpc2.DecodeMessage", wantFile: "messages.go:", goProg: true,
	}, nil
}

// goCmdTarget is the fallback: the toolchain's go command converting a
// test's endless output to JSON.
func goCmdTarget(e *env) (*bigTarget, error) {
	root, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		return nil, err
	}
	goBin := filepath.Join(strings.TrimSpace(string(root)), "bin", "go")
	dir := filepath.Join(e.dir, "gotest")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	files := map[string]string{
		"go.mod": "module benchloop\n\ngo 1.21\n",
		"loop_test.go": `package benchloop

import (
	"fmt"
	"testing"
	"time"
)

func TestLoop(t *testing.T) {
	for i := 0; ; i++ {
		fmt.Println("line", i)
		time.Sleep(2 * time.Millisecond)
	}
}
`}
	for n, s := range files {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(s), 0o644); err != nil {
			return nil, err
		}
	}
	t := &bigTarget{
		name: "the go command (go test -json of a test printing a line every 2 ms)", binary: goBin,
		argv: []string{goBin, "test", "-json", "-count=1", "-timeout=0", "."}, dir: dir,
		ready: `"Output":"line 0\n"`, fn: "runtime.mallocgc", wantFile: "malloc.go:", goProg: true,
	}
	if !hasDWARF(goBin) {
		// The toolchain's binaries are built without DWARF (-ldflags=-w):
		// every tool has only the ELF symbols and Go's pclntab.
		t.name += ", no DWARF"
		t.wantFile = "mallocgc"
	}
	return t, nil
}

const idleJava = `public class Idle {
    public static void main(String[] args) throws Exception {
        System.out.println("ready");
        for (;;) Thread.sleep(5);
    }
}
`

// jvmTarget finds a JDK whose libjvm.so has its debug file installed.
func jvmTarget(e *env) (*bigTarget, error) {
	var javaHome string
	if p, err := exec.LookPath("java"); err == nil {
		if r, err := filepath.EvalSymlinks(p); err == nil {
			javaHome = filepath.Dir(filepath.Dir(r))
		}
	}
	homes, _ := filepath.Glob("/usr/lib/jvm/java-*-openjdk-amd64")
	var why []string
	for _, h := range append([]string{javaHome}, homes...) {
		if h == "" {
			continue
		}
		jvm := filepath.Join(h, "lib", "server", "libjvm.so")
		dbg, err := debugFileOf(jvm)
		if err != nil {
			why = append(why, err.Error())
			continue
		}
		fn, err := jvmSleepFunc(jvm)
		if err != nil {
			why = append(why, err.Error())
			continue
		}
		dir := filepath.Join(e.dir, "java")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(dir, "Idle.java"), []byte(idleJava), 0o644); err != nil {
			return nil, err
		}
		argv := []string{filepath.Join(h, "bin", "java"), "Idle.java"} // the source launcher
		if out, err := exec.Command(filepath.Join(h, "bin", "javac"), "-d", dir, filepath.Join(dir, "Idle.java")).CombinedOutput(); err == nil {
			argv = []string{filepath.Join(h, "bin", "java"), "-cp", dir, "Idle"}
		} else if _, serr := os.Stat(filepath.Join(h, "bin", "javac")); serr == nil {
			return nil, fmt.Errorf("javac: %v: %s", err, out)
		}
		return &bigTarget{
			name: "the JVM, " + filepath.Base(h) + " (a Java loop of Thread.sleep(5))", binary: jvm, debug: dbg,
			argv: argv, dir: dir, ready: "ready", fn: fn, wantFile: "thread.cpp:",
			// HotSpot takes SIGSEGV on purpose (implicit null checks,
			// safepoint polls); ubpdbg passes a signal that has a handler.
			gdbPre: []string{"handle SIGSEGV nostop noprint pass"},
		}, nil
	}
	return nil, fmt.Errorf("%w: no JDK with libjvm.so's debug info (apt-get install openjdk-17-jre-headless openjdk-17-dbg): %s", errNA, strings.Join(why, "; "))
}

// debugFileOf finds an ELF file's separate debug file by build-id.
func debugFileOf(path string) (string, error) {
	f, err := elf.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	s := f.Section(".note.gnu.build-id")
	if s == nil {
		return "", fmt.Errorf("%s: no build-id", path)
	}
	b, err := s.Data()
	if err != nil || len(b) < 16 {
		return "", fmt.Errorf("%s: bad build-id note", path)
	}
	id := fmt.Sprintf("%x", b[16:])
	d := filepath.Join("/usr/lib/debug/.build-id", id[:2], id[2:]+".debug")
	if _, err := os.Stat(d); err != nil {
		return "", fmt.Errorf("%s: no debug file %s", path, d)
	}
	return d, nil
}

// jvmSleepFunc is the function Thread.sleep reaches in this libjvm.so.
func jvmSleepFunc(jvm string) (string, error) {
	f, err := elf.Open(jvm)
	if err != nil {
		return "", err
	}
	defer f.Close()
	syms, err := f.Symbols()
	if err != nil {
		return "", fmt.Errorf("%s: %v", jvm, err)
	}
	for _, s := range syms {
		if s.Name == "_ZN10JavaThread5sleepEl" { // JavaThread::sleep(long), JDK 17
			return "JavaThread::sleep", nil
		}
	}
	return "", fmt.Errorf("%s: no JavaThread::sleep(long)", jvm)
}

// runningTarget is a started big program.
type runningTarget struct {
	cmd  *exec.Cmd
	stop chan struct{}
	done chan struct{}
}

func (t *bigTarget) start() (*runningTarget, error) {
	cmd := exec.Command(t.argv[0], t.argv[1:]...)
	cmd.Dir = t.dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // go test's children go with it
	var in io.WriteCloser
	var err error
	if t.feed != nil {
		if in, err = cmd.StdinPipe(); err != nil {
			return nil, err
		}
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	rt := &runningTarget{cmd: cmd, stop: make(chan struct{}), done: make(chan struct{})}
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		seen := t.ready == ""
		if seen {
			close(ready)
		}
		for sc.Scan() {
			if !seen && strings.Contains(sc.Text(), t.ready) {
				seen = true
				close(ready)
			}
		}
		io.Copy(io.Discard, out)
	}()
	if t.feed != nil {
		go func() { t.feed(in, rt.stop); in.Close() }()
	}
	go func() { cmd.Wait(); close(rt.done) }()
	select {
	case <-ready:
	case <-rt.done:
		return nil, fmt.Errorf("%s ended before it was ready", t.argv[0])
	case <-time.After(2 * time.Minute):
		rt.kill()
		return nil, fmt.Errorf("%s: not ready after 2 minutes", t.argv[0])
	}
	time.Sleep(300 * time.Millisecond) // past its start-up
	return rt, nil
}

// alive tells whether the program runs on (not ended, not left stopped).
func (rt *runningTarget) alive() error {
	select {
	case <-rt.done:
		return errors.New("the program ended")
	default:
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", rt.cmd.Process.Pid))
	if err != nil {
		return err
	}
	if i := strings.LastIndexByte(string(b), ')'); i > 0 && i+2 < len(b) {
		if st := b[i+2]; st == 't' || st == 'T' || st == 'Z' {
			return fmt.Errorf("the program was left in state %c", st)
		}
	}
	return nil
}

func (rt *runningTarget) kill() {
	close(rt.stop)
	syscall.Kill(-rt.cmd.Process.Pid, syscall.SIGKILL)
	<-rt.done
}

// timedLine is a line of a debugger's output and when it came.
type timedLine struct {
	at   time.Duration
	text string
}

// runTimed runs a debugger with stdin and returns its output lines, each
// with its time from the start.
func runTimed(stdin string, argv ...string) ([]timedLine, time.Duration, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdin = strings.NewReader(stdin)
	r, w, err := os.Pipe()
	if err != nil {
		return nil, 0, err
	}
	cmd.Stdout, cmd.Stderr = w, w
	var lines []timedLine
	read := make(chan struct{})
	start := time.Now()
	if err := cmd.Start(); err != nil {
		r.Close()
		w.Close()
		return nil, 0, err
	}
	w.Close()
	go func() {
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			lines = append(lines, timedLine{time.Since(start), sc.Text()})
		}
		close(read)
	}()
	timer := time.AfterFunc(5*time.Minute, func() { cmd.Process.Kill() })
	err = cmd.Wait()
	end := time.Since(start)
	timer.Stop()
	<-read
	r.Close()
	return lines, end, err
}

// at is the time of the first line at or after from that has s (a
// prefix if prefix), and its index; -1 if none.
func at(lines []timedLine, from int, s string, prefix bool) (time.Duration, int) {
	for i := max(from, 0); i < len(lines); i++ {
		l := lines[i].text
		if (prefix && strings.HasPrefix(l, s)) || (!prefix && strings.Contains(l, s)) {
			return lines[i].at, i
		}
	}
	return 0, -1
}

func tail(lines []timedLine, n int) string {
	var b strings.Builder
	for _, l := range lines[max(0, len(lines)-n):] {
		b.WriteString(l.text + "\n")
	}
	return b.String()
}

// marks finds the phases' lines in order; each is (text, prefix).
func marks(lines []timedLine, end time.Duration, ms [4][2]string) phases {
	var p phases
	dst := []*time.Duration{&p.attached, &p.bpSet, &p.hit, &p.bt}
	i := 0
	for k, m := range ms {
		var t time.Duration
		t, i = at(lines, i, m[0], m[1] == "prefix")
		if i < 0 {
			p.err = fmt.Errorf("no %q in the output:\n%s", m[0], tail(lines, 8))
			return p
		}
		*dst[k] = t
	}
	p.end = end
	return p
}

// btShows checks that the backtrace (the lines between the hit and the
// bt mark) names the breakpoint's source file and line.
func btShows(lines []timedLine, from, to string, want string) error {
	_, i := at(lines, 0, from, false)
	_, j := at(lines, max(i, 0), to, false)
	if i < 0 || j < 0 {
		return fmt.Errorf("no backtrace in the output")
	}
	for _, l := range lines[i:j] {
		if strings.Contains(l.text, want) {
			return nil
		}
	}
	return fmt.Errorf("the backtrace has no %s (symbols not loaded?):\n%s", want, tail(lines[:j], 6))
}

func ubpdbgBig(ubp string, t *bigTarget, pid int) phases {
	script := fmt.Sprintf("break %s\ncontinue\nbt\ndetach\n", t.fn)
	lines, end, err := runTimed(script, ubp, "attach", "--echo", strconv.Itoa(pid))
	if err != nil {
		return phases{err: fmt.Errorf("ubpdbg: %v\n%s", err, tail(lines, 8))}
	}
	p := marks(lines, end, [4][2]string{{"(ubpdbg) break", "prefix"}, {"(ubpdbg) continue", "prefix"},
		{"stopped at breakpoint 1", ""}, {"(ubpdbg) detach", "prefix"}})
	if p.err == nil {
		p.err = btShows(lines, "(ubpdbg) bt", "(ubpdbg) detach", t.wantFile)
	}
	return p
}

func gdbBig(gdb string, t *bigTarget, pid int) phases {
	args := []string{gdb, "-batch", "-nx", "-p", strconv.Itoa(pid)}
	for _, c := range t.gdbPre {
		args = append(args, "-ex", c)
	}
	for _, c := range []string{"echo @attached\\n", "break " + t.fn, "echo @bp\\n", "continue", "echo @hit\\n", "bt", "echo @bt\\n", "detach"} {
		args = append(args, "-ex", c)
	}
	lines, end, err := runTimed("", args...)
	if err != nil {
		return phases{err: fmt.Errorf("gdb: %v\n%s", err, tail(lines, 8))}
	}
	p := marks(lines, end, [4][2]string{{"@attached", ""}, {"@bp", ""}, {"@hit", ""}, {"@bt", ""}})
	if p.err == nil {
		p.err = btShows(lines, "@hit", "@bt", t.wantFile)
	}
	return p
}

func dlvBig(dlv, initFile string, t *bigTarget, pid int) phases {
	// The init file ends with exit; its question (kill the process?)
	// reads the "n" from standard input: dlv detaches.
	lines, end, err := runTimed("n\n", dlv, "attach", strconv.Itoa(pid), "--init", initFile, "--allow-non-terminal-interactive=true")
	if err != nil {
		return phases{err: fmt.Errorf("dlv: %v\n%s", err, tail(lines, 8))}
	}
	p := marks(lines, end, [4][2]string{{"Type 'help' for list of commands.", "prefix"}, {"Breakpoint 1 set at", "prefix"},
		{"> [Breakpoint 1]", "prefix"}, {`"@bt"`, ""}})
	if p.err == nil {
		p.err = btShows(lines, "> [Breakpoint 1]", `"@bt"`, t.wantFile)
	}
	return p
}

// bigTool is one debugger's way to run on a target.
type bigTool struct {
	name string
	run  func(t *bigTarget, pid int) phases
	na   error // not measured, and why
}

func medianPhases(runs []phases) phases {
	pick := func(f func(p phases) time.Duration) time.Duration {
		v := make([]time.Duration, len(runs))
		for i, r := range runs {
			v[i] = f(r)
		}
		slices.Sort(v)
		return v[len(v)/2]
	}
	return phases{
		attached: pick(func(p phases) time.Duration { return p.attached }),
		bpSet:    pick(func(p phases) time.Duration { return p.bpSet }),
		hit:      pick(func(p phases) time.Duration { return p.hit }),
		bt:       pick(func(p phases) time.Duration { return p.bt }),
		end:      pick(func(p phases) time.Duration { return p.end }),
	}
}

// warm reads a file once so that no tool's first run pays for the disk.
func warm(path string) {
	if path == "" {
		return
	}
	if f, err := os.Open(path); err == nil {
		io.Copy(io.Discard, f)
		f.Close()
	}
}

func fileSize(path string) string {
	st, err := os.Stat(path)
	if err != nil {
		return "?"
	}
	return fmt.Sprintf("%.1f MB", float64(st.Size())/1e6)
}

func hasDWARF(path string) bool {
	f, err := elf.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	return f.Section(".debug_info") != nil
}

func dwarfSize(path string) string {
	f, err := elf.Open(path)
	if err != nil {
		return "?"
	}
	defer f.Close()
	var n, c uint64
	comp := false
	for _, s := range f.Sections {
		if strings.HasPrefix(s.Name, ".debug_") || strings.HasPrefix(s.Name, ".zdebug_") {
			n += s.Size
			c += s.FileSize
			if s.Flags&elf.SHF_COMPRESSED != 0 {
				comp = true
			}
		}
	}
	if n == 0 {
		return "no DWARF"
	}
	if comp {
		return fmt.Sprintf("%.0f MB of DWARF (%.0f MB compressed in the file)", float64(n)/1e6, float64(c)/1e6)
	}
	return fmt.Sprintf("%.0f MB of DWARF", float64(n)/1e6)
}

func sectionBigbin(o *options, e *env, sum *summary) error {
	section(o.out, fmt.Sprintf("bigbin: attach to a big running program, break on a function by name, its first hit, a backtrace; rounds: %d (medians)", o.bigRuns))
	ubp, err := buildUbpdbg(e.dir)
	if err != nil {
		return err
	}
	var targets []*bigTarget
	if t, err := goplsTarget(o); err == nil {
		targets = append(targets, t)
	} else {
		fmt.Fprintf(o.out, "  gopls: %v; using the go command instead\n", oneLine(err.Error()))
		t, err := goCmdTarget(e)
		if err != nil {
			fmt.Fprintf(o.out, "  go command: %v\n", err)
		} else {
			targets = append(targets, t)
		}
	}
	if t, err := jvmTarget(e); err == nil {
		targets = append(targets, t)
	} else {
		fmt.Fprintf(o.out, "  C++ target: %v\n", oneLine(err.Error()))
	}
	gdbNA, dlvNA := error(nil), error(nil)
	gdb, err := exec.LookPath("gdb")
	if err != nil {
		gdbNA = fmt.Errorf("%w: gdb not found", errNA)
	}
	dlv := ""
	if o.tools {
		if dlv, err = findDlv(o); err != nil {
			dlvNA = err
		}
	} else {
		gdbNA, dlvNA = fmt.Errorf("%w: -no-tools", errNA), fmt.Errorf("%w: -no-tools", errNA)
	}
	for _, t := range targets {
		where := "its own DWARF, " + dwarfSize(t.binary)
		switch {
		case t.debug != "":
			where = "separate debug file " + t.debug + ", " + dwarfSize(t.debug)
		case !hasDWARF(t.binary):
			where = "no DWARF (ELF symbols and Go's pclntab only)"
		}
		fmt.Fprintf(o.out, "\n%s\n  binary %s, %s; %s\n  breakpoint on %s\n", t.name, t.binary, fileSize(t.binary), where, t.fn)
		warm(t.binary)
		warm(t.debug)
		initFile := filepath.Join(e.dir, "dlv-big.init")
		os.WriteFile(initFile, []byte(fmt.Sprintf("break %s\ncontinue\nstack\nprint \"@bt\"\nexit\n", t.fn)), 0o644)
		tools := []bigTool{
			{name: "ubpdbg", run: func(t *bigTarget, pid int) phases { return ubpdbgBig(ubp, t, pid) }},
			{name: "gdb", run: func(t *bigTarget, pid int) phases { return gdbBig(gdb, t, pid) }, na: gdbNA},
		}
		if t.goProg {
			tools = append(tools, bigTool{name: "dlv", run: func(t *bigTarget, pid int) phases { return dlvBig(dlv, initFile, t, pid) }, na: dlvNA})
		}
		rows := make([]bigRow, len(tools))
		for i, tl := range tools {
			rows[i] = bigRow{target: t.name, tool: tl.name, err: tl.na}
		}
		rt, err := t.start()
		if err != nil {
			fmt.Fprintf(o.out, "  failed: %v\n", err)
			continue
		}
		for round := 0; round < o.bigRuns; round++ {
			for i, tl := range tools {
				r := &rows[i]
				if r.err != nil {
					continue
				}
				p := tl.run(t, rt.cmd.Process.Pid)
				if p.err == nil {
					p.err = rt.alive()
				}
				if p.err != nil {
					r.err = p.err
					// A program that a tool killed or left stopped is
					// started again for the others.
					if rt.alive() != nil {
						rt.kill()
						if rt, err = t.start(); err != nil {
							return fmt.Errorf("%s: %w", t.name, err)
						}
					}
					continue
				}
				r.runs = append(r.runs, p)
			}
		}
		rt.kill()
		tw := newTable(o.out)
		fmt.Fprintln(tw, "  tool\tattached\tbreakpoint set\thit\tbacktrace printed\tdetached, exited\truns (backtrace printed)\t")
		for i := range rows {
			r := &rows[i]
			if !r.ok() {
				what := "failed: "
				if errors.Is(r.err, errNA) {
					what = "not measured: "
				}
				fmt.Fprintf(tw, "  %s\t%s\t\n", r.tool, what+oneLine(fmt.Sprint(r.err)))
				continue
			}
			r.med = medianPhases(r.runs)
			var all []string
			for _, p := range r.runs {
				all = append(all, fmt.Sprintf("%.2f", p.bt.Seconds()))
			}
			fmt.Fprintf(tw, "  %s\t%.2f s\t%.2f s\t%.2f s\t%.2f s\t%.2f s\t%s\t\n", r.tool, r.med.attached.Seconds(), r.med.bpSet.Seconds(),
				r.med.hit.Seconds(), r.med.bt.Seconds(), r.med.end.Seconds(), strings.Join(all, ", "))
		}
		tw.Flush()
		for _, r := range rows[1:] {
			if rows[0].ok() && r.ok() {
				u, g := rows[0].med, r.med
				fmt.Fprintf(o.out, "  ubpdbg / %s: %.2fx to the backtrace, %.2fx to attached; each phase's own time, ubpdbg vs %s: attach %s vs %s, break %s vs %s, hit %s vs %s, backtrace %s vs %s\n",
					r.tool, u.bt.Seconds()/g.bt.Seconds(), u.attached.Seconds()/g.attached.Seconds(), r.tool,
					secs(u.attached), secs(g.attached), secs(u.bpSet-u.attached), secs(g.bpSet-g.attached),
					secs(u.hit-u.bpSet), secs(g.hit-g.bpSet), secs(u.bt-u.hit), secs(g.bt-g.hit))
			}
		}
		sum.bigbin = append(sum.bigbin, rows...)
	}
	fmt.Fprintln(o.out, "\n(times from starting the debugger, cumulative)")
	return nil
}

func secs(d time.Duration) string { return fmt.Sprintf("%.2f s", d.Seconds()) }
