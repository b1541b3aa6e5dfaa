package main

import (
	"fmt"
	"os"
	"strings"

	"hood/commands"
	"hood/demo"
	"hood/internal/history"
)

// demoFromHistory is hood demo --from-history [--file F]: the lines of
// the last session in the history (docs/history.md) as a demo script, on
// stdout or in a new file F. A `lab solve`'s lines come under a caption
// naming the lab and step, and the `lab solve` command itself is left out
// (its lines are there), as are exit, history and what is no hood command
// (a typo, which failed in the session too).
func demoFromHistory(file string) int {
	path, err := history.HistoryPath()
	if err == nil {
		var es []history.Entry
		if es, err = history.ReadHistory(path); err == nil {
			return writeHistoryDemo(es, path, file)
		}
	}
	if history.IsMissing(err) {
		fmt.Fprintf(os.Stderr, "hood demo: no history yet (%s): type some commands at hood's prompt, exit, then try again\n", path)
		return 1
	}
	fmt.Fprintln(os.Stderr, "hood demo: reading the history:", err)
	return 1
}

func writeHistoryDemo(es []history.Entry, path, file string) int {
	if len(es) == 0 {
		fmt.Fprintf(os.Stderr, "hood demo: the history (%s) holds no line\n", path)
		return 1
	}
	last := es[len(es)-1].Session
	var lines, captions []string
	where := ""
	for _, e := range es {
		if e.Session != last {
			continue
		}
		line, ok := demoLine(e.Line)
		if !ok {
			continue
		}
		caption := ""
		switch {
		case e.Source == history.Solve:
			if w := fmt.Sprintf("lab %s, step %d (lab solve)", e.Lab, e.Step); w != where {
				caption, where = w, w
			}
		case where != "":
			caption, where = "typed at the prompt", ""
		}
		lines = append(lines, line)
		captions = append(captions, caption)
	}
	if len(lines) == 0 {
		fmt.Fprintf(os.Stderr, "hood demo: the last session in %s typed nothing a demo replays\n", path)
		return 1
	}
	when := ""
	for _, e := range es {
		if e.Session == last {
			when = e.Time.Format("Jan 2 15:04")
			break
		}
	}
	text := demo.Write("My session of "+when, lines, captions)
	s, err := demo.Parse(text, "history")
	if err == nil {
		err = commands.CheckDemo(s)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "hood demo: the demo made from the history would not play:", err)
		return 1
	}
	if file == "" {
		os.Stdout.Write(text)
		return 0
	}
	if _, err := commands.WriteNewFile(file, string(text), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "hood demo:", err)
		return 1
	}
	fmt.Printf("wrote %s: %s of the session of %s; hood demo %s plays it (add # captions and pause lines first: docs/demo.md)\n", file, plural(len(lines), "command line", "command lines"), when, file)
	return 0
}

// demoLine is a history line as a demo replays it: without the commands
// a demo must not run (exit, history, lab solve, whose lines are in the
// history themselves) or that are no hood command; false when none is left.
func demoLine(line string) (string, bool) {
	cmds, err := commands.Split(line)
	if err != nil {
		return "", false
	}
	var kept []string
	for _, words := range cmds {
		c, _ := commands.Lookup(words)
		if c == nil {
			continue
		}
		if name := c.Name(); name == "exit" || name == "history" || name == "lab solve" {
			continue
		}
		kept = append(kept, commands.JoinWords(words))
	}
	if len(kept) == 0 {
		return "", false
	}
	if len(kept) == len(cmds) {
		return line, true // as typed
	}
	return strings.Join(kept, "; "), true
}
