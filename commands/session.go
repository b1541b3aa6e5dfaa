// Package commands is hood's command table and its handlers. Handlers act
// through the box and the kernel packages and return a result.Result; they
// never print.
package commands

import (
	"fmt"
	"os"
	"sort"
	"strings"

	"hood/internal/box"
	"hood/internal/result"
)

// Session is the state one hood run carries between commands.
type Session struct {
	Boxes   []*box.Box
	Current *box.Box
	Narrate bool
	// Stdio for the programs run starts, and whether stdin is a terminal
	// (then a program runs as the terminal's foreground job).
	Stdin, Stdout, Stderr *os.File
	Terminal              bool
	Env                   []string
	Done                  bool // exit was asked for
	HoodPID               int
	ProcRoot              string
	host                  links // hood's own namespaces, see hostLinks
}

// NewSession returns a session with no box yet.
func NewSession() *Session {
	return &Session{
		Narrate:  true,
		Stdin:    os.Stdin,
		Stdout:   os.Stdout,
		Stderr:   os.Stderr,
		Env:      os.Environ(),
		HoodPID:  os.Getpid(),
		ProcRoot: "/proc",
	}
}

// Exec runs one command given as words.
func (s *Session) Exec(words []string) (*result.Result, error) {
	if len(words) == 0 {
		return &result.Result{}, nil
	}
	c, rest := Lookup(words)
	if c == nil {
		if g := Group(words[0]); len(g) > 0 {
			var names []string
			for _, c := range g {
				names = append(names, "  "+c.UsageLine)
			}
			if len(words) == 1 {
				return nil, &result.UsageError{Msg: fmt.Sprintf("%s needs a subcommand:\n%s", words[0], strings.Join(names, "\n"))}
			}
			return nil, &result.UsageError{Msg: fmt.Sprintf("unknown command %q; the %s commands are:\n%s", strings.Join(words[:2], " "), words[0], strings.Join(names, "\n"))}
		}
		msg := fmt.Sprintf("unknown command %q", words[0])
		if near := Nearest(words[0], 3); len(near) > 0 {
			msg += "; did you mean " + strings.Join(near, ", ") + "?"
		}
		return nil, &result.UsageError{Msg: msg + " (type help for the list)"}
	}
	return c.Run(s, rest)
}

// Close kills every box and every process below them, and reaps them, as
// hood exits: nothing is left behind, not even a zombie.
func (s *Session) Close() {
	for _, b := range s.Boxes {
		_ = b.Kill()
	}
	s.Boxes = nil
	s.Current = nil
}

// box returns the current box or an error saying how to get one.
func (s *Session) box() (*box.Box, error) {
	if s.Current == nil {
		return nil, &result.UsageError{Msg: "there is no current box: start one with `box new`"}
	}
	return s.Current, nil
}

// BoxNames lists the boxes' names, sorted.
func (s *Session) BoxNames() []string {
	var out []string
	for _, b := range s.Boxes {
		out = append(out, b.Name)
	}
	sort.Strings(out)
	return out
}

func (s *Session) find(name string) *box.Box {
	for _, b := range s.Boxes {
		if b.Name == name {
			return b
		}
	}
	return nil
}

// Prompt is the REPL prompt naming the current box.
func (s *Session) Prompt() string {
	if s.Current == nil {
		return "hood[-]> "
	}
	return "hood[" + s.Current.Name + "]> "
}
