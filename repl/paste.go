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
type lineParser struct {
	*prompt.PosixParser
	pending []byte
	// ctrlD is set when the last key handed out was Ctrl-D: go-prompt
	// returns "" both for Enter on an empty line and for Ctrl-D, which
	// means end of input.
	ctrlD bool
}

func newLineParser() *lineParser {
	return &lineParser{PosixParser: prompt.NewStandardInputParser()}
}

func (p *lineParser) Read() ([]byte, error) {
	if len(p.pending) == 0 {
		b, err := p.PosixParser.Read()
		if err != nil || len(b) == 0 {
			return b, err
		}
		p.pending = append(p.pending, b...)
	}
	n := len(p.pending)
	if i := bytes.IndexAny(p.pending, "\r\n"); i == 0 {
		n = 1
	} else if i > 0 {
		n = i
	}
	unit := append([]byte(nil), p.pending[:n]...)
	p.pending = p.pending[n:]
	p.ctrlD = len(unit) == 1 && unit[0] == 0x04
	return unit, nil
}
