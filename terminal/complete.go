package terminal

import (
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

// Tab completion (liner's word completer): command names for the first
// word, then function and source file names for commands that take a
// location, command names for help.

// names are the program's function and file names, gathered once in the
// background (reading every compile unit takes a moment for big programs)
// and refreshed when libraries come and go.
type names struct {
	once  sync.Once
	mu    sync.Mutex
	funcs []string
	files []string // base names, with a ':' to go on with a line
}

func (t *Term) loadNames() {
	tab := t.s.Symbols()
	if tab == nil {
		return
	}
	funcs := tab.FunctionNames()
	set := map[string]bool{}
	for _, f := range tab.SourceFiles() {
		set[filepath.Base(f)+":"] = true
	}
	files := make([]string, 0, len(set))
	for f := range set {
		files = append(files, f)
	}
	sort.Strings(files)
	t.names.mu.Lock()
	t.names.funcs, t.names.files = funcs, files
	t.names.mu.Unlock()
}

// locationArg lists the commands whose argument is a location spec.
var locationArg = map[string]bool{"break": true, "tbreak": true, "logpoint": true, "list": true, "disassemble": true}

func (t *Term) complete(line string, pos int) (head string, completions []string, tail string) {
	head, tail = line[:pos], line[pos:]
	start := strings.LastIndexAny(head, " \t") + 1
	word := head[start:]
	head = head[:start]
	first := strings.TrimSpace(head) == ""
	if first {
		return head, prefixed(commandNames(), word), tail
	}
	cmdWord, _, _ := strings.Cut(strings.TrimSpace(head), " ")
	c, _ := lookup(cmdWord)
	if c == nil {
		return head, nil, tail
	}
	switch {
	case c.name == "help":
		return head, prefixed(commandNames(), word), tail
	case locationArg[c.name] && locationNext(fields(head)):
		t.names.once.Do(t.loadNames)
		t.names.mu.Lock()
		defer t.names.mu.Unlock()
		out := prefixed(t.names.files, word)
		out = append(out, prefixed(t.names.funcs, word)...)
		if len(out) > 500 {
			// Too many to cycle through: complete the common prefix.
			return head, []string{commonPrefix(out)}, tail
		}
		return head, out, tail
	}
	return head, nil, tail
}

// locationNext reports whether the words before the cursor (a command
// that takes a location) leave the location to be typed next: nothing
// but the command, or the command and -p.
func locationNext(words []string) bool {
	return len(words) == 1 || len(words) == 2 && words[1] == "-p"
}

func commandNames() []string {
	var out []string
	for _, c := range commands {
		out = append(out, c.name)
		out = append(out, c.aliases...)
	}
	sort.Strings(out)
	return out
}

// prefixed keeps the sorted names that start with p.
func prefixed(names []string, p string) []string {
	i := sort.SearchStrings(names, p)
	var out []string
	for ; i < len(names) && strings.HasPrefix(names[i], p); i++ {
		out = append(out, names[i])
	}
	return out
}

func commonPrefix(ss []string) string {
	if len(ss) == 0 {
		return ""
	}
	p := ss[0]
	for _, s := range ss[1:] {
		for !strings.HasPrefix(s, p) {
			p = p[:len(p)-1]
		}
	}
	return p
}
