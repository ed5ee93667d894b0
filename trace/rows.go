package trace

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/ubpdbg/ubpdbg/breakpoints"
	"github.com/ubpdbg/ubpdbg/debugger"
)

// reportRows expands each traced spec into one row per address it had
// while the program ran, the ones in code unmapped since (a dlclose'd
// library, the image before an exec) included, with its hits there. A
// spec that never matched anything gets one row with address "pending".
func reportRows(s *debugger.Session, specs []Location) []Location {
	rows := []Location{} // [] in JSON when nothing but watches was traced
	for _, spec := range specs {
		info, ok := s.Breakpoint(spec.bpID)
		if !ok {
			continue
		}
		locs := append(append([]breakpoints.Location(nil), info.Locations...), info.Unloaded...)
		sort.SliceStable(locs, func(i, j int) bool { return locs[i].Addr < locs[j].Addr })
		if len(locs) == 0 {
			rows = append(rows, Location{Location: spec.Location, Address: "pending", bpID: spec.bpID})
			continue
		}
		for _, l := range locs {
			rows = append(rows, Location{Location: spec.Location, Address: fmt.Sprintf("%#x", l.Addr),
				Function: l.Function, File: l.File, Line: l.Line, Hits: l.Hits, bpID: spec.bpID})
		}
	}
	return rows
}

// watchRows fills in each watched expression's changes and last value.
func watchRows(s *debugger.Session, watches []Watched) []Watched {
	now := map[int]debugger.WatchInfo{}
	for _, w := range s.Watchpoints() {
		now[w.ID] = w
	}
	var rows []Watched
	for _, w := range watches {
		if info, ok := now[w.id]; ok {
			w.Changes, w.Value = info.Hits, info.Value
		} else {
			w.Address = "gone"
		}
		rows = append(rows, w)
	}
	return rows
}

// neverFound says which specs matched nothing in the program or in any
// library it loaded: a typo, most likely, reported once the program is
// done (until then a library that has it could still be loaded).
func neverFound(rows []Location) error {
	var errs []error
	for _, r := range rows {
		if r.Address == "pending" {
			errs = append(errs, fmt.Errorf("%s: not found in the program or in any library it loaded", r.Location))
		}
	}
	return errors.Join(errs...)
}

func joinInts(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, ", ")
}
