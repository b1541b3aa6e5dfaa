package procfs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestNodesInRoot(t *testing.T) {
	dir := t.TempDir()
	os.Symlink("/proc/self/fd", filepath.Join(dir, "fd"))
	os.Mkdir(filepath.Join(dir, "pts"), 0o755)
	os.WriteFile(filepath.Join(dir, "plain"), nil, 0o600)
	want := []string{"fd -> /proc/self/fd", "plain", "pts/"}
	if os.Geteuid() == 0 {
		if err := unix.Mknod(filepath.Join(dir, "null"), unix.S_IFCHR|0o666, int(unix.Mkdev(1, 3))); err == nil {
			unix.Chmod(filepath.Join(dir, "null"), 0o666)
			want = []string{"fd -> /proc/self/fd", "null c 1:3 0666", "plain", "pts/"}
		}
	}
	ns, err := Host.NodesInRoot(os.Getpid(), dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, n := range ns {
		got = append(got, n.String())
	}
	if strings.Join(got, ", ") != strings.Join(want, ", ") {
		t.Errorf("got %q, want %q", got, want)
	}
	if _, err := Host.NodesInRoot(os.Getpid(), filepath.Join(dir, "nosuch")); err == nil {
		t.Error("a missing directory gave no error")
	}
}
