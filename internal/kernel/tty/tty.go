// Package tty reads single key presses from a terminal without waiting
// for Enter, for live views that run "until a key is pressed" (termios(3),
// poll(2)).
package tty

import (
	"time"

	"golang.org/x/sys/unix"
	"golang.org/x/term"
)

// Keys puts the terminal on fd in raw mode so that one key press can be
// seen; restore puts it back as it was.
func Keys(fd int) (restore func(), err error) {
	old, err := term.MakeRaw(fd)
	if err != nil {
		return nil, err
	}
	// Raw mode also stops output post-processing (\n without \r); a live
	// view prints lines, so keep output as it was.
	if t, err := unix.IoctlGetTermios(fd, unix.TCGETS); err == nil {
		t.Oflag |= unix.OPOST | unix.ONLCR
		_ = unix.IoctlSetTermios(fd, unix.TCSETS, t)
	}
	return func() { _ = term.Restore(fd, old) }, nil
}

// Pressed waits up to d for input on fd and consumes it; it reports whether
// a key was pressed.
func Pressed(fd int, d time.Duration) bool {
	fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	n, err := unix.Poll(fds, int(d/time.Millisecond))
	if err != nil || n == 0 {
		return false
	}
	var buf [16]byte
	_, _ = unix.Read(fd, buf[:])
	return true
}
