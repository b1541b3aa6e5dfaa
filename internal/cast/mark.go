package cast

import (
	"bytes"
	"strconv"
	"strings"
)

// MarksEnv, set to 1 in the environment of the hood that hood --record
// runs, asks it to write a Mark before each command line (cmd/hood takes
// it out of the environment in C, before the first box is forked with a
// copy: cmd/hood/record_ctor.go spells the name too).
const MarksEnv = "HOOD_CAST_MARKS"

// markStart begins hood's marker: an OSC (operating system command,
// ECMA-48) with a number no terminal uses, ended by BEL. A terminal that
// got one by mistake ignores an OSC it does not know.
const markStart = "\x1b]7771;hood-mark;"

// maxLabel is as long as a label may be; a longer one is cut there.
const maxLabel = 4096

// Mark is the sequence that marks label's place in the output. Bytes that
// could end the sequence (controls) and '%' are written %XX.
func Mark(label string) []byte {
	var b strings.Builder
	b.WriteString(markStart)
	for i := 0; i < len(label); i++ {
		if c := label[i]; c < 0x20 || c == 0x7f || c == '%' {
			b.WriteString("%" + strconv.FormatUint(uint64(c)>>4, 16) + strconv.FormatUint(uint64(c)&15, 16))
		} else {
			b.WriteByte(c)
		}
	}
	b.WriteByte('\a')
	return []byte(b.String())
}

// unescape undoes Mark's %XX.
func unescape(p []byte) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		if p[i] == '%' && i+2 < len(p) {
			if n, err := strconv.ParseUint(string(p[i+1:i+3]), 16, 8); err == nil {
				b.WriteByte(byte(n))
				i += 2
				continue
			}
		}
		b.WriteByte(p[i])
	}
	return b.String()
}

// Stripper takes Marks out of a stream of output, read by read: a mark
// may be split across two reads, and what it holds back of a read (the
// start of what may be a mark) it gives out with the next, or as output
// when it turns out to be something else.
type Stripper struct {
	held  []byte // a prefix of markStart, or all of it and a label
	label bool   // held has all of markStart
}

// Feed gives p's output to out and each mark's label to mark, in the
// order they came.
func (s *Stripper) Feed(p []byte, out func([]byte), mark func(string)) {
	start := 0 // p[start:i] is output not given out yet
	flush := func(i int) {
		if i > start {
			out(p[start:i])
		}
		start = i
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case s.label:
			switch {
			case c == '\a':
				mark(unescape(s.held[len(markStart):]))
				s.held, s.label = s.held[:0], false
			case len(s.held)-len(markStart) == maxLabel:
				// Cut here: what follows is output again.
				mark(unescape(s.held[len(markStart):]))
				s.held, s.label = s.held[:0], false
				start = i
				i--
				continue
			default:
				s.held = append(s.held, c)
			}
			start = i + 1
		case len(s.held) > 0 || c == markStart[0]:
			if c == markStart[len(s.held)] {
				if len(s.held) == 0 {
					flush(i)
				}
				s.held = append(s.held, c)
				start = i + 1
				s.label = len(s.held) == len(markStart)
				continue
			}
			// Not a mark after all: what was held is output, and c
			// is looked at afresh (it may be an ESC that begins one).
			out(bytes.Clone(s.held))
			s.held = s.held[:0]
			start = i
			i--
		}
	}
	flush(len(p))
}

// Flush gives out what is held, at the end of the stream.
func (s *Stripper) Flush(out func([]byte)) {
	if len(s.held) > 0 {
		out(bytes.Clone(s.held))
		s.held, s.label = s.held[:0], false
	}
}
