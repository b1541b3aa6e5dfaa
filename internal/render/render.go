package render

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/fatih/color"
	"github.com/olekukonko/tablewriter"

	"hood/internal/result"
)

// Renderer writes results to one stream.
type Renderer struct {
	W     io.Writer
	Color bool
}

func (r *Renderer) paint(s string, attrs ...color.Attribute) string {
	if !r.Color {
		return s
	}
	c := color.New(attrs...)
	c.EnableColor()
	return c.Sprint(s)
}

// Result prints one command's result. With narrate off only what the
// learner asked to see is printed: text, tables, JSON and labelled lines.
func (r *Renderer) Result(res *result.Result, narrate bool) {
	if res == nil {
		return
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
		fmt.Fprintln(r.W, res.Text)
	}
	if res.Table != nil {
		r.table(res.Table)
	}
	r.steps(res, narrate)
	if narrate {
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
func (r *Renderer) Syscalls(res *result.Result, narrate bool) {
	if res != nil {
		r.steps(res, narrate)
	}
}

func (r *Renderer) steps(res *result.Result, narrate bool) {
	if narrate {
		for _, s := range res.Syscalls {
			r.syscall(s)
		}
		for _, c := range res.Changes {
			r.change(c)
		}
	}
	for _, l := range res.Lines {
		r.line(l.Key, l.Value)
	}
}

const keyWidth = 9

func (r *Renderer) line(key, value string) {
	pad := keyWidth - len(key)
	if pad < 1 {
		pad = 1
	}
	indent := strings.Repeat(" ", 2+keyWidth+1)
	value = strings.ReplaceAll(value, "\n", "\n"+indent)
	fmt.Fprintf(r.W, "  %s%s%s\n", r.paint(key, color.FgCyan), strings.Repeat(" ", pad), value)
}

func (r *Renderer) syscall(s result.Syscall) {
	var text string
	switch {
	case s.Failed() && s.Lib:
		text = s.Text() + " = " + r.paint(s.ErrName(), color.FgRed, color.Bold) + " (" + s.Errno.Error() + ")  [a C library call]"
	case s.Failed():
		text = s.Text() + " = -1 " + r.paint(s.ErrName(), color.FgRed, color.Bold) + " (" + s.Errno.Error() + ")"
	default:
		text = r.paint(s.Text(), color.FgYellow) + " = " + s.Result()
	}
	if s.Who != "" {
		text += r.paint("   ["+s.Who+"]", color.Faint)
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

func (r *Renderer) table(t *result.Table) {
	tbl := tablewriter.NewWriter(r.W)
	tbl.SetAutoFormatHeaders(false)
	tbl.SetAutoWrapText(false)
	tbl.SetHeaderAlignment(tablewriter.ALIGN_LEFT)
	tbl.SetAlignment(tablewriter.ALIGN_LEFT)
	tbl.SetBorder(false)
	tbl.SetHeaderLine(false)
	tbl.SetColumnSeparator("")
	tbl.SetCenterSeparator("")
	tbl.SetRowSeparator("")
	tbl.SetNoWhiteSpace(true)
	tbl.SetTablePadding("  ")
	header := make([]string, len(t.Header))
	for i, h := range t.Header {
		header[i] = r.paint(h, color.Bold)
	}
	tbl.SetHeader(header)
	for i, row := range t.Rows {
		cells := make([]string, len(row))
		for j, c := range row {
			if i < len(t.Mark) && t.Mark[i] {
				c = r.paint(c, color.FgGreen)
			}
			cells[j] = c
		}
		tbl.Append(cells)
	}
	tbl.Render()
}

// Error prints an error the way its kind asks: usage errors with their usage
// line, kernel errors with their meaning and fix.
func (r *Renderer) Error(err error) {
	var ke *result.KernelError
	if errors.As(err, &ke) {
		fmt.Fprintf(r.W, "%s %s\n", r.paint("error:", color.FgRed, color.Bold), ke.Error())
		return
	}
	fmt.Fprintf(r.W, "%s %s\n", r.paint("error:", color.FgRed, color.Bold), err.Error())
}
