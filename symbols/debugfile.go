package symbols

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"encoding/hex"
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"
)

// DebugDirs are the directories searched for separate debug files, in
// order, like gdb's debug-file-directory. Tests and embedders may change it
// before opening images.
var DebugDirs = []string{"/usr/lib/debug"}

// buildID returns the GNU build-id of f in hex, or "".
func buildID(f *elf.File) string {
	for _, s := range f.Sections {
		if s.Type != elf.SHT_NOTE {
			continue
		}
		data, err := s.Data()
		if err != nil {
			continue
		}
		if id := noteBuildID(data, f.ByteOrder); id != "" {
			return id
		}
	}
	return ""
}

// noteBuildID walks ELF notes looking for NT_GNU_BUILD_ID (type 3, owner
// "GNU"). Notes are a trivial format, so this is not worth a dependency.
func noteBuildID(data []byte, order binary.ByteOrder) string {
	for len(data) >= 12 {
		namesz := order.Uint32(data[0:])
		descsz := order.Uint32(data[4:])
		typ := order.Uint32(data[8:])
		data = data[12:]
		nameEnd := align4(namesz)
		descEnd := nameEnd + align4(descsz)
		if uint64(len(data)) < descEnd {
			return ""
		}
		name := data[:namesz]
		desc := data[nameEnd : nameEnd+uint64(descsz)]
		if typ == 3 && string(bytes.TrimRight(name, "\x00")) == "GNU" {
			return hex.EncodeToString(desc)
		}
		data = data[descEnd:]
	}
	return ""
}

func align4(n uint32) uint64 { return (uint64(n) + 3) &^ 3 }

// findDebugFile returns the path of the separate debug file for the binary
// at path, or "". It tries, as gdb does, the build-id first
// (DIR/.build-id/xx/rest.debug) and then .gnu_debuglink (next to the
// binary, in its .debug subdirectory, and under DIR + the binary's
// directory), checking the link's CRC so a stale file is not used.
func findDebugFile(path string, f *elf.File, id string) string {
	if len(id) > 2 {
		for _, dir := range DebugDirs {
			p := filepath.Join(dir, ".build-id", id[:2], id[2:]+".debug")
			if fileExists(p) {
				return p
			}
		}
	}
	s := f.Section(".gnu_debuglink")
	if s == nil {
		return ""
	}
	data, err := s.Data()
	if err != nil {
		return ""
	}
	i := bytes.IndexByte(data, 0)
	if i <= 0 {
		return ""
	}
	name := string(data[:i])
	var crc uint32
	if off := align4(uint32(i + 1)); off+4 <= uint64(len(data)) {
		crc = f.ByteOrder.Uint32(data[off:])
	}
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		real = path
	}
	dir := filepath.Dir(real)
	cands := []string{filepath.Join(dir, name), filepath.Join(dir, ".debug", name)}
	for _, d := range DebugDirs {
		cands = append(cands, filepath.Join(d, dir, name))
	}
	for _, c := range cands {
		if c == real || !fileExists(c) {
			continue
		}
		if crc != 0 && fileCRC(c) != crc {
			continue
		}
		return c
	}
	return ""
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

func fileCRC(p string) uint32 {
	data, err := os.ReadFile(p)
	if err != nil {
		return 0
	}
	return crc32.ChecksumIEEE(data)
}

// isGoProducer reports whether a CU's DW_AT_producer is the Go compiler.
func isGoProducer(p string) bool { return strings.HasPrefix(p, "Go cmd/compile") }
