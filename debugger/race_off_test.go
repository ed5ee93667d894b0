//go:build !race

package debugger

const raceEnabled = false
