package target

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ubpdbg/ubpdbg/internal/testprog"
)

// TestHandOffOutput: a launched program whose stdout we relay is detached
// while it prints, and its output is handed to a relay process: the
// program finishes (no SIGPIPE once we stop reading), and what we copied
// and what the relay copied are together its native output, every line
// once and in order.
func TestHandOffOutput(t *testing.T) {
	prog := testprog.BuildC(t, []string{"-O0"}, filepath.Join("..", "cmd", "ubpdbg", "testdata", "ticker.c"))
	native, err := exec.Command(prog, "100").Output()
	if err != nil {
		t.Fatal(err)
	}
	ours := &testprog.Output{}
	p := startTraced(t, LaunchOptions{Path: prog, Args: []string{"100"}, Stdout: ours})
	if !p.HasRelays() {
		t.Fatal("no relay for a writer that is not a file")
	}
	if err := p.Do(func(c *Ctl) error { return c.ContAll() }); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(ours.String(), "tick 10\n") {
		if time.Now().After(deadline) {
			t.Fatalf("no output: %q", ours.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := p.Detach(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "relayed")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pids, err := p.HandOffOutput(f)
	if err != nil || len(pids) != 1 {
		t.Fatalf("hand off: %v %v", pids, err)
	}
	relayed := func() string { b, _ := os.ReadFile(path); return string(b) }
	for !strings.Contains(relayed(), "done 100\n") {
		if time.Now().After(deadline) {
			t.Fatalf("the program did not finish after the hand-off (ours %q, relayed %q)", ours.String(), relayed())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if got := ours.String() + relayed(); got != string(native) {
		t.Errorf("output %q + %q, want %q", ours.String(), relayed(), native)
	}
}
