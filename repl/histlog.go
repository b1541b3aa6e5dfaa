package repl

import (
	"fmt"

	"hood/internal/history"
)

// openHistory loads the history file's last lines for Up, Down and Ctrl-R,
// once, when the interactive prompt first starts. A history that cannot be
// read or written (no HOME, a read-only home) is said once, and hood goes
// on without it.
func (r *Runner) openHistory() {
	if r.histOpened {
		return
	}
	r.histOpened = true
	l, entries, err := history.Open(history.Keep)
	if err != nil {
		fmt.Fprintf(r.Err.W, "hood: history not kept: %v\n", err)
		return
	}
	r.hist = l
	old := r.history
	r.history = nil
	for _, e := range entries {
		r.walk(e.Line)
	}
	for _, line := range old {
		r.walk(line)
	}
}

// remember records a line for Up, Down and Ctrl-R, and in the history
// file when the interactive prompt has opened it: lines of -c and script
// files are not kept, nor the lines lab solve types out for them.
func (r *Runner) remember(e history.Entry) {
	if !r.histOpened {
		return
	}
	r.walk(e.Line)
	if r.hist == nil {
		return
	}
	if err := r.hist.Append(e); err != nil {
		fmt.Fprintf(r.Err.W, "hood: history not kept from here on: %v\n", err)
		r.hist = nil
	}
}

// walk adds a line to what Up walks, unless it repeats the last one.
func (r *Runner) walk(line string) {
	if n := len(r.history); n == 0 || r.history[n-1] != line {
		r.history = append(r.history, line)
	}
}
