package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-dap"
	"github.com/ubpdbg/ubpdbg/internal/testharness"
	"github.com/ubpdbg/ubpdbg/internal/testprog"
)

// TestStalledClientBounded: a DAP client sets a logpoint that the program
// hits 100,000 times, then stops reading. The program still runs to its
// end at its own pace (the engine never waits for the client), ubpdbg's
// memory stays bounded (each message is 3,000 bytes: kept, they took 560 MB
// here; bounded, the peak grew by about 115 MB, garbage included), and when the client reads again it gets the
// messages that were kept and a note with the exact count of the dropped
// ones: kept + dropped = hits.
func TestStalledClientBounded(t *testing.T) {
	bin := ubpdbgBin(t)
	src, err := filepath.Abs("../../debugger/testdata/count.c")
	if err != nil {
		t.Fatal(err)
	}
	prog := testprog.BuildC(t, []string{"-O0"}, src)
	const hits = 100000
	line := testharness.LineOf(t, src, "acc += local;")

	cmd := exec.Command(bin, "dap")
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer cmd.Process.Kill()
	r := bufio.NewReader(stdout)
	seq := 0
	send := func(command string, args any) {
		seq++
		b, _ := json.Marshal(map[string]any{"seq": seq, "type": "request", "command": command, "arguments": args})
		fmt.Fprintf(stdin, "Content-Length: %d\r\n\r\n%s", len(b), b)
	}
	// until reads messages until one satisfies f.
	until := func(what string, f func(dap.Message) bool) {
		deadline := time.AfterFunc(30*time.Second, func() { cmd.Process.Kill() })
		defer deadline.Stop()
		for {
			m, err := dap.ReadProtocolMessage(r)
			if err != nil {
				t.Fatalf("waiting for %s: %v", what, err)
			}
			if f(m) {
				return
			}
		}
	}
	send("initialize", map[string]any{"adapterID": "ubpdbg"})
	until("initialize response", func(m dap.Message) bool { _, ok := m.(*dap.InitializeResponse); return ok })
	send("launch", map[string]any{"program": prog})
	until("launch response", func(m dap.Message) bool { _, ok := m.(*dap.LaunchResponse); return ok })
	filler := strings.Repeat("x", 3000)
	send("setBreakpoints", map[string]any{"source": map[string]any{"path": src},
		"breakpoints": []map[string]any{{"line": line, "logMessage": "i={i} " + filler}}})
	until("setBreakpoints response", func(m dap.Message) bool {
		resp, ok := m.(*dap.SetBreakpointsResponse)
		if ok && (len(resp.Body.Breakpoints) != 1 || !resp.Body.Breakpoints[0].Verified) {
			t.Fatalf("logpoint not verified: %+v", resp.Body)
		}
		return ok
	})
	send("configurationDone", map[string]any{})
	until("configurationDone response", func(m dap.Message) bool { _, ok := m.(*dap.ConfigurationDoneResponse); return ok })

	// The client stalls now. The program must finish regardless.
	debuggee := 0
	baseline := rssKB(t, cmd.Process.Pid, "VmRSS")
	for deadline := time.Now().Add(90 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		kids := children(cmd.Process.Pid)
		if debuggee == 0 && len(kids) > 0 {
			debuggee = kids[0]
		}
		if debuggee != 0 && !alive(debuggee) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the program (%d) did not finish while the client did not read", debuggee)
		}
	}
	peak := rssKB(t, cmd.Process.Pid, "VmHWM")
	t.Logf("ubpdbg RSS %d kB before the stall, peak %d kB", baseline, peak)
	if peak-baseline > 250*1024 {
		t.Errorf("ubpdbg grew from %d kB to %d kB while the client did not read", baseline, peak)
	}

	// Read again: the kept messages, the note, exited.
	logs, dropped := 0, -1
	note := regexp.MustCompile(`(\d+) log messages dropped`)
	until("exited", func(m dap.Message) bool {
		switch m := m.(type) {
		case *dap.OutputEvent:
			if strings.HasPrefix(m.Body.Output, "i=") && strings.Contains(m.Body.Output, filler) {
				logs++
			} else if sm := note.FindStringSubmatch(m.Body.Output); sm != nil {
				n, _ := strconv.Atoi(sm[1])
				dropped = max(dropped, 0) + n
			}
		case *dap.ExitedEvent:
			return true
		}
		return false
	})
	t.Logf("%d log messages delivered, %d dropped", logs, dropped)
	if dropped <= 0 {
		t.Fatalf("no note of dropped messages (%d delivered)", logs)
	}
	if logs+dropped != hits {
		t.Errorf("%d delivered + %d dropped = %d, want %d hits", logs, dropped, logs+dropped, hits)
	}
	send("disconnect", map[string]any{})
	stdin.Close()
	io.Copy(io.Discard, r)
}

// rssKB reads a memory figure (VmRSS, VmHWM) of a process.
func rssKB(t *testing.T, pid int, field string) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^` + field + `:\s+(\d+) kB`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("no %s in /proc/%d/status", field, pid)
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}

// children lists the child processes of pid, from every one of its threads.
func children(pid int) []int {
	var out []int
	tasks, _ := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	for _, task := range tasks {
		b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/children", pid, task.Name()))
		for _, f := range strings.Fields(string(b)) {
			if n, err := strconv.Atoi(f); err == nil {
				out = append(out, n)
			}
		}
	}
	return out
}

// alive reports whether a process still runs (a zombie does not).
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	s := string(b)
	if i := strings.LastIndexByte(s, ')'); i >= 0 && i+2 < len(s) {
		return s[i+2] != 'Z' && s[i+2] != 'X'
	}
	return true
}
