package call

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

func TestCheckOwn(t *testing.T) {
	for _, bad := range []string{"rel/x", "/a/../b", "/a/..", "/a/./b", "/a//b", "/a/b/", "/a/\x00b"} {
		if CheckOwn(bad) == nil {
			t.Errorf("CheckOwn(%q) took it", bad)
		}
	}
	for _, good := range []string{"/sys/fs/cgroup/pids/hood/box1", "/run/netns/a..b", "/x/...y"} {
		if err := CheckOwn(good); err != nil {
			t.Errorf("CheckOwn(%q): %v", good, err)
		}
	}
}

// The *Own calls refuse a link on the way with ELOOP and change nothing
// through it; the narrated calls say what was made.
func TestOwnCallsRefuseLinks(t *testing.T) { ownCallsRefuseLinks(t, "openat2") }

func ownCallsRefuseLinks(t *testing.T, open string) {
	dir, outside := t.TempDir(), t.TempDir()
	link := filepath.Join(dir, "link")
	if err := os.Symlink(outside, link); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(outside, "f"), []byte("x"), 0o644)
	pid := os.Getpid()
	// A directory that is a link: openat2 answers ELOOP; openat with
	// O_NOFOLLOW|O_DIRECTORY, the older kernels' way, ENOTDIR.
	refused := func(err error) bool {
		return errors.Is(err, unix.ELOOP) || (open == "openat" && errors.Is(err, unix.ENOTDIR))
	}
	if calls, err := WriteOwn("hood", pid, link+"/f", "y"); !errors.Is(err, unix.ELOOP) || (open == "openat2" && (len(calls) != 1 || calls[0].Name != open)) {
		t.Errorf("WriteOwn through a link: %v %v", calls, err)
	}
	if _, err := MkdirOwn("hood", pid, link+"/d", 0o755); !refused(err) {
		t.Errorf("MkdirOwn below a link: %v", err)
	}
	if _, err := CreateOwn("hood", pid, link+"/n", 0); !errors.Is(err, unix.ELOOP) {
		t.Errorf("CreateOwn below a link: %v", err)
	}
	if _, err := UnlinkOwn("hood", pid, link+"/f"); !refused(err) {
		t.Errorf("UnlinkOwn below a link: %v", err)
	}
	if _, err := CheckDirOwn("hood", pid, link); !refused(err) {
		t.Errorf("CheckDirOwn of a link: %v", err)
	}
	if ents, _ := os.ReadDir(outside); len(ents) != 1 {
		t.Errorf("something changed outside: %v", ents)
	}
	if b, _ := os.ReadFile(filepath.Join(outside, "f")); string(b) != "x" {
		t.Errorf("the file outside was written: %q", b)
	}
	// Without links they work, and the narration names the path.
	calls, err := MkdirOwn("hood", pid, dir+"/d", 0o755)
	if err != nil || len(calls) != 3 || calls[1].Name != "mkdirat" || calls[1].AtPath() != dir+"/d" || calls[1].Shell() != "mkdir "+dir+"/d" {
		t.Fatalf("MkdirOwn: %v %v", calls, err)
	}
	if !calls[0].Quiet || calls[1].Quiet || !calls[2].Quiet {
		t.Errorf("only the mkdirat should be shown in brief: %v", calls)
	}
	if _, err := WriteOwn("hood", pid, dir+"/d/../x", "1"); err == nil {
		t.Error("WriteOwn took a path with ..")
	}
}

// On a kernel without openat2 (before 5.6) the same refusals hold: an
// lstat of each directory on the way, then openat with O_NOFOLLOW.
func TestOwnCallsWithoutOpenat2(t *testing.T) {
	noOpenat2 = true
	defer func() { noOpenat2 = false }()
	ownCallsRefuseLinks(t, "openat")
	// The last component a link: O_NOFOLLOW refuses it.
	dir, outside := t.TempDir(), t.TempDir()
	victim := filepath.Join(outside, "f")
	os.WriteFile(victim, []byte("x"), 0o644)
	os.Symlink(victim, filepath.Join(dir, "cpu.max"))
	calls, err := WriteOwn("hood", os.Getpid(), dir+"/cpu.max", "y")
	if !errors.Is(err, unix.ELOOP) || len(calls) != 1 || calls[0].Name != "openat" || calls[0].Args[2].Text != "O_WRONLY|O_CLOEXEC|O_NOFOLLOW" {
		t.Errorf("a write to a planted link without openat2: %v %v", calls, err)
	}
	if b, _ := os.ReadFile(victim); string(b) != "x" {
		t.Errorf("written through: %q", b)
	}
}
