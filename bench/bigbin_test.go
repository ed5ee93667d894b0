package main

import (
	"strings"
	"testing"
	"time"
)

// timed makes timed lines, one a second.
func timed(text string) []timedLine {
	var ls []timedLine
	for i, l := range strings.Split(strings.TrimSpace(text), "\n") {
		ls = append(ls, timedLine{at: time.Duration(i+1) * time.Second, text: l})
	}
	return ls
}

// TestBigbinMarks reads the phases out of a ubpdbg and a gdb transcript
// the way the bigbin section does, and refuses a backtrace without the
// breakpoint's file (symbols not loaded).
func TestBigbinMarks(t *testing.T) {
	ubp := timed(`(ubpdbg) break JavaThread::sleep
Breakpoint 1 at 0x7f5a9a0a8360: JavaThread::sleep() thread.cpp:2445
(ubpdbg) continue
Thread 6703 stopped at breakpoint 1: JavaThread::sleep() thread.cpp:2445
(ubpdbg) bt
> #0  0x00007f5a9a0a8360 in JavaThread::sleep(this=0x7f5a94017ea0, millis=5) at make/hotspot/src/hotspot/share/runtime/thread.cpp:2445
(ubpdbg) detach
Detached from process 6701; it goes on running`)
	p := marks(ubp, 9*time.Second, [4][2]string{{"(ubpdbg) break", "prefix"}, {"(ubpdbg) continue", "prefix"},
		{"stopped at breakpoint 1", ""}, {"(ubpdbg) detach", "prefix"}})
	if p.err != nil {
		t.Fatal(p.err)
	}
	if p.attached != 1*time.Second || p.bpSet != 3*time.Second || p.hit != 4*time.Second || p.bt != 7*time.Second || p.end != 9*time.Second {
		t.Errorf("ubpdbg phases %+v", p)
	}
	if err := btShows(ubp, "(ubpdbg) bt", "(ubpdbg) detach", "thread.cpp:"); err != nil {
		t.Error(err)
	}
	if err := btShows(ubp, "(ubpdbg) bt", "(ubpdbg) detach", "messages.go:"); err == nil {
		t.Error("a backtrace without messages.go: passed as showing it")
	}

	gdb := timed(`Attaching to process 6701
@attached
Breakpoint 1 at 0x7f5a9a0a8360: file src/hotspot/share/runtime/thread.cpp, line 2445.
@bp
Thread 2 "java" hit Breakpoint 1, JavaThread::sleep (this=this@entry=0x7f5a94017ea0, millis=millis@entry=5) at src/hotspot/share/runtime/thread.cpp:2445
@hit
#0  JavaThread::sleep (this=this@entry=0x7f5a94017ea0, millis=millis@entry=5) at src/hotspot/share/runtime/thread.cpp:2445
@bt
[Inferior 1 (process 6701) detached]`)
	p = marks(gdb, 10*time.Second, [4][2]string{{"@attached", ""}, {"@bp", ""}, {"@hit", ""}, {"@bt", ""}})
	if p.err != nil || p.attached != 2*time.Second || p.bt != 8*time.Second {
		t.Errorf("gdb phases %+v", p)
	}
	if err := btShows(gdb, "@hit", "@bt", "thread.cpp:"); err != nil {
		t.Error(err)
	}
	if p := marks(gdb[:5], 0, [4][2]string{{"@attached", ""}, {"@bp", ""}, {"@hit", ""}, {"@bt", ""}}); p.err == nil {
		t.Error("a transcript that stops before the hit gave phases")
	}
	med := medianPhases([]phases{{bt: 3 * time.Second}, {bt: 1 * time.Second}, {bt: 2 * time.Second}})
	if med.bt != 2*time.Second {
		t.Errorf("median %v, want 2s", med.bt)
	}
}
