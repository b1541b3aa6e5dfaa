package render

import (
	"bytes"
	"testing"
)

func TestLiveRedrawsInPlaceOnATerminal(t *testing.T) {
	var b bytes.Buffer
	l := &Live{W: &b, TTY: true}
	l.Draw(Frame{Rows: []string{"a", "b", "c"}, Line: "log1"})
	l.Draw(Frame{Rows: []string{"d", "e"}, Line: "log2"})
	l.End()
	want := "\r\x1b[Ka\n\r\x1b[Kb\n\r\x1b[Kc\x1b[J" + // first frame: no climb
		"\x1b[2A\r\x1b[Kd\n\r\x1b[Ke\x1b[J" + // up to the first row
		"\n"
	if got := b.String(); got != want {
		t.Errorf("terminal frames:\n got %q\nwant %q", got, want)
	}
}

func TestLivePrintsLinesElsewhere(t *testing.T) {
	var b bytes.Buffer
	l := &Live{W: &b}
	l.Draw(Frame{Rows: []string{"a", "b"}, Line: "log1"})
	l.Draw(Frame{Rows: []string{"c"}, Line: "log2"})
	l.End()
	if got, want := b.String(), "log1\nlog2\n"; got != want {
		t.Errorf("not a terminal: got %q, want %q", got, want)
	}
}
