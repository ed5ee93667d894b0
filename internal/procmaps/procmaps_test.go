package procmaps

import (
	"os"
	"reflect"
	"testing"
)

func TestParseLine(t *testing.T) {
	for _, c := range []struct {
		line string
		want Mapping
		ok   bool
	}{
		{"55d0c0a00000-55d0c0a21000 r-xp 00002000 08:01 1234   /usr/bin/my prog (deleted)",
			Mapping{0x55d0c0a00000, 0x55d0c0a21000, "r-xp", 0x2000, "/usr/bin/my prog (deleted)"}, true},
		{"7ffd1000-7ffd3000 r-xp 00000000 00:00 0                          [vdso]",
			Mapping{0x7ffd1000, 0x7ffd3000, "r-xp", 0, "[vdso]"}, true},
		{"7f0000000000-7f0000001000 rw-p 00000000 00:00 0",
			Mapping{0x7f0000000000, 0x7f0000001000, "rw-p", 0, ""}, true},
		{"nothex-10 r-xp 0 0 0", Mapping{}, false},
		{"20-10 r-xp 0 0 0", Mapping{}, false},
		{"", Mapping{}, false},
	} {
		got, ok := parseLine(c.line)
		if ok != c.ok || !reflect.DeepEqual(got, c.want) {
			t.Errorf("parseLine(%q) = %+v, %v; want %+v, %v", c.line, got, ok, c.want, c.ok)
		}
	}
}

// TestReadSelf: this test's own process has its executable mapped, the
// code of a function of it in an executable mapping of that file.
func TestReadSelf(t *testing.T) {
	ms, err := Read(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	exe, _ := os.Executable()
	pc := uint64(reflect.ValueOf(TestReadSelf).Pointer())
	m, ok := Find(ms, pc)
	if !ok || !m.Executable() || m.Path != exe {
		t.Fatalf("the mapping of %#x is %+v (%v), want an executable one of %s", pc, m, ok, exe)
	}
	for i := 1; i < len(ms); i++ {
		if ms[i].Start < ms[i-1].End {
			t.Fatalf("not in address order: %+v after %+v", ms[i], ms[i-1])
		}
	}
	if _, ok := Find(ms, 0); ok {
		t.Error("address 0 is mapped?")
	}
	if _, err := Read(1 << 30); err == nil {
		t.Error("a missing process has mappings")
	}
}
