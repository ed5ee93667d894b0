package dap

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-dap"
	"github.com/ubpdbg/ubpdbg/symbols"
)

// buildGone compiles testdata/mt.c with gcc flags from a copy that is then
// removed: the program's line table names a file that is not on this
// machine, as for a program built elsewhere. It returns the program and
// the removed file's path.
func buildGone(t *testing.T, flags ...string) (string, string) {
	t.Helper()
	if _, err := exec.LookPath("gcc"); err != nil {
		t.Skip("gcc not installed")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "gone", "mt.c")
	text, err := os.ReadFile("testdata/mt.c")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(src), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(src, text, 0o644); err != nil {
		t.Fatal(err)
	}
	prog := filepath.Join(dir, "mt")
	args := append([]string{"-O0", "-pthread"}, flags...)
	if out, err := exec.Command("gcc", append(args, "-o", prog, src)...).CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v\n%s", err, out)
	}
	if err := os.RemoveAll(filepath.Dir(src)); err != nil {
		t.Fatal(err)
	}
	return prog, src
}

// checkFrameSources checks what keeps VS Code from an error notification:
// every frame's Source is a file that exists, or a sourceReference that
// the source request serves (deemphasized); a frame without a Source has
// an instructionPointerReference (VS Code then shows the disassembly).
// It returns the listing of each referenced frame, by frame index.
func checkFrameSources(t *testing.T, c *client, frames []dap.StackFrame) map[int]string {
	t.Helper()
	listings := map[int]string{}
	for i, f := range frames {
		if f.InstructionPointerReference == "" {
			t.Errorf("frame %d %s has no instructionPointerReference", i, f.Name)
		}
		switch {
		case f.Source == nil:
			if f.PresentationHint != "subtle" {
				t.Errorf("frame %d %s without a source is not subtle: %+v", i, f.Name, f)
			}
		case f.Source.SourceReference > 0:
			if f.Source.PresentationHint != "deemphasize" || f.Line < 1 {
				t.Errorf("frame %d %s: listing source %+v at line %d", i, f.Name, f.Source, f.Line)
			}
			if strings.Contains(f.Source.Path, "nptl/nptl") {
				t.Errorf("frame %d %s: doubled directory in %q", i, f.Name, f.Source.Path)
			}
			r := c.ok("source", map[string]any{"source": map[string]any{"sourceReference": f.Source.SourceReference}, "sourceReference": f.Source.SourceReference}).(*dap.SourceResponse)
			lines := strings.Split(r.Body.Content, "\n")
			if !strings.Contains(lines[0], "not available") || f.Line > len(lines) {
				t.Errorf("frame %d %s: listing line %d of %q", i, f.Name, f.Line, r.Body.Content)
				continue
			}
			listings[i] = r.Body.Content
			// The frame's line is its instruction: the pc itself for
			// the innermost frame, the call before a return address.
			row := lines[f.Line-1]
			if i == 0 && !strings.HasPrefix(row, f.InstructionPointerReference+" ") {
				t.Errorf("frame 0 %s at %s: its line %d is %q", f.Name, f.InstructionPointerReference, f.Line, row)
			}
			if i > 0 && !strings.Contains(row, "call") {
				t.Errorf("frame %d %s at %s: its line %d is %q, not a call", i, f.Name, f.InstructionPointerReference, f.Line, row)
			}
		default:
			if st, err := os.Stat(f.Source.Path); err != nil || !st.Mode().IsRegular() || !filepath.IsAbs(f.Source.Path) {
				t.Errorf("frame %d %s: source %+v is no file here (%v)", i, f.Name, f.Source, err)
			}
		}
	}
	return listings
}

// TestSourceNotOnDisk: a program whose source file is gone, stopped at a
// breakpoint, and a thread of it paused in libc's nanosleep. No frame
// names a file that cannot be opened: the program's frames and libc's
// (whose line table names sysdeps/... files, when the debug-info package
// is installed) refer to listings that the source request serves: a line
// that says so, then the function's disassembly, the frame's line being
// its instruction's.
func TestSourceNotOnDisk(t *testing.T) {
	requireLinux(t)
	prog, src := buildGone(t, "-g")
	c, _ := pipeClient(t, Config{})
	c.start("launch", map[string]any{"program": prog})
	c.ok("setFunctionBreakpoints", map[string]any{"breakpoints": []map[string]any{{"name": "hit_a"}}})
	c.ok("configurationDone", nil)
	st := c.stopped()
	if st.Body.Reason != "breakpoint" || st.Body.Description != "Paused on breakpoint" || !strings.HasPrefix(strings.ToLower(st.Body.Text), "breakpoint 1") {
		t.Errorf("stopped: %+v", st.Body)
	}
	a := st.Body.ThreadId
	frames := c.ok("stackTrace", map[string]any{"threadId": a}).(*dap.StackTraceResponse).Body.StackFrames
	if len(frames) < 2 || frames[0].Name != "hit_a" || frames[1].Name != "thread_a" {
		t.Fatalf("stack: %+v", frames)
	}
	listings := checkFrameSources(t, c, frames)
	t.Logf("listing of %s:\n%.600s", frames[0].Name, listings[0])
	for i := 0; i < 2; i++ {
		if f := frames[i]; f.Source == nil || f.Source.Path != src || f.Source.SourceReference == 0 {
			t.Errorf("frame %d %s: source %+v, want a listing for %s", i, f.Name, f.Source, src)
		} else if !strings.Contains(listings[i], "mt.c:") {
			t.Errorf("frame %d: listing without source lines: %q", i, listings[i])
		}
	}
	// The same function's listing is the same reference.
	again := c.ok("stackTrace", map[string]any{"threadId": a}).(*dap.StackTraceResponse).Body.StackFrames
	if again[0].Source == nil || frames[0].Source == nil || again[0].Source.SourceReference != frames[0].Source.SourceReference {
		t.Errorf("second stackTrace: %+v, first %+v", again[0].Source, frames[0].Source)
	}

	// worker-b sleeps in usleep: paused, it is in libc.
	b := c.threadByName("worker-b")
	c.ok("pause", map[string]any{"threadId": b})
	for st = c.stopped(); st.Body.ThreadId != b; st = c.stopped() {
	}
	if st.Body.Reason != "pause" || st.Body.Description != "Paused" {
		t.Errorf("pause: %+v", st.Body)
	}
	frames = c.ok("stackTrace", map[string]any{"threadId": b}).(*dap.StackTraceResponse).Body.StackFrames
	if len(frames) < 3 || !strings.Contains(frames[0].Name, "nanosleep") {
		t.Fatalf("paused worker-b is not in nanosleep: %+v", frames)
	}
	checkFrameSources(t, c, frames)
	if libcHasDWARF(t, c) {
		// The files of libc's own line table are not here.
		if frames[0].Source == nil || frames[0].Source.SourceReference == 0 {
			t.Errorf("frame 0 in libc: %+v", frames[0])
		}
		found := false
		for _, f := range frames {
			if f.Name == "start_thread" {
				found = true
				if f.Source == nil || f.Source.Path != "nptl/pthread_create.c" {
					t.Errorf("start_thread: source %+v, want nptl/pthread_create.c", f.Source)
				}
			}
		}
		if !found {
			t.Errorf("no start_thread frame: %+v", frames)
		}
	} else {
		t.Log("libc has no debug information here (libc6-dbg): its frames have no source")
	}

	if msg := c.fails("source", map[string]any{"sourceReference": 999999}); !strings.Contains(msg, "unknown source reference") {
		t.Errorf("unknown reference: %q", msg)
	}
	if msg := c.fails("source", map[string]any{"source": map[string]any{"path": src}, "sourceReference": 0}); !strings.Contains(msg, "sourceReference") {
		t.Errorf("source by path: %q", msg)
	}
	c.ok("continue", map[string]any{"threadId": b})
	c.ok("setFunctionBreakpoints", map[string]any{"breakpoints": []map[string]any{}})
	c.ok("continue", map[string]any{"threadId": a})
	if code := c.exitedAndTerminated(); code != 0 {
		t.Errorf("exit code %d", code)
	}
}

// libcHasDWARF tells whether the program's libc has line tables here (its
// own or a separate debug file).
func libcHasDWARF(t *testing.T, c *client) bool {
	mods := c.ok("modules", map[string]any{}).(*dap.ModulesResponse).Body.Modules
	for _, m := range mods {
		if strings.Contains(m.Name, "libc.so") {
			im, err := symbols.OpenImage(m.Path, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer im.Close()
			return im.HasDWARF()
		}
	}
	t.Fatalf("no libc in %+v", mods)
	return false
}

// TestFramesWithoutLines: a program built without debug information
// stops in hit_a (its ELF symbol): frames that have no line information
// carry no Source, are subtle, and point at their instruction, which the
// disassemble request then shows.
func TestFramesWithoutLines(t *testing.T) {
	requireLinux(t)
	prog, _ := buildGone(t, "-g0")
	c, _ := pipeClient(t, Config{})
	c.start("launch", map[string]any{"program": prog})
	c.ok("setFunctionBreakpoints", map[string]any{"breakpoints": []map[string]any{{"name": "hit_a"}}})
	c.ok("configurationDone", nil)
	st := c.stopped()
	frames := c.ok("stackTrace", map[string]any{"threadId": st.Body.ThreadId}).(*dap.StackTraceResponse).Body.StackFrames
	if len(frames) < 2 || frames[0].Name != "hit_a" {
		t.Fatalf("stack: %+v", frames)
	}
	checkFrameSources(t, c, frames)
	for i := 0; i < 2; i++ {
		if frames[i].Source != nil {
			t.Errorf("frame %d %s of a program without line tables has source %+v", i, frames[i].Name, frames[i].Source)
		}
	}
	d := c.ok("disassemble", map[string]any{"memoryReference": frames[0].InstructionPointerReference, "instructionCount": 1}).(*dap.DisassembleResponse)
	if len(d.Body.Instructions) != 1 || d.Body.Instructions[0].Address != frames[0].InstructionPointerReference || d.Body.Instructions[0].Instruction == "??" {
		t.Errorf("disassembly at frame 0: %+v", d.Body.Instructions)
	}
	c.ok("setFunctionBreakpoints", map[string]any{"breakpoints": []map[string]any{}})
	c.ok("continue", map[string]any{"threadId": st.Body.ThreadId})
	if code := c.exitedAndTerminated(); code != 0 {
		t.Errorf("exit code %d", code)
	}
}
