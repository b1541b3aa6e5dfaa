package box

import (
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

// CopyFd gives hood the very file a box holds open: the same inode, with
// hood's pidfd_open and pidfd_getfd narrated as hood's own calls.
func TestCopyFd(t *testing.T) {
	requireRoot(t)
	ok := must(t)
	b, err := Start("cpfd")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Kill()
	f, err := os.CreateTemp("", "hood-copyfd-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.Remove(f.Name())
	f.Close()
	fd := int(ok(b.Open(f.Name(), unix.O_RDONLY|unix.O_CLOEXEC)).Ret)
	mine, calls := b.CopyFd(fd, "the file")
	if mine < 0 || len(calls) != 2 || calls[0].Name != "pidfd_open" || calls[1].Name != "pidfd_getfd" || calls[1].Who != "hood" {
		t.Fatalf("CopyFd: %d, %v", mine, calls)
	}
	defer unix.Close(mine)
	var got, want unix.Stat_t
	if err := unix.Fstat(mine, &got); err != nil {
		t.Fatal(err)
	}
	if err := unix.Stat(f.Name(), &want); err != nil {
		t.Fatal(err)
	}
	if got.Ino != want.Ino || got.Dev != want.Dev {
		t.Errorf("hood's copy is inode %d, the file %d", got.Ino, want.Ino)
	}
	// A descriptor the box does not have: EBADF, and no copy.
	if mine, calls := b.CopyFd(999, "nothing"); mine != -1 || calls[len(calls)-1].ErrName() != "EBADF" {
		t.Errorf("CopyFd of a closed descriptor: %d, %v", mine, calls)
	}
	ok(b.Close(fd, "the file"))
}
