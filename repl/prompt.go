package repl

import (
	"fmt"

	prompt "github.com/c-bata/go-prompt"

	"hood/internal/history"
	"hood/internal/result"
)

// Interactive runs the REPL on a terminal until exit or Ctrl-D. go-prompt's
// Input (not Run) is used: Run calls os.Exit on signals, Input leaves
// signals to hood, so boxes are cleaned up and the terminal restored.
func (r *Runner) Interactive(banner string) {
	r.measure()
	for _, text := range []string{banner, "Type help for the commands, exit or Ctrl-D to leave. Start with: unshare uts, or lab list for the guided labs"} {
		r.Out.Result(&result.Result{Text: text}, r.S.Narrate) // two paragraphs
	}
	if r.Prompt() {
		fmt.Fprintln(r.Out.W, "exit")
	}
}

// Prompt reads lines with go-prompt and runs them until the session is
// done (exit) or Ctrl-D on an empty line, which it reports. A demo's
// detour to the prompt (`!`) calls it too, and goes back to the script on
// Ctrl-D.
func (r *Runner) Prompt() (ctrlD bool) {
	complete := func(d prompt.Document) []prompt.Suggest {
		if r.parser.search.Shown() {
			return nil
		}
		var out []prompt.Suggest
		for _, s := range r.S.Complete(d.TextBeforeCursor()) {
			out = append(out, prompt.Suggest{Text: s.Text, Description: s.Desc})
		}
		return out
	}
	if r.parser == nil {
		r.parser = newLineParser()
	}
	r.openHistory()
	for !r.S.Done {
		r.parser.search.SetHistory(r.history)
		p := prompt.New(func(string) {}, complete,
			prompt.OptionParser(r.parser),
			prompt.OptionPrefix(r.S.Prompt()),
			prompt.OptionLivePrefix(r.parser.search.LivePrefix),
			prompt.OptionAddASCIICodeBind(prompt.ASCIICodeBind{ASCIICode: searchKey, Fn: r.parser.search.apply}),
			prompt.OptionHistory(r.history),
			prompt.OptionPrefixTextColor(prompt.Cyan),
			prompt.OptionCompletionOnDown(),
		)
		r.parser.arm()
		line := p.Input()
		// go-prompt v0.2.6 "restores" a termios it had already made raw
		// (internal/term mutates its saved copy), so put back our own.
		if r.Restore != nil {
			r.Restore()
		}
		if line == "" && r.parser.ctrlD {
			return true
		}
		if line == "" {
			continue
		}
		r.remember(history.Entry{Source: history.Typed, Line: line})
		r.Line(line)
	}
	return false
}
