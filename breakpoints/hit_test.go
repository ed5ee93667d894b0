package breakpoints

import (
	"errors"
	"strings"
	"testing"

	"github.com/ubpdbg/ubpdbg/expr"
)

func newBP(t *testing.T, spec Spec) *Breakpoint {
	t.Helper()
	bp, err := New(1, spec)
	if err != nil {
		t.Fatal(err)
	}
	// As Place leaves it: the hits are also counted per location.
	bp.locations = []Location{{Addr: 0x1000}, {Addr: 0x2000}}
	return bp
}

func TestNewRefusesBadSpecs(t *testing.T) {
	for _, spec := range []Spec{
		{Location: "f", HitCond: ">= x"},
		{Location: "f", Log: "{unclosed"},
		{Location: "f", Cond: "a +"},
	} {
		if _, err := New(1, spec); err == nil {
			t.Errorf("New(%+v) accepted it", spec)
		}
	}
}

// TestHitOrder: DAP's order on every hit; the condition first (a hit whose
// condition is false is not counted), then the hit count and hit
// condition, then the log message.
func TestHitOrder(t *testing.T) {
	tests := []struct {
		name string
		spec Spec
		held []bool // the condition's value at each hit
		want []Outcome
		hits uint64
	}{
		{"plain", Spec{}, []bool{true, true}, []Outcome{Stop, Stop}, 2},
		{"condition", Spec{Cond: "i == 2"}, []bool{false, true, false}, []Outcome{Pass, Stop, Pass}, 1},
		{"hit condition", Spec{HitCond: ">= 3"}, []bool{true, true, true, true}, []Outcome{Pass, Pass, Stop, Stop}, 4},
		{"modulo counts held hits only", Spec{Cond: "x", HitCond: "% 2"}, []bool{true, false, true, true}, []Outcome{Pass, Pass, Stop, Pass}, 3},
		{"logpoint", Spec{Log: "i={i}"}, []bool{true, true}, []Outcome{Log, Log}, 2},
		{"logpoint after hit condition", Spec{Log: "x", HitCond: "== 2"}, []bool{true, true, true}, []Outcome{Pass, Log, Pass}, 3},
		{"trace", Spec{Trace: true}, []bool{true, true}, []Outcome{Pass, Pass}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bp := newBP(t, tt.spec)
			for i, held := range tt.held {
				if got := bp.Hit(0x1000, held, nil); got != tt.want[i] {
					t.Errorf("hit %d: %v, want %v", i+1, got, tt.want[i])
				}
			}
			info := bp.Snapshot()
			if info.Hits != tt.hits || info.Locations[0].Hits != tt.hits || info.Locations[1].Hits != 0 {
				t.Errorf("hits %d, at the locations %d and %d; want %d at the first", info.Hits,
					info.Locations[0].Hits, info.Locations[1].Hits, tt.hits)
			}
			wantEvals := uint64(0)
			if tt.spec.Cond != "" {
				wantEvals = uint64(len(tt.held))
			}
			if info.Evaluations != wantEvals {
				t.Errorf("%d evaluations, want %d", info.Evaluations, wantEvals)
			}
		})
	}
}

// TestConditionErrorStopsOnce: a condition that cannot be evaluated stops
// the first time only, later failures are counted, and a new condition
// starts afresh.
func TestConditionErrorStopsOnce(t *testing.T) {
	bp := newBP(t, Spec{Cond: "n > 1"})
	fail := &expr.Error{Msg: "n is optimized out"}
	want := []Outcome{StopCondError, Pass, Pass}
	for i, w := range want {
		if got := bp.Hit(0x2000, false, fail); got != w {
			t.Errorf("failure %d: %v, want %v", i+1, got, w)
		}
	}
	if got := bp.Hit(0x2000, true, nil); got != Stop {
		t.Errorf("condition that holds after failures: %v, want Stop", got)
	}
	info := bp.Snapshot()
	if info.CondErrors != 3 || info.CondError != "n is optimized out" || info.Hits != 1 || info.Evaluations != 4 {
		t.Errorf("after 3 failures and 1 hit: %+v", info)
	}
	msg := CondError{ID: bp.ID(), Cond: bp.Spec().Cond, Err: fail}.Error()
	if !strings.Contains(msg, "breakpoint 1 (n > 1): n is optimized out") {
		t.Errorf("condition error reads %q", msg)
	}
	if !errors.Is(CondError{Err: fail}, fail) {
		t.Error("CondError does not unwrap to its reason")
	}

	*bp.CondCache() = "compiled n > 1"
	bp.SetCondition("n > 2")
	if info := bp.Snapshot(); info.CondErrors != 0 || info.CondError != "" {
		t.Errorf("a new condition kept the old one's errors: %+v", info)
	}
	if got := bp.Hit(0x2000, false, errors.New("no n")); got != StopCondError {
		t.Errorf("first failure of the new condition: %v, want StopCondError", got)
	}
	if *bp.CondCache() != nil {
		t.Error("SetCondition kept the compiled form of the old condition")
	}
}

func TestInternalKindNames(t *testing.T) {
	seen := map[string]bool{}
	for k := StepStmt; k <= Libraries; k++ {
		n := k.String()
		if n == "internal" || seen[n] {
			t.Errorf("kind %d is named %q", k, n)
		}
		seen[n] = true
	}
	if InternalKind(0).String() != "internal" {
		t.Error("the zero kind has a name")
	}
}
