// Package repl reads commands and runs them: interactively with go-prompt on
// a terminal, or line by line from a pipe, a script file or -c.
package repl

import (
	"bufio"
	"errors"
	"io"
	"strings"

	"hood/commands"
	"hood/internal/history"
	"hood/internal/render"
	"hood/internal/result"
)

// Runner runs command lines against one session and prints the results.
type Runner struct {
	S   *commands.Session
	Out *render.Renderer // results
	Err *render.Renderer // errors
	// Restore puts the terminal back as hood found it.
	Restore func()
	// Width, if set, is read before each command: the terminal's width
	// now, so a resize is honoured (0: do not wrap).
	Width func() int
	// OnLine, if set, is called with each input line before it runs (a
	// recording's marker, the history).
	OnLine func(line string)

	parser  *lineParser // the interactive prompt's, kept across prompts
	history []string    // what Up, Down and Ctrl-R walk
	// hist is the history file, once the interactive prompt opened it
	// (histlog.go); nil before, or when it could not be.
	hist       *history.Log
	histOpened bool
}

// Line runs one input line (which may hold several commands separated by
// ';'). It returns false at the first command that fails.
func (r *Runner) Line(line string) bool {
	if r.OnLine != nil {
		r.OnLine(line)
	}
	r.S.NewOutput()
	cmds, err := commands.Split(line)
	if err != nil {
		r.Err.Error(&result.UsageError{Msg: err.Error()})
		return false
	}
	for _, words := range cmds {
		r.measure()
		res, err := r.S.Exec(words)
		r.S.Saw(res, err)
		if err != nil {
			// What the command did before it failed is still narrated.
			r.Out.Syscalls(res, r.S.Narrate)
			r.Err.Error(err)
		} else {
			r.Out.Result(res, r.S.Narrate)
		}
		r.afterCommand(words)
		if err != nil {
			return false
		}
		if r.S.Done {
			return true
		}
	}
	return true
}

// measure gives both renderers the terminal's width as it is now.
func (r *Runner) measure() {
	if r.Width == nil {
		return
	}
	w := r.Width()
	r.Out.Width = w
	if r.Err != nil {
		r.Err.Width = w
	}
}

// afterCommand lets a lab in progress check its step, then runs the lines
// lab solve queued, each shown as if typed.
func (r *Runner) afterCommand(words []string) {
	if r.S.Lab != nil && !commands.IsLabCommand(words) {
		if res := r.S.Lab.After(r.S); res != nil {
			r.Out.Result(res, result.NarrateFull) // the lab speaks even with narration off
		}
	}
	for len(r.S.Queue) > 0 && !r.S.Done {
		line := r.S.Queue[0]
		r.S.Queue = r.S.Queue[1:]
		r.remember(history.Entry{Source: history.Solve, Lab: r.S.QueueFrom.Lab, Step: r.S.QueueFrom.Step, Line: line})
		r.Out.Typed(r.S.Prompt(), line)
		// A solution line that fails (ENOMEM, ESRCH: often the point of
		// the step) does not stop the ones after it.
		r.Line(line)
	}
}

// Lines runs every line from in, stopping at the first failure (like sh -e).
// It returns the exit status hood should end with.
func (r *Runner) Lines(in io.Reader) int {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	n, status := 0, 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if !r.Line(line) {
			// In a lab a failing command is often the point of the
			// step (ENOMEM, ESRCH, EPERM): the lab goes on, and hood
			// exits non-zero at the end.
			if r.S.Lab == nil || r.S.Lab.Active() == "" {
				return 1
			}
			status = 1
		}
		if r.S.Done {
			return status
		}
	}
	if err := sc.Err(); err != nil {
		r.Err.Error(errors.New("reading input: " + err.Error()))
		return 1
	}
	return status
}
