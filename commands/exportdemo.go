package commands

import (
	"fmt"
	"strings"

	"hood/demo"
	"hood/internal/box"
	"hood/internal/result"
)

// exportDemo is box export NAME --demo: the box's construction as a demo
// script of hood commands (hood demo FILE plays it), the same commands
// the shell script replays, as they were typed.
func exportDemo(b *box.Box, steps []exportStep, file string) (*result.Result, error) {
	var lines []string
	// A demo starts with box1 current, as hood does.
	if steps[0].cmd != "box new" && b.Name != "box1" {
		lines = append(lines, "box use "+b.Name)
	}
	for _, st := range steps {
		words := append(strings.Fields(st.cmd), st.args...)
		for i, w := range words {
			words[i] = hoodWord(w)
		}
		lines = append(lines, strings.Join(words, " "))
	}
	text := string(demo.Write("How "+b.Name+" was built", lines, nil))
	r := &result.Result{}
	if file == "" {
		r.Text = strings.TrimRight(text, "\n")
		return r, nil
	}
	abs, err := writeNewMode(file, text, 0o644)
	if err != nil {
		return nil, err
	}
	r.Say("wrote", "%s (a demo of %d commands, mode 0644)", abs, len(lines))
	r.Shell = "hood demo " + abs
	r.Meaning = fmt.Sprintf("hood demo plays the commands that built %s, one keypress at a time; edit it to add # captions, #! notes and pause lines (docs/demo.md).", b.Name)
	return r, nil
}

// hoodWord quotes a word so that Split gives it back as it was.
func hoodWord(w string) string {
	if w != "" && !strings.ContainsAny(w, " \t'\";#\\$`") {
		return w
	}
	if !strings.Contains(w, "'") {
		return "'" + w + "'"
	}
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, `$`, `\$`, "`", "\\`")
	return `"` + r.Replace(w) + `"`
}

// JoinWords makes a command line of words that Split gives back as they
// are (each quoted where it must be).
func JoinWords(words []string) string {
	q := make([]string, len(words))
	for i, w := range words {
		q[i] = hoodWord(w)
	}
	return strings.Join(q, " ")
}
