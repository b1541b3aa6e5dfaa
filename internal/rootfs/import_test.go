package rootfs

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// entry is one tar header, with contents for a file.
type entry struct {
	name, link, body string
	typ              byte
	mode             int64
}

func tarball(t testing.TB, es ...entry) []byte {
	var buf bytes.Buffer
	w := tar.NewWriter(&buf)
	for _, e := range es {
		h := &tar.Header{Name: e.name, Linkname: e.link, Typeflag: e.typ, Mode: e.mode, Size: int64(len(e.body))}
		if h.Mode == 0 {
			h.Mode = 0o644
		}
		if e.typ != tar.TypeReg {
			h.Size = 0
		}
		if err := w.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if e.typ == tar.TypeReg {
			w.Write([]byte(e.body))
		}
	}
	w.Close()
	return buf.Bytes()
}

var minimal = []entry{
	{name: "./", typ: tar.TypeDir, mode: 0o755},
	{name: "./bin/", typ: tar.TypeDir, mode: 0o755},
	{name: "./bin/busybox", typ: tar.TypeReg, body: "#!", mode: 0o755},
	{name: "./bin/sh", link: "/bin/busybox", typ: tar.TypeSymlink},
	{name: "./etc/os-release", typ: tar.TypeReg, body: "NAME=\"Alpine Linux\"\nPRETTY_NAME=\"Alpine Linux v3.20\"\n"},
	{name: "./bin/ash", link: "bin/busybox", typ: tar.TypeLink},
	{name: "./dev/console", typ: tar.TypeChar},
	{name: "./usr/bin/su", typ: tar.TypeReg, body: "x", mode: 0o4755},
}

func TestImportAlpineLike(t *testing.T) {
	s := At(t.TempDir())
	for _, gz := range []bool{false, true} {
		data := tarball(t, minimal...)
		name := "plain"
		if gz {
			var b bytes.Buffer
			z := gzip.NewWriter(&b)
			z.Write(data)
			z.Close()
			data, name = b.Bytes(), "gz"
		}
		file := filepath.Join(t.TempDir(), name+".tar")
		os.WriteFile(file, data, 0o644)
		im, err := s.Import(file, name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if gz != (im.Compressed == "gzip") || im.Files != 3 || im.Symlinks != 1 || im.Links != 1 || len(im.Skipped) != 1 || !im.HasShell || !im.HasRelease {
			t.Errorf("%s: %+v", name, im.Extracted)
		}
		if im.Pretty != "Alpine Linux v3.20" {
			t.Errorf("%s: PRETTY_NAME %q", name, im.Pretty)
		}
		if l, _ := os.Readlink(filepath.Join(im.Path, "bin/sh")); l != "/bin/busybox" {
			t.Errorf("bin/sh links to %q", l)
		}
		if fi, err := os.Stat(filepath.Join(im.Path, "usr/bin/su")); err != nil || fi.Mode()&os.ModeSetuid != 0 || len(im.SetuidDropped) != 1 {
			t.Errorf("setuid kept: %v %v", fi.Mode(), err)
		}
		if _, err := os.Lstat(filepath.Join(im.Path, "dev/console")); err == nil {
			t.Error("a device node was made")
		}
	}
	ls, err := s.List()
	if err != nil || len(ls) != 2 || !strings.HasPrefix(ls[0].Source, "imported from ") {
		t.Fatalf("list: %+v %v", ls, err)
	}
	if err := s.Remove("gz"); err != nil {
		t.Fatal(err)
	}
	if err := s.Remove("../x"); err == nil {
		t.Fatal("rm of a name with a slash")
	}
	if ls, _ := s.List(); len(ls) != 1 {
		t.Fatalf("after rm: %+v", ls)
	}
}

// Hostile tarballs: each is refused, the error names the entry, and
// nothing is left: neither the target nor a partial tree, and nothing
// outside the store.
func TestImportHostile(t *testing.T) {
	outside := t.TempDir()
	victim := filepath.Join(outside, "victim")
	os.WriteFile(victim, []byte("host file"), 0o644)
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"dotdot", tarball(t, entry{name: "../../escape", typ: tar.TypeReg, body: "x"}), `"../../escape"`},
		{"dotdot-inner", tarball(t, entry{name: "a/../../escape", typ: tar.TypeReg, body: "x"}), "climbs out"},
		{"absolute", tarball(t, entry{name: victim, typ: tar.TypeReg, body: "x"}), "absolute"},
		{"abs-symlink-followed", tarball(t,
			entry{name: "etc", link: outside, typ: tar.TypeSymlink},
			entry{name: "etc/victim", typ: tar.TypeReg, body: "pwned"}), `"etc/victim"`},
		{"rel-symlink-out", tarball(t,
			entry{name: "up", link: "../../../../../../../../" + outside, typ: tar.TypeSymlink},
			entry{name: "up/victim", typ: tar.TypeReg, body: "pwned"}), `"up/victim"`},
		{"symlink-then-file", tarball(t,
			entry{name: "x", link: victim, typ: tar.TypeSymlink},
			entry{name: "x", typ: tar.TypeReg, body: "pwned"},
			entry{name: "../bad", typ: tar.TypeReg}), "climbs out"},
		{"hardlink-out", tarball(t, entry{name: "h", link: "../../victim", typ: tar.TypeLink}), "hard link"},
		{"hardlink-abs", tarball(t, entry{name: "h", link: victim, typ: tar.TypeLink}), "outside the target"},
		{"hardlink-via-symlink", tarball(t,
			entry{name: "d", link: outside, typ: tar.TypeSymlink},
			entry{name: "h", link: "d/victim", typ: tar.TypeLink}), `"h"`},
		{"not-a-tarball", []byte("this is plain text, not a tar archive at all, but long enough to be read as a header........." + strings.Repeat("x", 600)), "not a tarball"},
		{"empty", nil, "empty"},
		{"short-text", []byte("hello\n"), "not a tarball: it holds 6 bytes"},
		{"truncated", tarball(t, entry{name: "big", typ: tar.TypeReg, body: strings.Repeat("y", 5000)})[:1500], "truncated"},
		{"xz", []byte{0xfd, '7', 'z', 'X', 'Z', 0, 1, 2}, "xz"},
	}
	store := At(filepath.Join(t.TempDir(), "store"))
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), c.name+".tar")
			os.WriteFile(file, c.data, 0o644)
			_, err := store.Import(file, c.name)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one with %q", err, c.want)
			}
			if testing.Verbose() {
				t.Log(err)
			}
			var ee *EntryError
			if strings.HasPrefix(c.want, `"`) && !errors.As(err, &ee) {
				t.Errorf("not an EntryError: %T", err)
			}
			if b, _ := os.ReadFile(victim); string(b) != "host file" {
				t.Fatalf("the file outside was changed: %q", b)
			}
			if ents, _ := os.ReadDir(outside); len(ents) != 1 {
				t.Fatalf("something was written outside: %v", ents)
			}
			if ents, _ := os.ReadDir(store.Dir); len(ents) != 0 {
				t.Fatalf("left behind in the store: %v", ents)
			}
		})
	}
}

func TestImportRefusesExisting(t *testing.T) {
	s := At(t.TempDir())
	file := filepath.Join(t.TempDir(), "a.tar")
	os.WriteFile(file, tarball(t, minimal...), 0o644)
	if _, err := s.Import(file, "a"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Import(file, "a"); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("second import: %v", err)
	}
	if _, err := s.Import(file, "../a"); err == nil {
		t.Fatal("a name with a slash was accepted")
	}
}

func TestMake(t *testing.T) {
	if _, err := FindBusybox(); err != nil {
		t.Skip(err)
	}
	s := At(t.TempDir())
	m, err := s.Make("bb")
	if err != nil {
		t.Fatal(err)
	}
	if m.Applets < 50 || !strings.HasPrefix(m.Pretty, "hood busybox rootfs") {
		t.Fatalf("%+v", m)
	}
	for _, f := range []string{"bin/sh", "bin/busybox", "etc/passwd", "etc/group", "proc", "sys", "dev", "tmp", "root"} {
		if _, err := os.Lstat(filepath.Join(m.Path, f)); err != nil {
			t.Error(err)
		}
	}
	if l, _ := os.Readlink(filepath.Join(m.Path, "bin/sh")); l != "/bin/busybox" {
		t.Errorf("bin/sh -> %q", l)
	}
	if _, err := s.Make("bb"); err == nil {
		t.Fatal("made twice")
	}
}

func TestStaticCheck(t *testing.T) {
	why, err := static("/bin/ls")
	if err != nil {
		t.Skip(err)
	}
	if why == "" {
		t.Skip("/bin/ls is static here")
	}
	if !strings.Contains(why, "dynamically") {
		t.Fatal(why)
	}
}

// Under sudo the store and the directories made for it belong to the
// invoking user (as lab progress does); the trees stay root's.
func TestStoreUnderSudo(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: the sudo case is root with SUDO_USER set")
	}
	home := t.TempDir()
	s := Store{Dir: filepath.Join(home, ".local", "state", "hood", "rootfs"), uid: 4321, gid: 4322}
	file := filepath.Join(t.TempDir(), "a.tar")
	os.WriteFile(file, tarball(t, minimal...), 0o644)
	if _, err := s.Import(file, "a"); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{s.Dir, filepath.Join(home, ".local")} {
		st, err := os.Stat(d)
		if err != nil {
			t.Fatal(err)
		}
		if uid := st.Sys().(*syscall.Stat_t).Uid; uid != 4321 {
			t.Errorf("%s is owned by %d, want 4321", d, uid)
		}
	}
}

// A partial tree of a hood that is gone is swept; one of a live hood is not.
func TestSweep(t *testing.T) {
	s := At(t.TempDir())
	dead := filepath.Join(s.Dir, ".partial-x-999999999-123")
	live := filepath.Join(s.Dir, ".partial-y-"+strconv.Itoa(os.Getpid())+"-123")
	os.MkdirAll(dead+"/bin", 0o755)
	os.MkdirAll(live, 0o755)
	if got := s.Sweep(); len(got) != 1 || got[0] != dead {
		t.Fatalf("swept %v", got)
	}
	if _, err := os.Stat(live); err != nil {
		t.Fatal("a live hood's partial tree was removed")
	}
}
