package dap

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-dap"
	"github.com/ubpdbg/ubpdbg/internal/testprog"
)

// TestDataBreakpoints: with every thread running, dataBreakpointInfo on
// a global gives a data ID, and setDataBreakpoints with it stops the
// writer alone (thread mode) with reason "data breakpoint", its number and
// the old and new value. From that stop, a local found through a
// variables reference is watched too, the first one kept (same number);
// an empty set removes both, and the program ends as natively. What cannot
// be watched gets no data ID and the reason; a bad data ID or access type
// is an unverified breakpoint with the reason, and the session goes on.
func TestDataBreakpoints(t *testing.T) {
	requireLinux(t)
	prog := testprog.BuildC(t, []string{"-O0", "-pthread"}, filepath.Join("..", "debugger", "testdata", "watched.c"))
	c, _ := pipeClient(t, Config{})
	if caps := c.initialize(); !caps.SupportsDataBreakpoints {
		t.Fatal("no supportsDataBreakpoints")
	}
	c.ok("launch", map[string]any{"program": prog, "stopMode": "thread"})
	c.ok("configurationDone", nil)

	info := c.ok("dataBreakpointInfo", map[string]any{"name": "shared"}).(*dap.DataBreakpointInfoResponse).Body
	id, _ := info.DataId.(string)
	if id == "" || !strings.HasPrefix(info.Description, "shared (8 bytes at 0x") || len(info.AccessTypes) != 3 {
		t.Fatalf("dataBreakpointInfo: %+v", info)
	}
	bad := c.ok("dataBreakpointInfo", map[string]any{"name": "1 + 2"}).(*dap.DataBreakpointInfoResponse).Body
	if bad.DataId != nil || !strings.Contains(bad.Description, "cannot be watched") {
		t.Errorf("dataBreakpointInfo of 1 + 2: %+v", bad)
	}
	set := c.ok("setDataBreakpoints", map[string]any{"breakpoints": []map[string]any{
		{"dataId": id, "accessType": "write"},
		{"dataId": "garbage"},
		{"dataId": id, "accessType": "sideways"},
	}}).(*dap.SetDataBreakpointsResponse).Body.Breakpoints
	if len(set) != 3 || !set[0].Verified || set[0].Id == 0 || set[1].Verified || !strings.Contains(set[1].Message, "not one that dataBreakpointInfo gave") ||
		set[2].Verified || !strings.Contains(set[2].Message, "unknown access type") {
		t.Fatalf("setDataBreakpoints: %+v", set)
	}
	ev := c.stopped()
	var oldV, newV int
	// The program ran before the watch was set: any one write of it.
	fmt.Sscanf(ev.Body.Text, "Hardware watchpoint %d: shared\n\nOld value = %d\nNew value = %d", new(int), &oldV, &newV)
	if ev.Body.Reason != "data breakpoint" || ev.Body.AllThreadsStopped || len(ev.Body.HitBreakpointIds) != 1 ||
		ev.Body.HitBreakpointIds[0] != set[0].Id || newV != oldV+1 {
		t.Fatalf("stopped %+v", ev.Body)
	}
	st := c.ok("stackTrace", map[string]any{"threadId": ev.Body.ThreadId}).(*dap.StackTraceResponse).Body.StackFrames
	if len(st) == 0 || st[0].Name != "worker" {
		t.Fatalf("stack %+v, want worker on top", st)
	}
	// The writer's local i, through its variables reference.
	sc := c.ok("scopes", map[string]any{"frameId": st[0].Id}).(*dap.ScopesResponse).Body.Scopes
	local := c.ok("dataBreakpointInfo", map[string]any{"variablesReference": sc[0].VariablesReference, "name": "i"}).(*dap.DataBreakpointInfoResponse).Body
	lid, _ := local.DataId.(string)
	if lid == "" || !strings.HasPrefix(local.Description, "i (8 bytes at 0x7") {
		t.Fatalf("dataBreakpointInfo of the local i: %+v", local)
	}
	set2 := c.ok("setDataBreakpoints", map[string]any{"breakpoints": []map[string]any{
		{"dataId": id, "accessType": "write"},
		// Before worker 2's next write of shared (at i % 50 == 0),
		// wherever the first stop was.
		{"dataId": lid, "accessType": "write", "condition": "i % 50 == 7"},
	}}).(*dap.SetDataBreakpointsResponse).Body.Breakpoints
	if len(set2) != 2 || set2[0].Id != set[0].Id || !set2[1].Verified {
		t.Fatalf("setDataBreakpoints again: %+v (want the first kept as %d)", set2, set[0].Id)
	}
	c.ok("continue", map[string]any{"threadId": ev.Body.ThreadId})
	ev = c.stopped()
	var iNow int
	fmt.Sscanf(ev.Body.Text[strings.Index(ev.Body.Text, "New value = "):], "New value = %d", &iNow)
	if ev.Body.Reason != "data breakpoint" || ev.Body.HitBreakpointIds[0] != set2[1].Id || iNow%50 != 7 {
		t.Fatalf("stopped %+v, want the watch on i at 50k+7", ev.Body)
	}
	c.ok("setDataBreakpoints", map[string]any{"breakpoints": []map[string]any{}})
	c.ok("continue", map[string]any{"threadId": ev.Body.ThreadId})
	if code := c.exitedAndTerminated(); code != 0 {
		t.Errorf("exit code %d", code)
	}
}
