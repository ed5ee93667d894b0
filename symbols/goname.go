package symbols

import (
	"fmt"
	"sort"
	"strings"
)

// Go function names without their package, as Delve accepts them: a
// FUNC spec that names no function exactly is tried as the end of a Go
// function's name. `risky` is main.risky, `Rect.Area` is main.Rect.Area
// or, when Rect has no such value method, main.(*Rect).Area, and
// `(*Rect).Area` asks for the pointer method. `pkg.F` names F of a
// package whose import path ends in pkg (example.com/x/pkg.F). More than
// one function matching is an error that lists them.

const dwLangGo = 0x16

// goShortName splits a Go function name into its package's last path
// element and the rest: "example.com/x/pkg.(*T).M" -> "pkg", "(*T).M".
func goShortName(full string) (pkg, rest string, ok bool) {
	slash := strings.LastIndexByte(full, '/')
	dot := strings.IndexByte(full[slash+1:], '.')
	if dot < 0 {
		return "", "", false
	}
	dot += slash + 1
	return full[slash+1 : dot], full[dot+1:], true
}

// derefReceiver writes (*T).M as T.M.
func derefReceiver(s string) string {
	if strings.HasPrefix(s, "(*") {
		if i := strings.Index(s, ")."); i > 0 {
			return s[2:i] + s[i+1:]
		}
	}
	return s
}

// goFuncCandidates lists the Go functions of the images that name may
// mean without its package: those whose name ends as name does exactly
// and, when there are none and name gives no pointer receiver, those
// whose pointer methods have name's form (Rect.Area for (*Rect).Area).
func goFuncCandidates(ims []*Image, name string) []string {
	exact, viaPtr := map[string]bool{}, map[string]bool{}
	for _, im := range ims {
		for _, n := range im.funcIndex().goNames {
			pkg, rest, ok := goShortName(n)
			if !ok {
				continue
			}
			switch name {
			case rest, pkg + "." + rest:
				exact[n] = true
			case derefReceiver(rest), pkg + "." + derefReceiver(rest):
				viaPtr[n] = true
			}
		}
	}
	set := exact
	if len(set) == 0 && !strings.Contains(name, "(*") {
		set = viaPtr
	}
	out := make([]string, 0, len(set))
	for n := range set {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// resolveGoShort resolves name, which matches the Go functions cands
// without their package: the one, or an error listing them.
func resolveGoShort(ims []*Image, name string, cands []string, skip bool) ([]Location, error) {
	if len(cands) == 1 {
		if locs := resolveFuncExact(ims, cands[0], skip); len(locs) > 0 {
			return locs, nil
		}
		return nil, fmt.Errorf("%w: no code for function %q", ErrNotFound, cands[0])
	}
	const show = 10
	list, more := cands, ""
	if len(list) > show {
		list, more = list[:show], fmt.Sprintf(" and %d more", len(cands)-show)
	}
	return nil, fmt.Errorf("%q is ambiguous: it may be %s%s (name one in full)", name, strings.Join(list, ", "), more)
}
