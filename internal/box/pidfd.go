package box

import (
	"os"

	"golang.org/x/sys/unix"

	"hood/internal/kernel/call"
	"hood/internal/result"
)

// CopyFd gives hood a copy of descriptor fd of the box's, as pidfd_getfd(2)
// does (Linux 5.6): hood opens a pidfd for the box with pidfd_open(2), asks
// for the copy, and closes the pidfd. The two calls are hood's own and are
// narrated; what names the descriptor. mine is hood's copy (close it), or
// -1 when a call failed (the last call says why).
func (b *Box) CopyFd(fd int, what string) (mine int, calls []result.Syscall) {
	me := os.Getpid()
	pidfd, err := unix.PidfdOpen(b.PID, 0)
	calls = append(calls, call.New("hood", me, "pidfd_open", int64(pidfd), err, call.I(int64(b.PID)), call.I(0)))
	if err != nil {
		return -1, calls
	}
	defer unix.Close(pidfd)
	mine, err = unix.PidfdGetfd(pidfd, fd, 0)
	calls = append(calls, call.New("hood", me, "pidfd_getfd", int64(mine), err, call.Fd(pidfd, "pidfd of "+b.Name), call.I(int64(fd)), call.I(0)))
	if err != nil {
		return -1, calls
	}
	return mine, calls
}
