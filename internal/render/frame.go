package render

import (
	"fmt"
	"io"
	"strings"
)

// Frame is one picture of a live view (cgroup watch): Rows are redrawn in
// place on a terminal; Line is the same reading as one line of a log,
// printed instead when the output is not a terminal.
type Frame struct {
	Rows []string
	Line string
}

// Live draws frames one after another. On a terminal each frame replaces
// the last (cursor up over the rows drawn, each line cleared); elsewhere
// each frame's Line is printed, so a pipe or a transcript gets a log.
type Live struct {
	W     io.Writer
	TTY   bool
	drawn int // rows of the frame on screen
}

// Title prints a line above the frames.
func (l *Live) Title(s string) { fmt.Fprintln(l.W, s) }

// Draw shows f.
func (l *Live) Draw(f Frame) {
	if !l.TTY {
		fmt.Fprintln(l.W, f.Line)
		return
	}
	var b strings.Builder
	if l.drawn > 1 {
		// The cursor rests at the end of the last row: go up to the first.
		fmt.Fprintf(&b, "\x1b[%dA", l.drawn-1)
	}
	for i, r := range f.Rows {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString("\r\x1b[K" + r)
	}
	// A frame shorter than the last leaves no stale rows below it.
	b.WriteString("\x1b[J")
	l.drawn = len(f.Rows)
	io.WriteString(l.W, b.String())
}

// End leaves the last frame on screen and the cursor on the line below it.
func (l *Live) End() {
	if l.TTY && l.drawn > 0 {
		fmt.Fprintln(l.W)
	}
	l.drawn = 0
}
