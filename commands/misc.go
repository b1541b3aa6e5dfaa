package commands

import (
	"fmt"
	"strings"

	"hood/internal/result"
)

func init() {
	register(
		&Command{UsageLine: "help [CMD]", Short: "list the commands, or explain one", Args: []Arg{ArgCommand}, Run: help},
		&Command{UsageLine: "exit", Short: "kill every box and leave hood (also Ctrl-D)", Run: exit},
		&Command{UsageLine: "narrate brief|full|off", Short: "how much narration (syscalls, changes, meaning) to show: brief (the default) folds repeated steps",
			Long: `brief   every syscall that is the lesson, and one line for each run of
        repeated plumbing (the mkdir and cgroup.procs writes in every
        hierarchy when a box first gets a cgroup), saying how many calls
        it folds; a call the kernel refused is always shown
full    every syscall, one line each (on is the old name for full)
off     only what you asked to see: tables, values, errors`,
			Args: []Arg{ArgWord}, Words: []string{"brief", "full", "off"}, Run: narrate},
		&Command{UsageLine: "clear", Short: "clear the screen (as Ctrl-L does at the prompt)", Run: clearScreen},
	)
}

func help(s *Session, args []string) (*result.Result, error) {
	if len(args) == 0 {
		var b strings.Builder
		b.WriteString("Commands (help CMD for more):\n")
		listing(&b, Table(), (*Command).Name)
		b.WriteString("\nTargets: a box name, host (hood's own namespaces), self (the current box) or a PID.\nNamespace types: uts ipc net mnt pid user cgroup time, or all.")
		return &result.Result{Text: b.String()}, nil
	}
	c, rest := Lookup(args)
	if c == nil || len(rest) > 0 {
		if g := Group(args[0]); len(g) > 0 && len(args) == 1 {
			var b strings.Builder
			listing(&b, g, func(c *Command) string { return c.UsageLine })
			return &result.Result{Text: strings.TrimRight(b.String(), "\n")}, nil
		}
		msg := fmt.Sprintf("no command %q", strings.Join(args, " "))
		if near := Nearest(args[0], 3); len(near) > 0 {
			msg += "; did you mean " + strings.Join(near, ", ") + "?"
		}
		return nil, &result.UsageError{Msg: msg}
	}
	text := "usage: " + c.UsageLine + "\n\n" + c.Short
	if c.Long != "" {
		text += "\n\n" + c.Long
	}
	return &result.Result{Text: text}, nil
}

// listing writes one line per command, its summary lined up two spaces
// after the longest name, so that a narrow screen keeps room for it.
func listing(b *strings.Builder, cs []*Command, name func(*Command) string) {
	w := 0
	for _, c := range cs {
		w = max(w, len(name(c)))
	}
	for _, c := range cs {
		fmt.Fprintf(b, "  %-*s  %s\n", w, name(c), c.Short)
	}
}

func exit(s *Session, args []string) (*result.Result, error) {
	if len(args) > 0 {
		return nil, result.Usagef("exit", "exit takes no arguments")
	}
	s.Done = true
	return &result.Result{}, nil
}

func narrate(s *Session, args []string) (*result.Result, error) {
	const usage = "narrate brief|full|off"
	if len(args) != 1 {
		return nil, result.Usagef(usage, "say brief, full or off (narration is %s now)", s.Narrate)
	}
	mode, ok := result.ParseNarration(args[0])
	if !ok {
		return nil, result.Usagef(usage, "%q is not a narration: say brief, full or off", args[0])
	}
	s.Narrate = mode
	return &result.Result{Lines: []result.Line{{Key: "narration", Value: mode.String()}}}, nil
}

func clearScreen(s *Session, args []string) (*result.Result, error) {
	if len(args) > 0 {
		return nil, result.Usagef("clear", "clear takes no arguments")
	}
	return &result.Result{Clear: true}, nil
}
