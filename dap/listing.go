package dap

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/google/go-dap"
	"github.com/ubpdbg/ubpdbg/debugger"
	"github.com/ubpdbg/ubpdbg/symbols"
)

// Frames in code whose source file is not on this machine (libc's
// sysdeps/unix/sysv/linux/clock_nanosleep.c, a program built elsewhere)
// get a Source with a sourceReference instead of a path a client would
// fail to open (VS Code shows "Could not load source" in an error
// notification and an editor tab). The `source` request answers with a
// listing: a line saying that the source is not available, then the
// disassembly of the function, one instruction a line; the frame's line is
// the line of its instruction. The Source is marked "deemphasize", so VS
// Code focuses the first frame whose source it has.

// listingLimit bounds one listing (a symbol-less stretch of code can be
// long: the listing is for reading around the pc, not a whole library).
const listingLimit = 2000

// listing is the text served for one function, and where each of its
// instructions is in it.
type listing struct {
	name  string // the file the line table names, for the Source's name
	text  string
	addrs []uint64 // start of the instruction on line header+i+1
	first int      // the line of addrs[0]
}

// lineOf returns the listing's line of the instruction holding pc (the
// first line of the listing if none does).
func (l *listing) lineOf(pc uint64) int {
	line := 1
	for i, a := range l.addrs {
		if a > pc {
			break
		}
		line = l.first + i
	}
	return line
}

type listingKey struct {
	image string
	start uint64
}

// listings hands out source references, one per function, for the
// session: code does not change while its library stays loaded, and a
// client may ask for a listing again after the thread ran on.
type listings struct {
	mu    sync.Mutex
	byKey map[listingKey]int
	refs  map[int]*listing
}

func (ls *listings) get(ref int) *listing {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	return ls.refs[ref]
}

// sourceAvailable tells whether a client can open the file itself.
func sourceAvailable(file string) bool {
	if !filepath.IsAbs(file) {
		return false
	}
	st, err := os.Stat(file)
	return err == nil && st.Mode().IsRegular()
}

// unavailableSource returns the Source and line for a frame at pc whose
// file is not on this machine, or nil if no function is known at pc (the
// frame then has no Source and the client shows disassembly).
func (s *session) unavailableSource(dbg *debugger.Session, f symbols.Frame, pc uint64) (*dap.Source, int) {
	start, fn, ok := dbg.Symbols().CodeStart(pc)
	if !ok {
		return nil, 0
	}
	key := listingKey{start: start}
	if f.Image != nil {
		key.image = f.Image.Path
	}
	s.lists.mu.Lock()
	if s.lists.byKey == nil {
		s.lists.byKey, s.lists.refs = map[listingKey]int{}, map[int]*listing{}
	}
	ref, ok := s.lists.byKey[key]
	l := s.lists.refs[ref]
	s.lists.mu.Unlock()
	if !ok {
		l = s.makeListing(dbg, f, key, fn, pc)
		s.lists.mu.Lock()
		if ref, ok = s.lists.byKey[key]; !ok { // not made meanwhile
			ref = len(s.lists.refs) + 1
			s.lists.byKey[key] = ref
			s.lists.refs[ref] = l
		}
		l = s.lists.refs[ref]
		s.lists.mu.Unlock()
	}
	src := &dap.Source{Name: filepath.Base(l.name), Path: l.name, SourceReference: ref,
		PresentationHint: "deemphasize", Origin: "no source on this machine"}
	return src, l.lineOf(pc)
}

// makeListing disassembles the function that starts at key.start, from
// its start to where the code of another function begins.
func (s *session) makeListing(dbg *debugger.Session, f symbols.Frame, key listingKey, fn string, pc uint64) *listing {
	l := &listing{name: f.File}
	var sb strings.Builder
	where := key.image
	if where == "" {
		where = "unknown code"
	}
	fmt.Fprintf(&sb, "; The source of %s is not available on this machine: %s is not here.\n", fn, f.File)
	fmt.Fprintf(&sb, "; Disassembly of %s (%s):\n", fn, where)
	l.first = 3
	d := dbg.Disassembler()
	t := dbg.Symbols()
	for a := key.start; len(l.addrs) < listingLimit; {
		if st, _, ok := t.CodeStart(a); !ok || st != key.start {
			break
		}
		in := d.At(a)
		loc := ""
		if pi := t.LookupPC(a); len(pi.Frames) > 0 && pi.Frames[0].File != "" {
			loc = fmt.Sprintf("%s:%d", filepath.Base(pi.Frames[0].File), pi.Frames[0].Line)
		}
		fmt.Fprintf(&sb, "%#x <+%d>\t%-40s\t; %s\n", a, a-key.start, in.Text, loc)
		l.addrs = append(l.addrs, a)
		if !in.Decoded() {
			break // undecodable: what follows would be guesswork
		}
		a += uint64(in.Len())
	}
	l.text = sb.String()
	return l
}

// onSource serves the listings that frames without local sources refer to.
func (s *session) onSource(r *dap.SourceRequest) (dap.ResponseMessage, error) {
	ref := r.Arguments.SourceReference
	if r.Arguments.Source != nil && r.Arguments.Source.SourceReference > 0 {
		ref = r.Arguments.Source.SourceReference
	}
	if ref <= 0 {
		name := ""
		if r.Arguments.Source != nil {
			name = r.Arguments.Source.Path
		}
		return nil, fmt.Errorf("source %q: only sources that frames refer to by sourceReference are served (open files on disk directly)", name)
	}
	l := s.lists.get(ref)
	if l == nil {
		return nil, errors.New("unknown source reference " + fmt.Sprint(ref))
	}
	return &dap.SourceResponse{Body: dap.SourceResponseBody{Content: l.text, MimeType: "text/x-asm"}}, nil
}
