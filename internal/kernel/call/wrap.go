package call

import (
	"errors"
	"fmt"
	"syscall"

	"golang.org/x/sys/unix"
)

// Wrap names what was done and, where the kernel answered with an errno,
// keeps that errno (for errors.Is) and spells its name as the kernel does:
// "mkdir /sys/fs/cgroup/memory/hood/box1: permission denied (EACCES)".
func Wrap(what string, err error) error {
	if err == nil {
		return nil
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return fmt.Errorf("%s: %w (%s)", what, errno, unix.ErrnoName(errno))
	}
	return fmt.Errorf("%s: %w", what, err)
}
