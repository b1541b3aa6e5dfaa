package repl

import (
	"fmt"

	prompt "github.com/c-bata/go-prompt"
)

// Interactive runs the REPL on a terminal until exit or Ctrl-D. go-prompt's
// Input (not Run) is used: Run calls os.Exit on signals, Input leaves
// signals to hood, so boxes are cleaned up and the terminal restored.
func (r *Runner) Interactive(banner string) {
	var history []string
	eof := false
	complete := func(d prompt.Document) []prompt.Suggest {
		var out []prompt.Suggest
		for _, s := range r.S.Complete(d.TextBeforeCursor()) {
			out = append(out, prompt.Suggest{Text: s.Text, Description: s.Desc})
		}
		return out
	}
	fmt.Fprintln(r.Out.W, banner)
	fmt.Fprintln(r.Out.W, "Type help for the commands, exit or Ctrl-D to leave. Start with: unshare uts")
	for !r.S.Done {
		eof = false
		p := prompt.New(func(string) {}, complete,
			prompt.OptionPrefix(r.S.Prompt()),
			prompt.OptionHistory(history),
			prompt.OptionAddKeyBind(prompt.KeyBind{Key: prompt.ControlD, Fn: func(b *prompt.Buffer) {
				if b.Text() == "" {
					eof = true
				}
			}}),
			prompt.OptionPrefixTextColor(prompt.Cyan),
			prompt.OptionCompletionOnDown(),
		)
		line := p.Input()
		if eof {
			fmt.Fprintln(r.Out.W, "exit")
			return
		}
		if line == "" {
			continue
		}
		history = append(history, line)
		r.Line(line)
	}
}
