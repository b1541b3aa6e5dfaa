package commands

import (
	"fmt"
	"strconv"
	"time"

	"hood/internal/history"
	"hood/internal/result"
)

func init() {
	register(&Command{UsageLine: "history [N] [--solve]",
		Short: "the last N lines typed at hood's prompt (20), across sessions; --solve: only those lab solve typed",
		Long: `The interactive prompt keeps every line typed at it, and the lines lab
solve types out (marked with their lab and step), in the file history of
hood's state directory (mode 0600; docs/history.md gives its format), the
last 1000 of them. Up and Down walk them, Ctrl-R searches them backwards
(type part of a line; Ctrl-R again for an older one, Enter runs it, Escape
keeps it to edit, Ctrl-G gives back the line from before). Lines of -c and
script files are not kept.`,
		Flags: []string{"--solve"}, Run: historyCmd})
}

func historyCmd(s *Session, args []string) (*result.Result, error) {
	const usage = "history [N] [--solve]"
	n, solve := 20, false
	for _, a := range args {
		switch v, err := strconv.Atoi(a); {
		case a == "--solve":
			solve = true
		case err == nil && v > 0:
			n = v
		default:
			return nil, result.Usagef(usage, "%q is neither a number of lines (1 or more) nor --solve", a)
		}
	}
	path, err := history.HistoryPath()
	if err != nil {
		return nil, fmt.Errorf("no history: %w", err)
	}
	entries, err := history.ReadHistory(path)
	if history.IsMissing(err) {
		return &result.Result{Text: "No history yet: lines typed at the interactive prompt are kept in " + path + "."}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the history: %w", err)
	}
	if solve {
		var only []history.Entry
		for _, e := range entries {
			if e.Source == history.Solve {
				only = append(only, e)
			}
		}
		entries = only
	}
	if len(entries) > n {
		entries = entries[len(entries)-n:]
	}
	t := &result.Table{Header: []string{"WHEN", "FROM", "LINE"}}
	today := time.Now().Format(time.DateOnly)
	for _, e := range entries {
		when := e.Time.Local().Format("2006-01-02 15:04")
		if e.Time.Local().Format(time.DateOnly) == today {
			when = e.Time.Local().Format(time.TimeOnly)
		}
		from := "typed"
		if e.Source == history.Solve {
			from = fmt.Sprintf("lab solve %s/%d", e.Lab, e.Step)
		}
		t.Rows = append(t.Rows, []string{when, from, e.Line})
		t.Mark = append(t.Mark, e.Source == history.Solve)
	}
	if len(t.Rows) == 0 {
		return &result.Result{Text: "No lines in " + path + " yet."}, nil
	}
	return &result.Result{Table: t}, nil
}
