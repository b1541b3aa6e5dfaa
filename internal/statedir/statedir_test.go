package statedir

import (
	"os"
	"path/filepath"
	"testing"
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
