package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
	"golang.org/x/term"

	"hood/internal/box"
	"hood/internal/cast"
	"hood/internal/statedir"
)

// hood --record FILE ... is a pseudo-terminal proxy, as asciinema rec and
// script(1) are: it runs hood again (the same arguments less --record) on
// a new pty, in a session of its own with the pty as its controlling
// terminal, and copies everything written there to its own stdout and,
// timed, into FILE as asciicast v2 (internal/cast). So the cast holds what
// the terminal really showed: go-prompt's drawing, colours, and what the
// programs boxes run write to the terminal they inherit. That hood is an
// ordinary run, cleanup and all; it marks each command line (castMarks),
// and this one turns the marks into the cast's "m" events.
func record(file string, overwrite bool, args []string) int {
	box.ReleaseUnused() // record_ctor.go asked for none; this is for a binary that did not
	f, err := createCast(file, overwrite)
	if err != nil {
		fmt.Fprintf(os.Stderr, "hood: --record: %v\n", err)
		return 2
	}
	defer f.Close()
	ptmx, tty, err := pty.Open()
	if err != nil {
		fmt.Fprintf(os.Stderr, "hood: --record needs a pseudo-terminal to run hood on: %v\n", err)
		return 1
	}
	defer ptmx.Close()
	cols, rows := castSize()
	_ = pty.Setsize(ptmx, &pty.Winsize{Cols: uint16(cols), Rows: uint16(rows)})

	env := map[string]string{}
	for _, k := range []string{"TERM", "SHELL"} {
		if v := os.Getenv(k); v != "" {
			env[k] = v
		}
	}
	cw, err := cast.NewWriter(f, cast.Header{Width: cols, Height: rows, Timestamp: time.Now().Unix(),
		Title: strings.TrimSpace("hood " + strings.Join(args, " ")), Env: env})
	if err != nil {
		fmt.Fprintf(os.Stderr, "hood: --record %s: %v\n", file, err)
		return 1
	}

	// Keys go to hood through the pty when hood's own stdin is a
	// terminal (raw here, so that the pty's line discipline is the one
	// that cooks them, or not); otherwise stdin is hood's, as it is, and
	// line mode stays line mode.
	stdinTTY := term.IsTerminal(int(os.Stdin.Fd()))
	cmd := exec.Command("/proc/self/exe", args...)
	cmd.Args[0] = os.Args[0]
	cmd.Env = append(os.Environ(), cast.MarksEnv+"=1")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, tty, tty
	if stdinTTY {
		cmd.Stdin = tty
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 1}

	var saved *term.State
	if stdinTTY {
		if saved, err = term.MakeRaw(int(os.Stdin.Fd())); err != nil {
			fmt.Fprintf(os.Stderr, "hood: --record: cannot put the terminal in raw mode: %v\n", err)
			return 1
		}
		defer term.Restore(int(os.Stdin.Fd()), saved)
	}
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT, syscall.SIGWINCH)
	defer signal.Stop(sigs)
	err = cmd.Start()
	tty.Close()
	if err != nil {
		fmt.Fprintf(os.Stderr, "hood: --record: cannot start hood again: %v\r\n", err)
		return 1
	}
	if stdinTTY {
		go func() { _, _ = io.Copy(ptmx, os.Stdin) }()
	}
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		copyOut(ptmx, cw)
	}()
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	for done := false; !done; {
		select {
		case sig := <-sigs:
			if sig == syscall.SIGWINCH {
				if c, r := castSize(); c != cols || r != rows {
					cols, rows = c, r
					_ = pty.Setsize(ptmx, &pty.Winsize{Cols: uint16(cols), Rows: uint16(rows)})
					cw.Resize(cols, rows)
				}
				continue
			}
			_ = cmd.Process.Signal(sig)
		case <-exited:
			done = true
		}
	}
	// The pty reads EIO once nothing holds it open; a program hood
	// started that lingers with it is not waited for long.
	_ = ptmx.SetReadDeadline(time.Now().Add(2 * time.Second))
	<-copied
	if err := cw.Close(); err != nil {
		fmt.Fprintf(os.Stderr, "hood: --record %s: %v\r\n", file, err)
	}
	return exitStatus(cmd.ProcessState)
}

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

// createCast makes the file a recording goes to, mode 0600 and, under
// sudo, owned by the invoking user (as hood's state files are). It is
// always a new file, never one opened through a symbolic link: an
// existing one is refused, or with --overwrite removed first (a regular
// file only, and under sudo only one of the invoking user's).
func createCast(path string, overwrite bool) (*os.File, error) {
	_, uid, gid, err := statedir.Dir()
	if err != nil && os.Geteuid() == 0 && os.Getenv("SUDO_USER") != "" {
		return nil, fmt.Errorf("%s: who should own it: %v", path, err)
	}
	if st, lerr := os.Lstat(path); lerr == nil && overwrite {
		owner := int(st.Sys().(*syscall.Stat_t).Uid)
		switch {
		case !st.Mode().IsRegular():
			return nil, fmt.Errorf("%s exists and is not a regular file (%v): hood does not write through it, give another name", path, st.Mode().Type())
		case uid >= 0 && owner != uid:
			return nil, fmt.Errorf("%s belongs to uid %d, not to you (uid %d): hood will not replace it", path, owner, uid)
		}
		if err := os.Remove(path); err != nil {
			return nil, err
		}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("%s exists: give --overwrite to replace it, or another name", path)
	}
	if err != nil {
		return nil, err
	}
	if uid >= 0 {
		if err := f.Chown(uid, gid); err != nil {
			f.Close()
			os.Remove(path)
			return nil, err
		}
	}
	return f, nil
}

// castMarks, in the hood that hood --record runs, writes a mark before
// each command line, where the recording puts its marker; next (if any)
// runs after it. Anywhere else it is next.
func castMarks(next func(string)) func(string) {
	if os.Getenv(cast.MarksEnv) != "1" {
		return next
	}
	os.Unsetenv(cast.MarksEnv)
	return func(line string) {
		// -c's lines end in the ';' that joined them (run.go).
		_, _ = os.Stdout.Write(cast.Mark(strings.TrimRight(line, "; ")))
		if next != nil {
			next(line)
		}
	}
}
