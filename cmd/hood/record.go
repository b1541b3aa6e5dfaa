package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"golang.org/x/term"

	"hood/internal/box"
	"hood/internal/cast"
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
	started := false
	defer func() {
		if !started {
			os.Remove(file) // nothing was recorded: no file is left
		}
	}()
	ptmx, tty, err := openMaster()
	if err != nil {
		fmt.Fprintf(os.Stderr, "hood: --record needs a pseudo-terminal to run hood on: %v\n", err)
		return 1
	}
	defer ptmx.Close()
	cols, rows := castSize()
	setSize(ptmx, cols, rows)

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
	// SIGPIPE is caught, not ignored (an ignored signal would be hood's
	// too, across exec): a stdout closed early (| head) gives EPIPE, and
	// the recording goes on to the end.
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT, syscall.SIGWINCH, syscall.SIGPIPE)
	defer signal.Stop(sigs)
	err = cmd.Start()
	tty.Close()
	if err != nil {
		fmt.Fprintf(os.Stderr, "hood: --record: cannot start hood again: %v\r\n", err)
		return 1
	}
	started = true
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
			switch sig {
			case syscall.SIGPIPE:
				continue
			case syscall.SIGWINCH:
				if c, r := castSize(); c != cols || r != rows {
					cols, rows = c, r
					setSize(ptmx, cols, rows)
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
	select {
	case <-copied:
	case <-time.After(2 * time.Second):
		ptmx.Close() // the copy's read returns
		<-copied
	}
	if err := cw.Close(); err != nil {
		fmt.Fprintf(os.Stderr, "hood: --record %s: %v\r\n", file, err)
	}
	return exitStatus(cmd.ProcessState)
}
