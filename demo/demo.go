// Package demo holds hood's demo scripts: the talks a speaker plays with
// `hood demo`, one hood command per line, with captions, speaker notes and
// pauses between them. The player is repl's (repl/demo.go); this package
// parses the scripts, keeps the built-in ones, and writes new ones from a
// session's history or a box's commands. docs/demo.md describes the format.
//
//	# Containers from scratch     a caption, shown between steps (# lines in a row: one caption)
//	#! say where the PID is       a speaker note: only on the --notes terminal
//	@title Containers from scratch   metadata: @title, @minutes N, @needs NAME...
//	pause                         wait for the speaker (--auto: a short pause)
//	@fails                        the next command is meant to fail: its error is part of the story
//	unshare uts                   a hood command line (; separates commands as at the prompt)
package demo

import (
	"bufio"
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// Kind is what one item of a script is.
type Kind int

const (
	Caption Kind = iota // text for the audience, between steps
	Note                // text for the speaker only
	Pause               // wait for a key
	Command             // a hood command line
)

// Item is one line (or, for a caption, lines in a row) of a script.
type Item struct {
	Kind  Kind
	Text  string // the caption's lines joined by "\n", the note, the command line
	Fails bool   // a Command that is meant to fail
	// MayFail: a Command whose failure is shown and the demo goes on (a
	// lab's solution line, which may fail on purpose: ENOMEM, EPERM).
	MayFail bool
	Line    int // where it starts in the file, from 1 (in a lab's demo: the step)
}

// Script is a parsed demo.
type Script struct {
	Name    string // the built-in name, or the file's path
	Title   string
	Minutes int
	Needs   []string // as a lab's needs: (labs.Missing judges them)
	Items   []Item
}

// Commands counts the script's command lines.
func (s *Script) Commands() int {
	n := 0
	for _, it := range s.Items {
		if it.Kind == Command {
			n++
		}
	}
	return n
}

// Parse reads a demo script. name is used in errors ("FILE:LINE: ...").
func Parse(data []byte, name string) (*Script, error) {
	s := &Script{Name: name}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	n := 0
	fails := false
	var last *Item // the caption being extended
	for sc.Scan() {
		n++
		raw := strings.TrimRight(sc.Text(), " \t\r")
		line := strings.TrimSpace(raw)
		if !strings.HasPrefix(line, "#") || strings.HasPrefix(line, "#!") {
			last = nil
		}
		switch {
		case line == "":
		case strings.HasPrefix(line, "#!"):
			s.Items = append(s.Items, Item{Kind: Note, Text: strings.TrimSpace(line[2:]), Line: n})
		case strings.HasPrefix(line, "#"):
			text := strings.TrimSpace(line[1:])
			if last != nil {
				last.Text += "\n" + text
				continue
			}
			s.Items = append(s.Items, Item{Kind: Caption, Text: text, Line: n})
			last = &s.Items[len(s.Items)-1]
		case line == "pause":
			s.Items = append(s.Items, Item{Kind: Pause, Line: n})
		case strings.HasPrefix(line, "@"):
			word, rest, _ := strings.Cut(line[1:], " ")
			rest = strings.TrimSpace(rest)
			switch word {
			case "title":
				s.Title = rest
			case "minutes":
				m, err := strconv.Atoi(rest)
				if err != nil || m <= 0 {
					return nil, fmt.Errorf("%s:%d: @minutes takes a whole number of minutes, not %q", name, n, rest)
				}
				s.Minutes = m
			case "needs":
				s.Needs = append(s.Needs, strings.Fields(rest)...)
			case "fails":
				if rest != "" {
					return nil, fmt.Errorf("%s:%d: @fails stands alone on its line, before the command that is meant to fail", name, n)
				}
				fails = true
				continue
			default:
				return nil, fmt.Errorf("%s:%d: unknown directive @%s (known: @title, @minutes, @needs, @fails)", name, n, word)
			}
		default:
			s.Items = append(s.Items, Item{Kind: Command, Text: line, Fails: fails, Line: n})
			fails = false
			continue
		}
		if fails && line != "" && !strings.HasPrefix(line, "#") {
			return nil, fmt.Errorf("%s:%d: @fails must come right before a command line", name, n)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if fails {
		return nil, fmt.Errorf("%s: @fails at the end, with no command after it", name)
	}
	if s.Commands() == 0 {
		return nil, fmt.Errorf("%s: no command line in the demo (a command is any line that is not blank, # or #!, pause or @)", name)
	}
	if s.Title == "" {
		for _, it := range s.Items {
			if it.Kind == Caption {
				s.Title, _, _ = strings.Cut(it.Text, "\n")
				break
			}
		}
	}
	return s, nil
}
