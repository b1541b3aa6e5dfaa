package render

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/fatih/color"

	"hood/internal/result"
)

// Renderer writes results to one stream.
type Renderer struct {
	W     io.Writer
	Color bool
	// Width is the terminal's width in columns: lines wrap and tables
	// shrink to fit it. 0 means do not wrap (a pipe, a golden transcript).
	Width int
	// TTY says W is a terminal: only then does a Result with Clear write
	// escape codes.
	TTY bool
}

func (r *Renderer) paint(s string, attrs ...color.Attribute) string {
	if !r.Color {
		return s
	}
	c := color.New(attrs...)
	c.EnableColor()
	return c.Sprint(s)
}

// Result prints one command's result. With narration off only what the
// learner asked to see is printed: text, tables, JSON and labelled lines.
func (r *Renderer) Result(res *result.Result, mode result.Narration) {
	if res == nil {
		return
	}
	if res.Clear {
		r.clear()
	}
	if res.JSON != nil {
		b, err := json.MarshalIndent(res.JSON, "", "  ")
		if err != nil {
			fmt.Fprintf(r.W, "error: %v\n", err)
			return
		}
		fmt.Fprintf(r.W, "%s\n", b)
		return
	}
	if res.Text != "" {
		r.text(res.Text)
	}
	if res.Table != nil {
		r.table(res.Table)
	}
	r.steps(res, mode)
	if mode != result.NarrateOff {
		if res.Shell != "" {
			r.line("shell", res.Shell)
		}
		if res.Meaning != "" {
			r.line("meaning", res.Meaning)
		}
	}
}

// Typed shows a command line as if the learner had typed it at the prompt
// (lab solve types the reference solution).
func (r *Renderer) Typed(prompt, line string) {
	fmt.Fprintln(r.W, r.paint(prompt, color.FgCyan)+r.paint(line, color.Bold))
}

// Syscalls prints what a command did before it failed: its syscalls and
// changes (when narrating) and its labelled lines.
func (r *Renderer) Syscalls(res *result.Result, mode result.Narration) {
	if res != nil {
		r.steps(res, mode)
	}
}

// clear clears the screen as Ctrl-L does at the prompt; on anything but a
// terminal it writes nothing, so no escape codes reach a pipe.
func (r *Renderer) clear() {
	if r.TTY {
		fmt.Fprint(r.W, "\x1b[2J\x1b[H")
	}
}

func (r *Renderer) steps(res *result.Result, mode result.Narration) {
	if mode != result.NarrateOff {
		r.calls(res, mode)
		for _, c := range res.Changes {
			r.change(c)
		}
	}
	for _, l := range res.Lines {
		r.line(l.Key, l.Value)
	}
}

// calls prints the syscalls; brief shows each fold as its summary unless
// the kernel refused one of its calls, which is never folded away, and
// leaves out the quiet steps around a lesson (the openat and close around a
// write) unless they failed.
func (r *Renderer) calls(res *result.Result, mode result.Narration) {
	for i := 0; i < len(res.Syscalls); {
		if f, ok := foldAt(res, i); ok && mode == result.NarrateBrief {
			r.line("syscalls", f.Summary)
			i = f.To
			continue
		}
		if c := res.Syscalls[i]; mode != result.NarrateBrief || !c.Quiet || c.Failed() {
			r.syscall(c)
		}
		i++
	}
}

// foldAt is the fold starting at call i that brief may show as one line.
func foldAt(res *result.Result, i int) (result.Fold, bool) {
	for _, f := range res.Folds {
		if f.From != i || f.To <= f.From || f.To > len(res.Syscalls) {
			continue
		}
		for _, s := range res.Syscalls[f.From:f.To] {
			if s.Failed() {
				return result.Fold{}, false
			}
		}
		return f, true
	}
	return result.Fold{}, false
}

const keyWidth = 9

func (r *Renderer) line(key, value string) {
	pad := keyWidth - len(key)
	if pad < 1 {
		pad = 1
	}
	r.hang("  "+r.paint(key, color.FgCyan)+strings.Repeat(" ", pad), 2+len(key)+pad, value)
}

// hang writes value after prefix; every other line, whether value's own
// or made by wrapping at r.Width, hangs under the value's first column.
func (r *Renderer) hang(prefix string, indent int, value string) {
	if r.Width > 0 && r.Width-indent < minValue {
		indent = min(indent, 4)
	}
	lead := prefix
	for _, para := range strings.Split(value, "\n") {
		lines := []string{para}
		if r.Width > 0 {
			lines = wrap(para, r.Width-cols(lead), r.Width-indent)
		}
		for _, l := range lines {
			fmt.Fprintln(r.W, strings.TrimRight(lead+l, " "))
			lead = strings.Repeat(" ", indent)
		}
	}
}

// text prints free text (help, explain) a paragraph at a time. A paragraph
// wider than the screen is joined and wrapped again, hanging under its
// first line's value (see hangPoint); one that fits keeps its lines.
func (r *Renderer) text(s string) {
	lines := strings.Split(s, "\n")
	for i := 0; i < len(lines); {
		at := hangPoint(lines[i], r.Width)
		j := i + 1
		for strings.TrimSpace(lines[i]) != "" && j < len(lines) && continues(lines[j], at) {
			j++
		}
		if !r.wider(lines[i:j]) {
			for _, l := range lines[i:j] {
				fmt.Fprintln(r.W, l)
			}
		} else {
			value := lines[i][at:]
			for _, l := range lines[i+1 : j] {
				value += " " + strings.TrimSpace(l)
			}
			r.hang(lines[i][:at], cols(lines[i][:at]), value)
		}
		i = j
	}
}

// continues reports whether l goes on the paragraph whose value starts at
// column at: it starts there itself and is not a label line of its own.
func continues(l string, at int) bool {
	indent := len(l) - len(strings.TrimLeft(l, " "))
	return strings.TrimSpace(l) != "" && indent == at && hangPoint(l, 0) == at
}

func (r *Renderer) wider(lines []string) bool {
	for _, l := range lines {
		if r.Width > 0 && cols(l) > r.Width {
			return true
		}
	}
	return false
}

func (r *Renderer) syscall(s result.Syscall) {
	var text string
	switch {
	case s.Failed() && s.Lib:
		text = s.Text() + " = " + r.paint(s.ErrName(), color.FgRed, color.Bold) + " (" + s.Errno.Error() + ")  [a C library call]"
	case s.Failed() && s.Netlink != 0:
		text = s.Text() + " = " + r.paint(s.ErrName(), color.FgRed, color.Bold) + " (" + s.Errno.Error() + ")"
	case s.Failed():
		text = s.Text() + " = -1 " + r.paint(s.ErrName(), color.FgRed, color.Bold) + " (" + s.Errno.Error() + ")"
	default:
		text = r.paint(s.Text(), color.FgYellow) + " = " + s.Result()
	}
	if s.Who != "" {
		text += r.paint("   ["+s.Who+"]", color.Faint)
	}
	if s.Netlink != 0 {
		r.line("netlink", text) // a message inside a sendmsg(2), not a call of its own
		return
	}
	r.line("syscall", text)
}

func (r *Renderer) change(c result.Change) {
	var text string
	if c.Before == c.After {
		text = c.Path + "  " + c.After
	} else {
		text = c.Path + "  " + c.Before + " -> " + r.paint(c.After, color.FgGreen, color.Bold)
	}
	if c.Note != "" {
		text += r.paint("  ("+c.Note+")", color.Faint)
	}
	key := "changed"
	if c.Before == c.After {
		key = "same"
	}
	r.line(key, text)
}

// Error prints an error: its first line after "error:", the rest (usage,
// why, fix) as text, all wrapped to the width.
func (r *Renderer) Error(err error) {
	msg := err.Error()
	var ke *result.KernelError
	if errors.As(err, &ke) {
		msg = ke.Error()
	}
	first, rest, _ := strings.Cut(msg, "\n")
	r.hang(r.paint("error:", color.FgRed, color.Bold)+" ", len("error: "), first)
	if rest != "" {
		r.text(rest)
	}
}
