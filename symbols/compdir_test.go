package symbols

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestRelativeCompDir: a unit whose DW_AT_comp_dir is relative (Debian
// builds libc with "./nptl" through -fdebug-prefix-map) names each file
// once, relative to where the build ran: a file of the compilation
// directory itself gets the directory once ("nptl/pthread_create.c", not
// "nptl/nptl/pthread_create.c"), and a header found through "../include"
// is "include/h.h". DWARF 4 and 5 spell their directory tables
// differently (in DWARF 5 entry 0 is the compilation directory), so both
// are built.
func TestRelativeCompDir(t *testing.T) {
	needTools(t, "gcc")
	for _, version := range []string{"4", "5"} {
		t.Run("dwarf"+version, func(t *testing.T) {
			root := t.TempDir()
			for _, d := range []string{"nptl", "include"} {
				if err := os.Mkdir(filepath.Join(root, d), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			write := func(name, text string) {
				if err := os.WriteFile(filepath.Join(root, name), []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			write("include/h.h", "static inline int twice(int x)\n{\n\treturn 2 * x;\n}\n")
			write("nptl/main.c", "#include \"../include/h.h\"\nint main(int argc, char **argv)\n{\n\treturn twice(argc) - 2;\n}\n")
			exe := filepath.Join(root, "prog")
			run(t, filepath.Join(root, "nptl"), "gcc", "-g", "-gdwarf-"+version, "-O0",
				"-fdebug-prefix-map="+root+"=.", "-o", exe, "main.c")
			im, err := OpenImage(exe, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer im.Close()
			files := im.SourceFiles()
			for _, want := range []string{"nptl/main.c", "include/h.h"} {
				if !slices.Contains(files, want) {
					t.Errorf("source files %q lack %q", files, want)
				}
			}
			for _, f := range files {
				if f == "nptl/nptl/main.c" || filepath.IsAbs(f) {
					t.Errorf("source file %q", f)
				}
			}
			locs, err := im.Resolve("nptl/main.c:4")
			if err != nil || len(locs) == 0 {
				t.Fatalf("nptl/main.c:4: %v %v", locs, err)
			}
			if pi := im.LookupPC(locs[0].PC); len(pi.Frames) == 0 || pi.Frames[0].File != "nptl/main.c" {
				t.Errorf("pc of nptl/main.c:4 is at %+v", pi.Frames)
			}
		})
	}
}

func TestJoinCompDir(t *testing.T) {
	if got := JoinCompDir("./nptl", "include/h.h", false); got != "include/h.h" {
		t.Errorf("DWARF 4 name joined again: %q", got)
	}
	for _, c := range []struct{ dir, name, want string }{
		{"/src", "x.c", "/src/x.c"},
		{"/src", "/src/x.c", "/src/x.c"},
		{"/src", "../inc/h.h", "/inc/h.h"},
		{"./nptl", "nptl/pthread_create.c", "nptl/pthread_create.c"},
		{"./nptl", "../sysdeps/unix/sysv/linux/clock_nanosleep.c", "sysdeps/unix/sysv/linux/clock_nanosleep.c"},
		{"./nptl", "/usr/include/stdio.h", "/usr/include/stdio.h"},
		{".", "x.c", "x.c"},
		{"", "src/x.c", "src/x.c"},
		{"/src", "", ""},
	} {
		if got := JoinCompDir(c.dir, c.name, true); got != c.want {
			t.Errorf("JoinCompDir(%q, %q) = %q, want %q", c.dir, c.name, got, c.want)
		}
	}
}
