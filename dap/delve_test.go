package dap

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-dap"
)

// The Delve comparison: Delve's own test programs (its _fixtures, MIT
// licensed, read from the Delve module that go.mod requires, so nothing
// is copied into this repository), built once each, debugged by `dlv dap`
// and by ubpdbg with the same DAP requests: a breakpoint, the stop, the
// stack, the locals and arguments, a few expressions. docs/delve.md holds
// the table this test prints with -v, and explains every difference.

// delveVersion is the Delve of go.mod: its fixtures and its dlv.
const delveVersion = "v1.27.2"

// delveCase is one fixture and where to stop in it.
type delveCase struct {
	fixture string   // file in _fixtures
	line    int      // breakpoint line in it (the fixture is pinned by delveVersion)
	eval    []string // expressions evaluated at the stop
}

var delveCases = []delveCase{
	{"increment.go", 7, []string{"y", "y%2"}},
	{"testnextprog.go", 26, []string{"i == f", "j"}},
	{"testnextprog.go", 47, []string{"foo", "d"}},
	{"teststepprog.go", 6, []string{"n", "x"}},
	{"teststepprog.go", 14, []string{"eface", "eface != nil"}},
	{"closurecontents.go", 11, []string{"x", "scale", "a"}},
	{"testvariables.go", 65, []string{"a1", "a2", "a5", "a6", "a7.Baz", "a10", "a11[1].Bur", "bar.Bur", "baz", "ms.Nest.Level", "p1", "mp[1]"}},
	{"stacktraceprog.go", 4, nil},
	{"goroutinestackprog.go", 46, []string{"n", "dummy"}},
	{"math.go", 12, []string{"floatvar1", "floatvar2", "f"}},
	{"escapestrings.go", 27, []string{"gm", "gwt", "multiline", "withQuote", "backslash"}},
}

// dlvHex is the hexadecimal dlv adds to every integer ("3 = 0x3"): the
// same value, shown twice.
var dlvHex = regexp.MustCompile(` = (0x[0-9a-f]+|-?0x[0-9a-f]+)$`)

// withoutType takes the type off the front of a value as dlv writes it
// ("main.FooBar {Baz: 8}", "[]int len: 5, ..."); ubpdbg gives the type
// in the type field only. The same value with or without it.
func withoutType(value, typ string) string {
	if v, ok := strings.CutPrefix(value, typ+" "); ok && typ != "" {
		if strings.HasPrefix(typ, "*") && v != "nil" {
			return "*" + v // a pointer, as ubpdbg writes it: *{Baz: 5}
		}
		return v
	}
	return value
}

// sameValue compares two values as shown, but for the space after a
// comma (dlv writes "[1,2,3]", ubpdbg "[1, 2, 3]").
func sameValue(a, b string) bool {
	return strings.ReplaceAll(a, ", ", ",") == strings.ReplaceAll(b, ", ", ",")
}

// delveExplained are the differences this test accepts, each with its
// reason (docs/delve.md says the same): fixture:line, what, and why.
var delveExplained = func() map[string]string {
	m := map[string]string{
		"increment.go:7 ~r0":                       "ubpdbg leaves out the compiler's unnamed result slots; before the return they hold no result",
		"closurecontents.go:11 ~r0":                "the same",
		"testnextprog.go:47 evaluate d":            "a channel: dlv writes len/cap as 0/0, ubpdbg as len: 0, cap: 0",
		"testnextprog.go:47 d":                     "the same",
		"testvariables.go:65 c64":                  "dlv writes (1 + 2i), ubpdbg as Go's fmt does, (1+2i)",
		"testvariables.go:65 c128":                 "the same",
		"testvariables.go:65 ms":                   "the same to the summary's depth; there dlv writes *(*main.Nest)(ADDR), ubpdbg (*main.Nest)(ADDR), and the addresses differ from run to run",
		"testvariables.go:65 mp":                   "dlv writes a map without its length and its interface values bare (42); ubpdbg len: 2 and interface {}(int) 42, as it writes interfaces everywhere",
		"testvariables.go:65 ni":                   "at the summary's depth dlv gives an address, where ubpdbg still shows the value, interface {}(int) 123",
		"testvariables.go:65 ba":                   "dlv says (loaded 64/200) in front; both show 64 elements and ...+136 more",
		"teststepprog.go:14 eface":                 "dlv fails to read the interface's type (its module data) in this Go version; ubpdbg shows it",
		"teststepprog.go:14 evaluate eface":        "the same",
		"teststepprog.go:14 evaluate eface != nil": "the same",
		"testvariables.go:65 mp.len()":             "dlv adds a len() child to a map; ubpdbg shows the length in the value",
		"testvariables.go:65 i32.string()":         "dlv adds a string() child to an array of int32 (runes); ubpdbg does not",
	}
	// The runtime's channel structure, which dlv lists as a channel's
	// children; ubpdbg shows the channel's buffer instead.
	for _, f := range []string{"qcount", "dataqsiz", "elemsize", "closed", "timer", "sendx", "recvx", "bubble"} {
		m["testnextprog.go:47 d."+f] = "dlv lists the runtime's channel fields as children; ubpdbg shows a channel's length and capacity"
	}
	// A complex number is one value in ubpdbg, (1+2i); dlv adds its parts.
	for _, f := range []string{"c64.real", "c64.imaginary", "c128.real", "c128.imaginary"} {
		m["testvariables.go:65 "+f] = "dlv adds a complex number's parts as children; ubpdbg shows it as one value, (1+2i), as Go's fmt does"
	}
	return m
}()

// delveFixtures is the directory of Delve's fixtures in the module cache.
func delveFixtures(t *testing.T) string {
	out, err := exec.Command("go", "mod", "download", "-json", "github.com/go-delve/delve@"+delveVersion).Output()
	if err != nil {
		t.Fatalf("go mod download delve: %v", err)
	}
	m := regexp.MustCompile(`"Dir":\s*"([^"]+)"`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("go mod download told no directory: %s", out)
	}
	return filepath.Join(string(m[1]), "_fixtures")
}

// findDlv returns a dlv of delveVersion: on PATH, in GOPATH/bin, or
// installed there with the Go toolchain (from the module proxy).
func findDlv(t *testing.T) string {
	gopath, _ := exec.Command("go", "env", "GOPATH").Output()
	bin := filepath.Join(strings.TrimSpace(string(gopath)), "bin", "dlv")
	for _, p := range []string{bin, "dlv"} {
		if path, err := exec.LookPath(p); err == nil {
			if v, err := exec.Command(path, "version").Output(); err == nil && strings.Contains(string(v), strings.TrimPrefix(delveVersion, "v")) {
				return path
			}
		}
	}
	cmd := exec.Command("go", "install", "github.com/go-delve/delve/cmd/dlv@"+delveVersion)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("installing dlv %s: %v\n%s", delveVersion, err, out)
	}
	return bin
}

// buildFixture builds one fixture as Delve's tests do (no optimization,
// no inlining), in a module of its own in dir.
func buildFixture(t *testing.T, fixtures, dir, name string) (bin, src string) {
	sub := filepath.Join(dir, strings.TrimSuffix(name, ".go"))
	src, bin = filepath.Join(sub, name), filepath.Join(sub, "prog")
	if _, err := os.Stat(bin); err == nil {
		return bin, src
	}
	b, err := os.ReadFile(filepath.Join(fixtures, name))
	if err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(sub, 0o755)
	os.WriteFile(src, b, 0o644)
	os.WriteFile(filepath.Join(sub, "go.mod"), []byte("module fixture\n\ngo 1.23\n"), 0o644)
	cmd := exec.Command("go", "build", "-gcflags=all=-N -l", "-o", bin, ".")
	cmd.Dir = sub
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOTOOLCHAIN=local", "GOFLAGS=")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building %s: %v\n%s", name, err, out)
	}
	return bin, src
}

// dlvClient starts `dlv dap` and connects to it.
func dlvClient(t *testing.T, dlv string) *client {
	cmd := exec.Command(dlv, "dap", "--listen=127.0.0.1:0")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), "DAP server listening at: "); ok {
				addr <- a
			}
		}
	}()
	var a string
	select {
	case a = <-addr:
	case <-time.After(waitFor):
		t.Fatal("dlv dap did not say where it listens")
	}
	conn, err := net.Dial("tcp", a)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return newClient(t, conn, conn, func() { conn.Close() })
}

// stopView is what one debugger shows at the stop.
type stopView struct {
	at     string            // function:line of the top frame
	frames []string          // the names of the frames up to runtime's
	vars   map[string]string // locals and arguments: name -> value
	kids   map[string]bool   // which of them have children
	inner  map[string]string // their children without children of their own: "a6.Baz" -> value
	evals  []string          // the expressions' values, or "error: ..."
	types  []string          // the expressions' types
	// selfStops are the functions of the stops before the breakpoint's
	// (the program's own runtime.Breakpoint()).
	selfStops string
}

// look runs one case in a session and tells what it shows.
func look(t *testing.T, c *client, launch map[string]any, src string, dc delveCase) stopView {
	// As VS Code does: types beside values (dlv sends them only then).
	c.ok("initialize", map[string]any{"adapterID": "go", "linesStartAt1": true, "columnsStartAt1": true, "supportsVariableType": true})
	c.ok("launch", launch)
	c.event("initialized", isEvent("initialized"))
	r := c.ok("setBreakpoints", srcBP(src, dc.line)).(*dap.SetBreakpointsResponse)
	if len(r.Body.Breakpoints) != 1 || !r.Body.Breakpoints[0].Verified {
		t.Fatalf("breakpoint at %s:%d: %+v", dc.fixture, dc.line, r.Body.Breakpoints)
	}
	c.ok("configurationDone", nil)
	// A fixture may stop itself first (runtime.Breakpoint()): go on to
	// the breakpoint.
	st := c.stopped()
	var selfStops []string
	for i := 0; !slices.Contains(st.Body.HitBreakpointIds, r.Body.Breakpoints[0].Id) && i < 5; i++ {
		f := c.ok("stackTrace", map[string]any{"threadId": st.Body.ThreadId, "levels": 1}).(*dap.StackTraceResponse).Body.StackFrames
		if len(f) > 0 {
			selfStops = append(selfStops, f[0].Name)
		}
		c.ok("continue", map[string]any{"threadId": st.Body.ThreadId})
		st = c.stopped()
	}
	frames := c.ok("stackTrace", map[string]any{"threadId": st.Body.ThreadId, "levels": 20}).(*dap.StackTraceResponse).Body.StackFrames
	v := stopView{vars: map[string]string{}, kids: map[string]bool{}, inner: map[string]string{}, selfStops: strings.Join(selfStops, ", ")}
	if len(frames) == 0 {
		t.Fatalf("%s:%d: no frames", dc.fixture, dc.line)
	}
	v.at = fmt.Sprintf("%s:%d", frames[0].Name, frames[0].Line)
	for _, f := range frames {
		if strings.HasPrefix(f.Name, "runtime.") {
			break
		}
		v.frames = append(v.frames, f.Name)
	}
	for _, sc := range c.ok("scopes", map[string]any{"frameId": frames[0].Id}).(*dap.ScopesResponse).Body.Scopes {
		if sc.Name != "Locals" && sc.Name != "Arguments" {
			continue
		}
		for _, x := range c.ok("variables", map[string]any{"variablesReference": sc.VariablesReference}).(*dap.VariablesResponse).Body.Variables {
			v.vars[x.Name] = withoutType(dlvHex.ReplaceAllString(x.Value, ""), x.Type)
			v.kids[x.Name] = x.VariablesReference != 0
			if x.VariablesReference == 0 {
				continue
			}
			for _, k := range c.ok("variables", map[string]any{"variablesReference": x.VariablesReference}).(*dap.VariablesResponse).Body.Variables {
				if k.VariablesReference == 0 {
					v.inner[x.Name+"."+k.Name] = dlvHex.ReplaceAllString(k.Value, "")
				}
			}
		}
	}
	for _, e := range dc.eval {
		m := c.response(c.send("evaluate", map[string]any{"expression": e, "frameId": frames[0].Id, "context": "watch"}))
		if r, ok := m.m.(*dap.EvaluateResponse); ok && r.Success {
			v.evals = append(v.evals, dlvHex.ReplaceAllString(r.Body.Result, ""))
			v.types = append(v.types, r.Body.Type)
		} else {
			v.evals = append(v.evals, "error: "+m.m.(dap.ResponseMessage).GetResponse().Message)
			v.types = append(v.types, "")
		}
	}
	c.response(c.send("disconnect", map[string]any{"terminateDebuggee": true}))
	return v
}

// TestDelveFixtures: on each fixture both debuggers stop at the same
// function and line with the same user frames, ubpdbg shows every local
// and argument that dlv shows, and the values of those without children,
// and of the expressions, are the same, but for the differences
// explained in delveExplained.
func TestDelveFixtures(t *testing.T) {
	requireLinux(t)
	fixtures := delveFixtures(t)
	dlv := findDlv(t)
	dir := t.TempDir()
	var table strings.Builder
	fmt.Fprintf(&table, "| fixture:line | what | dlv | ubpdbg |\n|---|---|---|---|\n")
	seen := map[string]bool{}
	for _, dc := range delveCases {
		bin, src := buildFixture(t, fixtures, dir, dc.fixture)
		launch := map[string]any{"program": bin}
		d := look(t, dlvClient(t, dlv), map[string]any{"program": bin, "mode": "exec"}, src, dc)
		uc, _ := pipeClient(t, Config{})
		u := look(t, uc, launch, src, dc)
		where := fmt.Sprintf("%s:%d", dc.fixture, dc.line)
		differ := func(what, dv, uv string) {
			key := where + " " + what
			fmt.Fprintf(&table, "| %s | %s | `%s` | `%s` |\n", where, what, dv, uv)
			if _, ok := delveExplained[key]; ok {
				seen[key] = true
				return
			}
			t.Errorf("%s: %s: dlv %q, ubpdbg %q (not explained)", where, what, dv, uv)
		}
		if d.selfStops != u.selfStops {
			differ("stops before the breakpoint", d.selfStops, u.selfStops)
		}
		if d.at != u.at {
			differ("stop", d.at, u.at)
		}
		if strings.Join(d.frames, " < ") != strings.Join(u.frames, " < ") {
			differ("stack", strings.Join(d.frames, " < "), strings.Join(u.frames, " < "))
		}
		for name, dv := range d.vars {
			uv, ok := u.vars[name]
			switch {
			case !ok:
				differ(name, dv, "(not shown)")
			case !sameValue(dv, uv):
				differ(name, dv, uv)
			}
		}
		for name, dv := range d.inner {
			if uv, ok := u.inner[name]; !ok {
				differ(name, dv, "(not shown)")
			} else if !sameValue(dv, uv) {
				differ(name, dv, uv)
			}
		}
		for i, e := range dc.eval {
			d.evals[i] = withoutType(d.evals[i], u.types[i])
			if sameValue(d.evals[i], u.evals[i]) {
				continue
			}
			{
				differ("evaluate "+e, d.evals[i], u.evals[i])
			}
		}
		fmt.Fprintf(&table, "| %s | %d locals and arguments, %d of their children, %d frames, %d expressions | | |\n", where, len(d.vars), len(d.inner), len(d.frames), len(dc.eval))
	}
	for key := range delveExplained {
		if !seen[key] {
			t.Errorf("%s: explained as a difference, but both now agree: take it out of delveExplained and docs/delve.md", key)
		}
	}
	t.Logf("the comparison:\n%s", table.String())
}
