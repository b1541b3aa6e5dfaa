package commands

import (
	"fmt"
	"slices"
	"strings"

	"hood/demo"
	"hood/internal/box"
	"hood/internal/result"
)

// exportDemo is box export NAME --demo: the box's construction as a demo
// script of hood commands (hood demo FILE plays it), the same commands
// the shell script replays, as they were typed.
func exportDemo(b *box.Box, steps []exportStep, file string, boxes []string) (*result.Result, error) {
	var lines []string
	others := usesOthers(b, steps, boxes)
	if len(others) > 0 {
		lines = append(lines, "#! This demo joins or uses "+strings.Join(others, ", ")+", which it does not make:",
			"#! put the lines of box export "+strings.Join(others, " / ")+" --demo first.")
	}
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
	if len(others) > 0 {
		r.Say("needs", "%s as it was: %s's commands use it (enter, --peer, ...), and this demo does not make it; export it with --demo too and put its lines first", strings.Join(others, ", "), b.Name)
	}
	if file == "" {
		r.Text = strings.TrimRight(text, "\n")
		return r, nil
	}
	abs, err := writeNewMode(file, text, 0o644)
	if err != nil {
		return nil, err
	}
	r.Say("wrote", "%s (a demo of %d commands, mode 0644)", abs, len(steps))
	r.Shell = "hood demo " + abs
	r.Meaning = fmt.Sprintf("hood demo plays the commands that built %s, one keypress at a time; edit it to add # captions, #! notes and pause lines (docs/demo.md).", b.Name)
	return r, nil
}

// usesOthers lists the other boxes b's commands name: an enter target,
// a --peer, a box word (boxes are this session's box names).
func usesOthers(b *box.Box, steps []exportStep, boxes []string) []string {
	var out []string
	for _, st := range steps {
		for i, a := range st.args {
			named := slices.Contains(boxes, a) || st.cmd == "enter" && i == 0 && a != "host" && !strings.HasPrefix(a, "/")
			if a != b.Name && named && !slices.Contains(out, a) {
				out = append(out, a)
			}
		}
	}
	return out
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

// CheckDemo finds, before the talk starts, a command line that does not
// split (an unterminated quote) or names no hood command.
func CheckDemo(s *demo.Script) error {
	for _, it := range s.Items {
		if it.Kind != demo.Command {
			continue
		}
		cmds, err := Split(it.Text)
		if err != nil {
			return fmt.Errorf("%s:%d: %v in %q", s.Name, it.Line, err, it.Text)
		}
		for _, words := range cmds {
			if c, _ := Lookup(words); c == nil {
				return fmt.Errorf("%s:%d: %q is not a hood command (help lists them; a caption starts with #)", s.Name, it.Line, strings.Join(words, " "))
			}
		}
	}
	return nil
}
