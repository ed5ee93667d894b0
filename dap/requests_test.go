package dap

import (
	"encoding/base64"
	"encoding/binary"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-dap"
	"github.com/ubpdbg/ubpdbg/internal/testharness"
)

func TestCapabilities(t *testing.T) {
	c, _ := pipeClient(t, Config{})
	caps := c.initialize()
	want := []bool{caps.SupportsConfigurationDoneRequest, caps.SupportsConditionalBreakpoints, caps.SupportsHitConditionalBreakpoints,
		caps.SupportsLogPoints, caps.SupportsFunctionBreakpoints, caps.SupportsInstructionBreakpoints, caps.SupportsBreakpointLocationsRequest,
		caps.SupportsSteppingGranularity, caps.SupportsSingleThreadExecutionRequests, caps.SupportsSetVariable, caps.SupportsEvaluateForHovers,
		caps.SupportsReadMemoryRequest, caps.SupportsWriteMemoryRequest, caps.SupportsDisassembleRequest, caps.SupportsLoadedSourcesRequest,
		caps.SupportsModulesRequest, caps.SupportsTerminateRequest, caps.SupportTerminateDebuggee, caps.SupportsRestartRequest,
		caps.SupportsValueFormattingOptions, caps.SupportsDataBreakpoints}
	for i, ok := range want {
		if !ok {
			t.Errorf("capability %d missing: %+v", i, caps)
		}
	}
	if caps.SupportsStepBack || caps.SupportsGotoTargetsRequest {
		t.Errorf("capabilities we do not have: %+v", caps)
	}
	c.ok("disconnect", nil)
}

// TestRequestsC drives every request on the C program, stopped at
// hit_a's breakpoint, in all-stop mode with stopOnEntry.
func TestRequestsC(t *testing.T) {
	requireLinux(t)
	prog := buildMT(t)
	src := abs(t, "testdata/mt.c")
	bpA, afterA, callA := testharness.LineOf(t, src, "BP_A"), testharness.LineOf(t, src, "AFTER_A"), testharness.LineOf(t, src, "CALL_A")

	c, _ := pipeClient(t, Config{})
	c.start("launch", map[string]any{"program": prog, "stopOnEntry": true, "stopMode": "all", "cwd": filepath.Dir(prog),
		"env": map[string]any{"UBPDBG_TEST": "1"}})
	proc := c.event("process", isEvent("process")).m.(*dap.ProcessEvent)
	if proc.Body.SystemProcessId <= 0 || proc.Body.StartMethod != "launch" {
		t.Errorf("process event: %+v", proc.Body)
	}

	// breakpointLocations: the lines of hit_a's body that have code.
	bl := c.ok("breakpointLocations", map[string]any{"source": map[string]any{"path": src}, "line": bpA - 6, "endLine": afterA}).(*dap.BreakpointLocationsResponse)
	var lines []int
	for _, l := range bl.Body.Breakpoints {
		lines = append(lines, l.Line)
	}
	if !slices.Contains(lines, bpA) || !slices.Contains(lines, afterA) || slices.Contains(lines, bpA-6) {
		t.Errorf("breakpoint locations %d..%d: %v", bpA-6, afterA, lines)
	}

	// A condition and a hit condition: n == 2 stops on its first hit.
	r := c.ok("setBreakpoints", map[string]any{"source": map[string]any{"path": src},
		"breakpoints": []map[string]any{{"line": bpA, "condition": "n >= 2", "hitCondition": "1"}}}).(*dap.SetBreakpointsResponse)
	if !r.Body.Breakpoints[0].Verified {
		t.Fatalf("conditional breakpoint: %+v", r.Body.Breakpoints)
	}
	bad := c.ok("setBreakpoints", map[string]any{"source": map[string]any{"path": "/no/such/file.c"},
		"breakpoints": []map[string]any{{"line": 3}}}).(*dap.SetBreakpointsResponse)
	if b := bad.Body.Breakpoints[0]; b.Verified || b.Message == "" || b.Line != 3 {
		t.Errorf("breakpoint in a missing file: %+v", b)
	}
	fb := c.ok("setFunctionBreakpoints", map[string]any{"breakpoints": []map[string]any{{"name": "tick_b", "hitCondition": "> 1000000"}, {"name": "no_such_function"}}}).(*dap.SetFunctionBreakpointsResponse)
	if !fb.Body.Breakpoints[0].Verified || fb.Body.Breakpoints[1].Verified || fb.Body.Breakpoints[1].Message == "" {
		t.Errorf("function breakpoints: %+v", fb.Body.Breakpoints)
	}
	c.ok("setExceptionBreakpoints", map[string]any{"filters": []string{}})
	c.ok("configurationDone", nil)
	st := c.stopped()
	if st.Body.Reason != "entry" || !st.Body.AllThreadsStopped {
		t.Fatalf("entry stop: %+v", st.Body)
	}
	c.ok("continue", map[string]any{"threadId": st.Body.ThreadId})
	st = c.stopped()
	if st.Body.Reason != "breakpoint" || !st.Body.AllThreadsStopped {
		t.Fatalf("all-stop breakpoint: %+v", st.Body)
	}
	tid := st.Body.ThreadId
	stk := c.ok("stackTrace", map[string]any{"threadId": tid, "startFrame": 0, "levels": 1}).(*dap.StackTraceResponse)
	if len(stk.Body.StackFrames) != 1 || stk.Body.TotalFrames < 2 {
		t.Fatalf("one frame: %+v", stk.Body)
	}
	top := stk.Body.StackFrames[0]
	sc := c.ok("scopes", map[string]any{"frameId": top.Id}).(*dap.ScopesResponse)
	args := c.ok("variables", map[string]any{"variablesReference": sc.Body.Scopes[1].VariablesReference}).(*dap.VariablesResponse)
	if len(args.Body.Variables) != 1 || args.Body.Variables[0].Value != "2" {
		t.Errorf("condition n >= 2 stopped with %+v", args.Body.Variables)
	}
	more := c.ok("stackTrace", map[string]any{"threadId": tid, "startFrame": 1, "levels": 20}).(*dap.StackTraceResponse)
	if len(more.Body.StackFrames) == 0 || more.Body.StackFrames[0].Name != "thread_a" {
		t.Errorf("frames from 1: %+v", more.Body.StackFrames)
	}
	// The other thread stopped too: its stack is there.
	other := c.threadByName("worker-b")
	c.ok("stackTrace", map[string]any{"threadId": other})

	// Memory: global_counter through its memory reference.
	ev := c.ok("evaluate", map[string]any{"expression": "global_counter", "frameId": top.Id, "context": "watch"}).(*dap.EvaluateResponse)
	if ev.Body.Result != "42" || ev.Body.MemoryReference == "" {
		t.Fatalf("evaluate global_counter: %+v", ev.Body)
	}
	mem := c.ok("readMemory", map[string]any{"memoryReference": ev.Body.MemoryReference, "count": 4}).(*dap.ReadMemoryResponse)
	b, _ := base64.StdEncoding.DecodeString(mem.Body.Data)
	if len(b) != 4 || binary.LittleEndian.Uint32(b) != 42 || mem.Body.UnreadableBytes != 0 {
		t.Errorf("readMemory: %+v", mem.Body)
	}
	c.ok("writeMemory", map[string]any{"memoryReference": ev.Body.MemoryReference, "data": base64.StdEncoding.EncodeToString([]byte{43, 0, 0, 0})})
	ev = c.ok("evaluate", map[string]any{"expression": "global_counter", "frameId": top.Id, "context": "hover"}).(*dap.EvaluateResponse)
	if ev.Body.Result != "43" {
		t.Errorf("after writeMemory: %+v", ev.Body)
	}
	// valueFormatting: hex for one request, natural again without it.
	if ev := c.ok("evaluate", map[string]any{"expression": "global_counter", "frameId": top.Id, "format": map[string]any{"hex": true}}).(*dap.EvaluateResponse); ev.Body.Result != "0x2b" {
		t.Errorf("evaluate hex: %+v", ev.Body)
	}
	hexArgs := c.ok("variables", map[string]any{"variablesReference": sc.Body.Scopes[1].VariablesReference, "format": map[string]any{"hex": true}}).(*dap.VariablesResponse)
	if len(hexArgs.Body.Variables) != 1 || hexArgs.Body.Variables[0].Value != "0x2" {
		t.Errorf("variables hex: %+v", hexArgs.Body.Variables)
	}
	if ev := c.ok("evaluate", map[string]any{"expression": "global_counter", "frameId": top.Id}).(*dap.EvaluateResponse); ev.Body.Result != "43" {
		t.Errorf("evaluate after hex: %+v", ev.Body)
	}
	if msg := c.fails("readMemory", map[string]any{"memoryReference": "zzz", "count": 4}); !strings.Contains(msg, "memory reference") {
		t.Errorf("bad memory reference: %q", msg)
	}
	unread := c.ok("readMemory", map[string]any{"memoryReference": "0x8", "count": 16}).(*dap.ReadMemoryResponse)
	if unread.Body.UnreadableBytes != 16 || unread.Body.Data != "" {
		t.Errorf("readMemory of page 0: %+v", unread.Body)
	}
	// Writing over a breakpoint's int3 is refused.
	if msg := c.fails("writeMemory", map[string]any{"memoryReference": r.Body.Breakpoints[0].InstructionReference, "data": "kA=="}); !strings.Contains(msg, "breakpoint") {
		t.Errorf("writeMemory over a breakpoint: %q", msg)
	}

	// Disassemble around the pc: the breakpoint's int3 is hidden, and the
	// instructions before the pc line up with it.
	dis := c.ok("disassemble", map[string]any{"memoryReference": top.InstructionPointerReference, "instructionOffset": -4, "instructionCount": 10, "resolveSymbols": true}).(*dap.DisassembleResponse)
	ins := dis.Body.Instructions
	if len(ins) != 10 || ins[4].Address != top.InstructionPointerReference || ins[4].Symbol != "hit_a" || ins[4].Line != bpA {
		t.Fatalf("disassemble: %+v", ins)
	}
	for i, in := range ins {
		if strings.Contains(in.Instruction, "int3") || in.Instruction == "" {
			t.Errorf("instruction %d: %+v", i, in)
		}
		if i > 0 {
			prev, _ := strconv.ParseUint(strings.TrimPrefix(ins[i-1].Address, "0x"), 16, 64)
			cur, _ := strconv.ParseUint(strings.TrimPrefix(in.Address, "0x"), 16, 64)
			if n := len(strings.Fields(ins[i-1].InstructionBytes)); prev+uint64(n) != cur {
				t.Errorf("instruction %d at %s does not follow %s (%d bytes)", i, in.Address, ins[i-1].Address, n)
			}
		}
	}

	// Modules and sources.
	mods := c.ok("modules", map[string]any{}).(*dap.ModulesResponse)
	var names []string
	for _, m := range mods.Body.Modules {
		names = append(names, m.Name)
	}
	if len(mods.Body.Modules) < 2 || mods.Body.Modules[0].Path != prog || !strings.Contains(strings.Join(names, " "), "libc") {
		t.Errorf("modules: %v", names)
	}
	page := c.ok("modules", map[string]any{"startModule": 1, "moduleCount": 1}).(*dap.ModulesResponse)
	if len(page.Body.Modules) != 1 || page.Body.TotalModules != len(mods.Body.Modules) {
		t.Errorf("modules page: %+v", page.Body)
	}
	ls := c.ok("loadedSources", nil).(*dap.LoadedSourcesResponse)
	found := false
	for _, s := range ls.Body.Sources {
		found = found || s.Path == src
	}
	if !found {
		t.Errorf("loadedSources has no %s: %+v", src, ls.Body.Sources)
	}

	// Instruction breakpoint at the return line, reached by a next.
	ib := c.ok("setInstructionBreakpoints", map[string]any{"breakpoints": []map[string]any{{"instructionReference": ins[5].Address}}}).(*dap.SetInstructionBreakpointsResponse)
	if !ib.Body.Breakpoints[0].Verified {
		t.Errorf("instruction breakpoint: %+v", ib.Body.Breakpoints)
	}
	c.ok("setInstructionBreakpoints", map[string]any{"breakpoints": []map[string]any{}})

	// Steps: next to the return line, step one instruction, step out to
	// the caller.
	c.ok("next", map[string]any{"threadId": tid})
	st = c.stopped()
	if st.Body.Reason != "step" || st.Body.ThreadId != tid {
		t.Fatalf("next: %+v", st.Body)
	}
	if f := c.ok("stackTrace", map[string]any{"threadId": tid}).(*dap.StackTraceResponse).Body.StackFrames[0]; f.Line != afterA {
		t.Errorf("next went to line %d, want %d", f.Line, afterA)
	}
	before := c.ok("stackTrace", map[string]any{"threadId": tid}).(*dap.StackTraceResponse).Body.StackFrames[0].InstructionPointerReference
	c.ok("next", map[string]any{"threadId": tid, "granularity": "instruction"})
	c.stopped()
	after := c.ok("stackTrace", map[string]any{"threadId": tid}).(*dap.StackTraceResponse).Body.StackFrames[0].InstructionPointerReference
	if before == after {
		t.Errorf("an instruction step stayed at %s", before)
	}
	c.ok("stepOut", map[string]any{"threadId": tid})
	c.stopped()
	if f := c.ok("stackTrace", map[string]any{"threadId": tid}).(*dap.StackTraceResponse).Body.StackFrames[0]; f.Name != "thread_a" || f.Line != callA {
		t.Errorf("stepOut: %+v", f)
	}
	// What hit_a(2) returned leads the caller's locals (2 + 4 + 99*2),
	// until the thread moves on.
	if l := c.locals(tid); len(l) == 0 || l[0].Name != "(return value)" || l[0].Value != "204" || l[0].EvaluateName != "" {
		t.Errorf("locals after stepOut: %+v", l)
	}
	c.ok("stepIn", map[string]any{"threadId": tid})
	c.stopped()
	if l := c.locals(tid); len(l) > 0 && l[0].Name == "(return value)" {
		t.Errorf("a return value outlived the step out: %+v", l)
	}
	// The loop's call of hit_a(3) is entered.
	if f := c.ok("stackTrace", map[string]any{"threadId": tid}).(*dap.StackTraceResponse).Body.StackFrames[0]; f.Name != "hit_a" && f.Name != "thread_a" {
		t.Errorf("stepIn: %+v", f)
	}

	// End: clear, continue all, the program ends with global_counter 43.
	c.ok("setBreakpoints", srcBP(src))
	c.ok("setFunctionBreakpoints", map[string]any{"breakpoints": []map[string]any{}})
	cr := c.ok("continue", map[string]any{"threadId": tid}).(*dap.ContinueResponse)
	if !cr.Body.AllThreadsContinued {
		t.Errorf("all-stop continue says not all threads continued")
	}
	if code := c.exitedAndTerminated(); code != 0 {
		t.Errorf("exit code %d", code)
	}
	if out := strings.Join(c.outputs("stdout"), ""); !strings.Contains(out, "done 43") {
		t.Errorf("output %q", out)
	}
	c.ok("disconnect", nil)
}
