package debugger

import "github.com/ubpdbg/ubpdbg/internal/testprog"

// goBuilds are the Go builds the tests of Go programs run on: every one of
// testprog.GoBuilds, but only the first under the race detector, where the
// builds' differences (map layouts, inlining) are not what is tested and
// each build's runs cost minutes.
func goBuilds() []testprog.GoBuild {
	if raceEnabled {
		return testprog.GoBuilds[:1]
	}
	return testprog.GoBuilds
}
