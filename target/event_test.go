package target

import "testing"

func TestShellCode(t *testing.T) {
	for _, tt := range []struct {
		st   ExitStatus
		want int
	}{
		{ExitStatus{Code: 0}, 0},
		{ExitStatus{Code: 3}, 3},
		{ExitStatus{Signal: 9}, 137},
		{ExitStatus{Signal: 11, CoreDumped: true}, 139},
	} {
		if got := tt.st.ShellCode(); got != tt.want {
			t.Errorf("%v: shell code %d, want %d", tt.st, got, tt.want)
		}
	}
}
