package render

import (
	"fmt"
	"strings"

	"github.com/fatih/color"
)

// Caption prints a demo's caption for the audience: a blank line, then
// each line after a bar, bold, wrapped to the width.
func (r *Renderer) Caption(text string) {
	fmt.Fprintln(r.W)
	for _, l := range strings.Split(text, "\n") {
		lines := []string{l}
		if r.Width > 2 {
			lines = wrap(l, r.Width-2, r.Width-2)
		}
		for _, w := range lines {
			fmt.Fprintln(r.W, r.paint("▌ ", color.FgYellow)+r.paint(w, color.Bold))
		}
	}
}

// PromptText is a prompt as the REPL shows it, for text typed after it.
func (r *Renderer) PromptText(p string) string { return r.paint(p, color.FgCyan) }

// TypedText is what the speaker's keys type, as Typed shows it.
func (r *Renderer) TypedText(s string) string { return r.paint(s, color.Bold) }

// Notice prints a line of hood's own about the demo (a step skipped, the
// choices after a failure), dim, wrapped to the width.
func (r *Renderer) Notice(text string) {
	lines := []string{text}
	if r.Width > 0 {
		lines = wrap(text, r.Width, r.Width)
	}
	for _, l := range lines {
		fmt.Fprintln(r.W, r.paint(l, color.Faint))
	}
}
