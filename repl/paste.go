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
	ctrlD  bool
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
	return unit, nil
}

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
	n := len(p.pending)
	if i := bytes.IndexAny(p.pending, "\r\n\x12"); i == 0 {
		n = 1
	} else if i > 0 {
		n = i
	}
	unit := append([]byte(nil), p.pending[:n]...)
	p.pending = p.pending[n:]
	if len(unit) == 1 && unit[0] == ctrlR {
		p.out = append(p.out, p.search.Begin())
		return
	}
	p.out = append(p.out, unit)
}
