package cast

import "io"

// LF writes what a terminal was given to something that is no terminal (a
// pipe, a file), with the terminal's CR LF line ends (the pty's ONLCR)
// made LF again, as the program wrote them.
type LF struct {
	W  io.Writer
	cr bool // the last write ended in CR
}

// Write writes p, less each CR that comes just before an LF.
func (l *LF) Write(p []byte) (int, error) {
	out := make([]byte, 0, len(p)+1)
	for _, c := range p {
		if l.cr && c != '\n' {
			out = append(out, '\r')
		}
		l.cr = c == '\r'
		if !l.cr {
			out = append(out, c)
		}
	}
	if _, err := l.W.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Flush writes a CR the last write ended in.
func (l *LF) Flush() error {
	if !l.cr {
		return nil
	}
	l.cr = false
	_, err := l.W.Write([]byte{'\r'})
	return err
}
