package statedir

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"hood/internal/testenv"
)

func TestDir(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Setenv("SUDO_USER", "") // the sudo case is tested in labs (progress)
	}
	x := t.TempDir()
	t.Setenv("XDG_STATE_HOME", x)
	if d, uid, _, err := Dir(); err != nil || d != filepath.Join(x, "hood") || uid != -1 {
		t.Fatalf("XDG_STATE_HOME: %q %d %v", d, uid, err)
	}
	t.Setenv("XDG_STATE_HOME", "relative/is/ignored")
	t.Setenv("HOME", "/home/h")
	if d, _, _, err := Dir(); err != nil || d != "/home/h/.local/state/hood" {
		t.Fatalf("HOME: %q %v", d, err)
	}
	t.Setenv("HOME", "")
	if _, _, _, err := Dir(); err == nil {
		t.Fatal("no HOME, no XDG_STATE_HOME: no error")
	}
}

func TestMkdirOwned(t *testing.T) {
	testenv.Root(t) // to give the directories away
	base := t.TempDir()
	dir := filepath.Join(base, "a", "b")
	if err := MkdirOwned(dir, 1000, 1001); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{filepath.Join(base, "a"), dir} {
		var st syscall.Stat_t
		if err := syscall.Stat(d, &st); err != nil || st.Uid != 1000 || st.Gid != 1001 || st.Mode&0o777 != 0o700 {
			t.Errorf("%s: uid %d gid %d mode %o, %v; want 1000 1001 700", d, st.Uid, st.Gid, st.Mode&0o777, err)
		}
	}
	var st syscall.Stat_t
	if err := syscall.Stat(base, &st); err != nil || st.Uid != 0 {
		t.Errorf("the existing parent changed owner: uid %d, %v", st.Uid, err)
	}
}
