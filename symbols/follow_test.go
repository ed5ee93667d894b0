package symbols

import (
	"errors"
	"fmt"
	"path"
	"strings"
	"testing"
)

// TestUpdateSaysWhatChanged: Update reports the images mapped since the
// last look (libc, after the exec stop) and nothing the second time;
// ResolveIn finds names in those images only, and an address in none of
// them matches nothing, where Table.Resolve keeps any address.
func TestUpdateSaysWhatChanged(t *testing.T) {
	needTools(t, "gcc")
	t.Parallel()
	bin := buildC(t, t.TempDir(), "stack", "-O0", abs(t, "testdata/stack.c"))
	s := runToTrap(t, bin)
	tab := s.execMaps
	if tab == nil {
		t.Fatal("no table at the exec stop")
	}
	defer tab.Close()
	ch, err := tab.Update()
	if err != nil {
		t.Fatal(err)
	}
	var libc *Image
	for _, im := range ch.Added {
		if strings.HasPrefix(path.Base(im.Path), "libc.so") {
			libc = im
		}
	}
	if libc == nil || len(ch.Removed) != 0 {
		t.Fatalf("added %v, removed %v: want libc added, nothing removed", names(ch.Added), names(ch.Removed))
	}
	for _, im := range ch.Added {
		if path.Base(im.Path) == "stack" || strings.Contains(im.Path, "/ld-linux") {
			t.Errorf("%s was mapped at the exec stop already, yet reported added", im.Path)
		}
	}
	if again, err := tab.Update(); err != nil || len(again.Added)+len(again.Removed) != 0 {
		t.Errorf("second update: %v, added %v, removed %v; want no change", err, names(again.Added), names(again.Removed))
	}

	locs, err := ResolveIn(ch.Added, "raise")
	if err != nil || len(locs) == 0 || locs[0].Image != libc {
		t.Errorf("raise in the added images: %v %+v, want libc's", err, locs)
	}
	if _, err := ResolveIn(ch.Added, "main"); !errors.Is(err, ErrNotFound) {
		t.Errorf("main in the added images: %v, want not found (it is the executable's)", err)
	}
	mainPC := tab.mustResolve(t, "main")
	addr := fmt.Sprintf("*%#x", mainPC)
	if _, err := ResolveIn(ch.Added, addr); !errors.Is(err, ErrNotFound) {
		t.Errorf("%s in the added images: %v, want not found", addr, err)
	}
	if locs, err := tab.Resolve(addr); err != nil || len(locs) != 1 || locs[0].PC != mainPC {
		t.Errorf("%s in the table: %v %+v", addr, err, locs)
	}
}

func names(ims []*Image) []string {
	var out []string
	for _, im := range ims {
		out = append(out, im.Path)
	}
	return out
}
