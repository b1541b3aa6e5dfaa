package main

import (
	"io"
	"os"
	"strconv"
	"syscall"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
	"golang.org/x/term"

	"hood/internal/cast"
)

// copyOut copies what hood writes on the pty to stdout and into the cast,
// with the marks taken out and made markers, until the pty is closed.
func copyOut(ptmx *os.File, cw *cast.Writer) {
	var stdout io.Writer = os.Stdout
	if !term.IsTerminal(int(os.Stdout.Fd())) {
		lf := &cast.LF{W: os.Stdout}
		defer lf.Flush()
		stdout = lf
	}
	// What one read gives, marks apart, is one write and one event.
	var strip cast.Stripper
	var pending []byte
	out := func(p []byte) { pending = append(pending, p...) }
	flush := func() {
		if len(pending) > 0 {
			_, _ = stdout.Write(pending) // a terminal gone away still leaves the cast
			cw.Output(pending)
			pending = pending[:0]
		}
	}
	mark := func(label string) {
		flush()
		cw.Marker(label)
	}
	// What the Stripper holds back (a read that ends in ESC, or in the
	// start of a mark) waits for the next read: a terminal shows nothing
	// of an escape sequence before its end either.
	buf := make([]byte, 32*1024)
	for {
		n, err := ptmx.Read(buf)
		strip.Feed(buf[:n], out, mark)
		if err != nil {
			strip.Flush(out)
		}
		flush()
		if err != nil {
			return
		}
	}
}

// openMaster opens a new pseudo-terminal: hood's end, non-blocking so that
// a close ends a read blocked on it (record.go), and the terminal's.
func openMaster() (ptmx, tty *os.File, err error) {
	blocking, tty, err := pty.Open()
	if err != nil {
		return nil, nil, err
	}
	defer blocking.Close()
	fd, err := unix.Dup(int(blocking.Fd()))
	if err == nil {
		unix.CloseOnExec(fd)
		err = unix.SetNonblock(fd, true)
	}
	if err != nil {
		tty.Close()
		return nil, nil, err
	}
	return os.NewFile(uintptr(fd), "/dev/ptmx"), tty, nil
}

// setSize gives the pty a size (the kernel signals SIGWINCH to the
// program in its foreground); through the file's own descriptor, as Fd
// would make it blocking again.
func setSize(ptmx *os.File, cols, rows int) {
	if rc, err := ptmx.SyscallConn(); err == nil {
		_ = rc.Control(func(fd uintptr) {
			_ = unix.IoctlSetWinsize(int(fd), unix.TIOCSWINSZ, &unix.Winsize{Col: uint16(cols), Row: uint16(rows)})
		})
	}
}

// exitStatus is the status hood exits with for the hood it ran.
func exitStatus(ps *os.ProcessState) int {
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ps.ExitCode()
}

// castSize is the size the pty is given: the terminal's, else COLUMNS and
// LINES, else 80x24.
func castSize() (cols, rows int) {
	if w, h, err := term.GetSize(int(os.Stdout.Fd())); err == nil && w > 0 && h > 0 {
		return w, h
	}
	cols, rows = 80, 24
	if n, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && n > 0 && n < 1<<16 {
		cols = n
	}
	if n, err := strconv.Atoi(os.Getenv("LINES")); err == nil && n > 0 && n < 1<<16 {
		rows = n
	}
	return cols, rows
}
