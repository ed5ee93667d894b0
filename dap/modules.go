package dap

import (
	"debug/elf"
	"fmt"
	"path/filepath"
	"sort"

	"github.com/google/go-dap"
	"github.com/ubpdbg/ubpdbg/debugger"
	"github.com/ubpdbg/ubpdbg/symbols"
)

// module describes an image for the client. Its id is its path: stable
// across reloads and unique in one process.
func module(im *symbols.Image) dap.Module {
	m := dap.Module{Id: im.Path, Name: filepath.Base(im.Path), Path: im.Path}
	if im.DWARFFound() { // not HasDWARF: that would wait for the DWARF to be read
		m.SymbolStatus = "Symbols loaded"
		if im.DebugPath != im.Path {
			m.SymbolFilePath = im.DebugPath
		}
	} else {
		m.SymbolStatus = "No debug information (ELF symbols only)"
	}
	if f := im.ELF(); f != nil {
		var lo, hi uint64
		for _, p := range f.Progs {
			if p.Type != elf.PT_LOAD {
				continue
			}
			if lo == 0 && hi == 0 || p.Vaddr < lo {
				lo = p.Vaddr
			}
			if p.Vaddr+p.Memsz > hi {
				hi = p.Vaddr + p.Memsz
			}
		}
		if hi > lo {
			m.AddressRange = fmt.Sprintf("%#x-%#x", lo+im.Bias, hi+im.Bias)
		}
	}
	return m
}

func (s *session) onModules(r *dap.ModulesRequest) (dap.ResponseMessage, error) {
	dbg, err := s.debuggee()
	if err != nil {
		return nil, err
	}
	ims := dbg.Symbols().Images()
	all := make([]dap.Module, 0, len(ims))
	for _, im := range ims {
		all = append(all, module(im))
	}
	total := len(all)
	start := min(max(r.Arguments.StartModule, 0), total)
	end := total
	if r.Arguments.ModuleCount > 0 {
		end = min(start+r.Arguments.ModuleCount, total)
	}
	return &dap.ModulesResponse{Body: dap.ModulesResponseBody{Modules: all[start:end], TotalModules: total}}, nil
}

// modSet is the set of images the client has been told about, to turn the
// engine's "libraries changed" into module events.
type modSet map[string]bool

func newModSet(t *symbols.Table) modSet {
	m := modSet{}
	for _, im := range t.Images() {
		m[im.Path] = true
	}
	return m
}

func (s *session) modulesChanged(dbg *debugger.Session) {
	dbg.Symbols().IndexInBackground() // images already indexed cost nothing
	now := map[string]*symbols.Image{}
	for _, im := range dbg.Symbols().Images() {
		now[im.Path] = im
	}
	s.mu.Lock()
	var added []*symbols.Image
	var removed []string
	for p, im := range now {
		if !s.mods[p] {
			added = append(added, im)
			s.mods[p] = true
		}
	}
	for p := range s.mods {
		if now[p] == nil {
			removed = append(removed, p)
			delete(s.mods, p)
		}
	}
	s.mu.Unlock()
	sort.Slice(added, func(i, j int) bool { return added[i].Path < added[j].Path })
	sort.Strings(removed)
	for _, im := range added {
		s.out.send(&dap.ModuleEvent{Event: newEvent("module"), Body: dap.ModuleEventBody{Reason: "new", Module: module(im)}})
	}
	for _, p := range removed {
		s.out.send(&dap.ModuleEvent{Event: newEvent("module"), Body: dap.ModuleEventBody{Reason: "removed",
			Module: dap.Module{Id: p, Name: filepath.Base(p), Path: p}}})
	}
}

// onLoadedSources lists the source files named by the line tables of every
// loaded image that has DWARF, as absolute paths.
func (s *session) onLoadedSources(r *dap.LoadedSourcesRequest) (dap.ResponseMessage, error) {
	dbg, err := s.debuggee()
	if err != nil {
		return nil, err
	}
	out := []dap.Source{}
	seen := map[string]bool{}
	for _, im := range dbg.Symbols().Images() {
		for _, f := range s.sources().of(im).files {
			if !seen[f.name] {
				seen[f.name] = true
				out = append(out, dap.Source{Name: filepath.Base(f.name), Path: f.name})
			}
		}
	}
	return &dap.LoadedSourcesResponse{Body: dap.LoadedSourcesResponseBody{Sources: out}}, nil
}
