package rootfs

import (
	"archive/tar"
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzExtract feeds Extract arbitrary bytes, seeded with real and hostile
// tarballs: it must never panic, never write outside its directory, and
// stop at its limits.
func FuzzExtract(f *testing.F) {
	f.Add(tarball(f, minimal...))
	f.Add(tarball(f, entry{name: "../x", typ: tar.TypeReg, body: "x"}))
	f.Add(tarball(f, entry{name: "l", link: "/", typ: tar.TypeSymlink}, entry{name: "l/x", typ: tar.TypeReg}))
	f.Add(tarball(f, entry{name: "h", link: "../y", typ: tar.TypeLink}))
	f.Add([]byte{0x1f, 0x8b, 8, 0, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		top := t.TempDir()
		dir := filepath.Join(top, "root")
		os.Mkdir(dir, 0o755)
		Extract(bytes.NewReader(data), dir, Limits{Bytes: 1 << 20, Entries: 200})
		ents, _ := os.ReadDir(top)
		if len(ents) != 1 {
			t.Fatalf("written beside the target: %v", ents)
		}
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
	})
}
