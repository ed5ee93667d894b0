package symbols

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ubpdbg/ubpdbg/internal/testprog"
)

// stackAtExec runs testdata/stack.c to its exec stop and returns the table
// of what was mapped then, closed when the test ends.
func stackAtExec(t *testing.T) *Table {
	t.Helper()
	s := runToTrap(t, testprog.BuildC(t, []string{"-O0"}, abs(t, "testdata/stack.c")))
	if s.execMaps == nil {
		t.Fatal("no table at the exec stop")
	}
	t.Cleanup(func() { s.execMaps.Close() })
	return s.execMaps
}

// TestUpdateSaysWhatChanged: Update reports the images mapped since the
// last look (libc, after the exec stop) and nothing the second time;
// ResolveIn finds names in those images only, and an address in none of
// them matches nothing, where Table.Resolve keeps any address.
func TestUpdateSaysWhatChanged(t *testing.T) {
	needTools(t, "gcc")
	t.Parallel()
	tab := stackAtExec(t)
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

// TestUpdateReusesUnloadedImages: a library dlclose'd and dlopen'ed again
// at the same address comes back as the same image (nothing parsed
// again), unless its file changed meanwhile. The process is not traced:
// Update reads /proc/PID/maps.
func TestUpdateReusesUnloadedImages(t *testing.T) {
	needTools(t, "gcc")
	t.Parallel()
	dir := t.TempDir()
	lib := buildC(t, dir, "libshared.so", "-O2", "-fPIC", "-shared", abs(t, "testdata/libshared.c"))
	bin := buildC(t, dir, "dlreopen", "-O0", abs(t, "testdata/dlreopen.c"))
	cmd := exec.Command(bin, lib)
	in, _ := cmd.StdinPipe()
	outPipe, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer in.Close()
	out := bufio.NewReader(outPipe)
	tell := func(what string) {
		t.Helper()
		fmt.Fprintln(in, what)
		if l, err := out.ReadString('\n'); err != nil || l != "ok\n" {
			t.Fatalf("%s: %q %v", what, l, err)
		}
	}
	tab, err := LoadProcess(cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	defer tab.Close()
	isLib := func(im *Image) bool { return filepath.Base(im.Path) == "libshared.so" }
	update := func() (added, removed *Image) {
		t.Helper()
		ch, err := tab.Update()
		if err != nil {
			t.Fatal(err)
		}
		for _, im := range ch.Added {
			if isLib(im) {
				added = im
			}
		}
		for _, im := range ch.Removed {
			if isLib(im) {
				removed = im
			}
		}
		return added, removed
	}

	tell("o")
	first, _ := update()
	if first == nil {
		t.Fatal("the library was not added at its dlopen")
	}
	tell("c")
	if _, removed := update(); removed != first {
		t.Fatalf("removed %v at the dlclose, want the library's image", removed)
	}
	tell("o")
	again, _ := update()
	if again == nil || (again == first) != (again.Bias == first.Bias) {
		t.Fatalf("dlopen again: %p at bias %#x, first %p at %#x: want the same image exactly when at the same bias",
			again, again.Bias, first, first.Bias)
	}
	if again != first {
		t.Logf("mapped at another address the second time (%#x, %#x): reuse not exercised", first.Bias, again.Bias)
	}
	if locs, err := ResolveIn([]*Image{again}, "lib_entry"); err != nil || len(locs) == 0 {
		t.Errorf("lib_entry in the image loaded again: %v", err)
	}

	// A changed file is read again.
	tell("c")
	update()
	later := time.Now().Add(time.Minute)
	if err := os.Chtimes(lib, later, later); err != nil {
		t.Fatal(err)
	}
	tell("o")
	if changed, _ := update(); changed == nil || changed == again {
		t.Errorf("a library whose file changed came back as %p, the old image was %p: want a new one", changed, again)
	}
}
