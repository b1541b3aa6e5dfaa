package statedir

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"hood/internal/testenv"
)

// stateIn points hood's state directory at x/hood (XDG_STATE_HOME=x).
func stateIn(t *testing.T) (anchor, state string) {
	t.Helper()
	if os.Geteuid() == 0 {
		t.Setenv("SUDO_USER", "")
	}
	anchor = t.TempDir()
	t.Setenv("XDG_STATE_HOME", anchor)
	return anchor, filepath.Join(anchor, "hood")
}

func TestWriteFileModes(t *testing.T) {
	_, state := stateIn(t)
	path := filepath.Join(state, "a", "progress.json")
	if err := WriteFile(path, []byte("{}\n"), 0o600, -1, -1); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]os.FileMode{state: 0o700 | os.ModeDir, filepath.Dir(path): 0o700 | os.ModeDir, path: 0o600} {
		st, err := os.Lstat(p)
		if err != nil || st.Mode() != want {
			t.Errorf("%s: mode %v, %v; want %v", p, st.Mode(), err, want)
		}
	}
	// A state directory left wider by an older hood is narrowed.
	os.Chmod(state, 0o755)
	if err := MkdirOwned(filepath.Join(state, "b"), -1, -1); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(state); st.Mode().Perm() != 0o700 {
		t.Errorf("the state directory stays %v", st.Mode().Perm())
	}
	if b, err := ReadFile(path); err != nil || string(b) != "{}\n" {
		t.Errorf("ReadFile: %q %v", b, err)
	}
}

// A symbolic link planted where hood writes, leading out of the state
// directory's anchor, is refused: the file it points at stays untouched.
func TestPlantedLinksRefused(t *testing.T) {
	anchor, state := stateIn(t)
	outside := t.TempDir()
	victim := filepath.Join(outside, "victim")
	if err := os.WriteFile(victim, []byte("precious\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := MkdirOwned(state, -1, -1); err != nil {
		t.Fatal(err)
	}
	untouched := func() {
		t.Helper()
		if b, _ := os.ReadFile(victim); string(b) != "precious\n" {
			t.Fatalf("the file outside was written: %q", b)
		}
		if ents, _ := os.ReadDir(outside); len(ents) != 1 {
			t.Fatalf("something was made outside: %v", ents)
		}
	}
	// A directory hood makes is a link out.
	os.Symlink(outside, filepath.Join(state, "rootfs"))
	if err := MkdirOwned(filepath.Join(state, "rootfs", "x"), -1, -1); err == nil || !strings.Contains(err.Error(), "escapes") {
		t.Errorf("mkdir through a link out: %v, want a refusal", err)
	}
	if _, err := MkdirTemp(filepath.Join(state, "rootfs"), ".partial-"); err == nil {
		t.Error("MkdirTemp through a link out was allowed")
	}
	if err := WriteFile(filepath.Join(state, "rootfs", "f"), []byte("x"), 0o600, -1, -1); err == nil {
		t.Error("a write through a link out was allowed")
	}
	if _, err := OpenRoot(filepath.Join(state, "rootfs")); err == nil {
		t.Error("OpenRoot through a link out was allowed")
	}
	untouched()
	// The file hood writes, and its temporary name, are links out.
	os.Symlink(victim, filepath.Join(state, "progress.json"))
	os.Symlink(victim, filepath.Join(state, ".progress.json.tmp"))
	if _, err := ReadFile(filepath.Join(state, "progress.json")); err == nil {
		t.Error("a read through a link out was allowed")
	}
	if err := WriteFile(filepath.Join(state, "progress.json"), []byte("{}"), 0o600, -1, -1); err != nil {
		t.Fatal(err) // the link is replaced, never written through
	}
	untouched()
	if st, err := os.Lstat(filepath.Join(state, "progress.json")); err != nil || !st.Mode().IsRegular() {
		t.Errorf("progress.json is not hood's own file now: %v %v", st.Mode(), err)
	}
	// The state directory itself is a link out of its anchor.
	os.RemoveAll(state)
	os.Symlink(outside, state)
	if err := WriteFile(filepath.Join(state, "progress.json"), []byte("{}"), 0o600, -1, -1); err == nil {
		t.Error("a state directory linked out of its anchor was written")
	}
	untouched()
	// `..` is refused before any lookup.
	if err := MkdirOwned(filepath.Join(anchor, "hood")+"/../../x", -1, -1); err == nil || !strings.Contains(err.Error(), "..") {
		t.Errorf("a path with .. : %v", err)
	}
}

// Under sudo (root with SUDO_USER, SUDO_UID and SUDO_GID set) the state
// directory is in the invoking user's home and what hood makes there is
// theirs; a SUDO_UID that is not a number is refused, not taken as root.
func TestUnderSudo(t *testing.T) {
	testenv.Root(t)
	home := t.TempDir()
	pw := filepath.Join(t.TempDir(), "passwd")
	os.WriteFile(pw, []byte("alice:x:4321:4322::"+home+":/bin/sh\n"), 0o644)
	old := PasswdFile
	PasswdFile = pw
	t.Cleanup(func() { PasswdFile = old })
	t.Setenv("SUDO_USER", "alice")
	t.Setenv("SUDO_UID", "4321")
	t.Setenv("SUDO_GID", "4322")
	dir, uid, gid, err := Dir()
	if err != nil || dir != filepath.Join(home, ".local/state/hood") || uid != 4321 || gid != 4322 {
		t.Fatalf("Dir: %s %d %d %v", dir, uid, gid, err)
	}
	f := filepath.Join(dir, "bundles", "a", "config.json")
	if err := WriteFile(f, []byte("{}"), 0o600, uid, gid); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{filepath.Join(home, ".local"), dir, filepath.Dir(f), f} {
		var st syscall.Stat_t
		if err := syscall.Lstat(p, &st); err != nil || st.Uid != 4321 || st.Gid != 4322 {
			t.Errorf("%s: owner %d:%d, %v; want 4321:4322", p, st.Uid, st.Gid, err)
		}
		want := uint32(0o700)
		if p == f {
			want = 0o600
		}
		if st.Mode&0o7777 != want {
			t.Errorf("%s: mode %o, want %o", p, st.Mode&0o7777, want)
		}
	}
	t.Setenv("SUDO_UID", "")
	if _, _, _, err := Dir(); err == nil {
		t.Error("an empty SUDO_UID was taken as an owner")
	}
}

// An $XDG_STATE_HOME that does not exist yet is made, 0700, as the XDG
// Base Directory Specification asks.
func TestMissingStateHomeIsMade(t *testing.T) {
	anchor, _ := stateIn(t)
	x := filepath.Join(anchor, "not", "yet")
	t.Setenv("XDG_STATE_HOME", x)
	if err := WriteFile(filepath.Join(x, "hood", "progress.json"), []byte("{}"), 0o600, -1, -1); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{filepath.Join(anchor, "not"), x, filepath.Join(x, "hood")} {
		if st, err := os.Stat(d); err != nil || st.Mode().Perm() != 0o700 {
			t.Errorf("%s: %v %v, want a 0700 directory", d, st, err)
		}
	}
}

// OpenAppend makes the file 0600 and appends; a link planted under its
// name that leads out is refused, and a FIFO is not opened (nor waited on).
func TestOpenAppend(t *testing.T) {
	_, state := stateIn(t)
	path := filepath.Join(state, "history")
	for _, line := range []string{"one\n", "two\n"} {
		f, err := OpenAppend(path, 0o600, -1, -1)
		if err != nil {
			t.Fatal(err)
		}
		f.WriteString(line)
		f.Close()
	}
	if b, _ := os.ReadFile(path); string(b) != "one\ntwo\n" {
		t.Errorf("appended: %q", b)
	}
	if st, err := os.Stat(path); err != nil || st.Mode() != 0o600 {
		t.Errorf("mode %v, %v; want 0600", st.Mode(), err)
	}
	victim := filepath.Join(t.TempDir(), "victim")
	os.WriteFile(victim, []byte("precious\n"), 0o644)
	os.Remove(path)
	os.Symlink(victim, path)
	if f, err := OpenAppend(path, 0o600, -1, -1); err == nil {
		f.Close()
		t.Error("an append through a link out was allowed")
	}
	if b, _ := os.ReadFile(victim); string(b) != "precious\n" {
		t.Errorf("the file outside was written: %q", b)
	}
	os.Remove(path)
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
	// Without a reader, O_NONBLOCK gives ENXIO; with one (below), the
	// check of the file's type refuses it.
	if f, err := OpenAppend(path, 0o600, -1, -1); err == nil {
		f.Close()
		t.Error("a FIFO was opened to append to")
	}
	r, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if f, err := OpenAppend(path, 0o600, -1, -1); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		if f != nil {
			f.Close()
		}
		t.Errorf("a FIFO with a reader: %v, want not a regular file", err)
	}
}
