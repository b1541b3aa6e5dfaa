package repl

import (
	"bytes"

	prompt "github.com/c-bata/go-prompt"
)

// lineParser feeds go-prompt one line at a time. go-prompt takes each read
// from the terminal as one key, so text pasted with its newline ("unshare
// uts\r" in one read, as a speaker pasting a command sends it) would be
// inserted as text instead of run. This parser hands out the text before a
// newline, then the newline alone, and keeps the rest for the next prompt.
// It also runs Ctrl-R's reverse search (search.go): while searching it
// keeps the keys that edit the query and hands go-prompt instead a private
// key whose binding shows the match.
type lineParser struct {
	*prompt.PosixParser
	pending []byte
	out     [][]byte // units to hand out before reading more
	// ctrlD is set when the last key handed out was Ctrl-D: go-prompt
	// returns "" both for Enter on an empty line and for Ctrl-D, which
	// means end of input.
	ctrlD bool
	// held: the last unit handed out ended the line (Enter). Until
	// arm is called for the next prompt, Read hands out nothing more:
	// go-prompt's reader goroutine reads ahead into a channel that Input
	// drops when it returns, so a unit read then would be lost (the second
	// line of a paste).
	held   bool
	search *search
	read   func() ([]byte, error) // the terminal's next read (tests change it)
}

func newLineParser() *lineParser {
	p := &lineParser{PosixParser: prompt.NewStandardInputParser(), search: newSearch()}
	p.read = p.PosixParser.Read
	return p
}

// Read hands go-prompt its next key, reading more input when nothing is
// pending.
func (p *lineParser) Read() ([]byte, error) {
	if p.held {
		return []byte{0}, nil // dropped by go-prompt's reader
	}
	if len(p.out) == 0 && len(p.pending) == 0 {
		b, err := p.read()
		if err != nil || len(b) == 0 {
			return b, err
		}
		p.pending = append(p.pending, b...)
	}
	if len(p.out) == 0 {
		p.split()
	}
	if len(p.out) == 0 {
		// All of it went into the query and changed nothing: a lone NUL
		// is what go-prompt's reader drops.
		return []byte{0}, nil
	}
	unit := p.out[0]
	p.out = p.out[1:]
	p.ctrlD = len(unit) == 1 && unit[0] == 0x04
	p.held = bytes.ContainsAny(unit, "\r\n") // not Ctrl-D: with text in the line go-prompt goes on
	return unit, nil
}

// arm lets Read hand out input again, for a new prompt (see held). It is
// called between two prompts' Input, when no reader goroutine runs.
func (p *lineParser) arm() { p.held = false }

// split turns pending input into units for go-prompt: the keys of a
// search, then text up to a newline or a Ctrl-R, or a newline alone.
func (p *lineParser) split() {
	if p.search.Active() {
		rest, units := p.search.Keys(p.pending)
		p.pending = rest
		p.out = append(p.out, units...)
		if len(p.out) > 0 || len(p.pending) == 0 {
			return
		}
	}
	n := unitLen(p.pending)
	unit := append([]byte(nil), p.pending[:n]...)
	p.pending = p.pending[n:]
	if len(unit) == 1 && unit[0] == ctrlR {
		p.out = append(p.out, p.search.Begin())
		return
	}
	p.out = append(p.out, unit)
}

// unitLen is how much of in is go-prompt's next key: a control key alone
// (Enter, Ctrl-R, Ctrl-C, Ctrl-U, ... even when it came in one read with
// text, as a paste or tmux's send-keys gives it), an escape sequence (an
// arrow key's CSI, an F-key's SS3, Alt with a key), or the text up to the
// next control byte.
func unitLen(in []byte) int {
	ctl := func(b byte) bool { return b < 0x20 || b == 0x7f }
	switch {
	case len(in) == 0:
		return 0
	case in[0] == 0x1b && len(in) > 2 && in[1] == '[': // CSI: to its final byte
		n := 2
		for n < len(in) && (in[n] < 0x40 || in[n] > 0x7e) {
			n++
		}
		return min(n+1, len(in))
	case in[0] == 0x1b && len(in) > 2 && in[1] == 'O': // SS3: F1-F4, some arrows
		return 3
	case in[0] == 0x1b && len(in) > 1 && !ctl(in[1]): // Alt-key
		return 2
	case ctl(in[0]):
		return 1
	}
	n := 0
	for n < len(in) && !ctl(in[n]) {
		n++
	}
	return n
}
