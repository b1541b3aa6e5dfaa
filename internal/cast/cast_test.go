package cast

import (
	"bufio"
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// event is one parsed event line.
type event struct {
	t          float64
	code, data string
}

// parse reads a cast back as a player would: a header object, then
// three-element arrays of a number and two strings.
func parse(t *testing.T, file []byte) (map[string]any, []event) {
	t.Helper()
	sc := bufio.NewScanner(bytes.NewReader(file))
	if !sc.Scan() {
		t.Fatal("no header line")
	}
	var h map[string]any
	if err := json.Unmarshal(sc.Bytes(), &h); err != nil {
		t.Fatalf("header %q: %v", sc.Text(), err)
	}
	var evs []event
	for sc.Scan() {
		if !utf8.Valid(sc.Bytes()) {
			t.Errorf("line %q is not valid UTF-8", sc.Text())
		}
		var raw []json.RawMessage
		if err := json.Unmarshal(sc.Bytes(), &raw); err != nil || len(raw) != 3 {
			t.Fatalf("event %q: not a 3-element array (%v)", sc.Text(), err)
		}
		var e event
		if json.Unmarshal(raw[0], &e.t) != nil || json.Unmarshal(raw[1], &e.code) != nil || json.Unmarshal(raw[2], &e.data) != nil {
			t.Fatalf("event %q: want [number, string, string]", sc.Text())
		}
		evs = append(evs, e)
	}
	return h, evs
}

// clock is a fake elapsed time the test moves by hand.
type clock struct{ d time.Duration }

func (c *clock) elapsed() time.Duration { return c.d }

func TestHeader(t *testing.T) {
	var b bytes.Buffer
	w, err := newWriter(&b, Header{Version: 7, Width: 80, Height: 24, Timestamp: 1504467315, Title: "hood <demo> & \"talk\"",
		Env: map[string]string{"TERM": "xterm-256color", "SHELL": "/bin/bash"}}, (&clock{}).elapsed)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	h, evs := parse(t, b.Bytes())
	if len(evs) != 0 {
		t.Errorf("events in an empty recording: %v", evs)
	}
	want := map[string]any{"version": 2.0, "width": 80.0, "height": 24.0, "timestamp": 1504467315.0, "title": "hood <demo> & \"talk\"",
		"env": map[string]any{"TERM": "xterm-256color", "SHELL": "/bin/bash"}}
	for k, v := range want {
		if got, _ := json.Marshal(h[k]); string(got) != mustJSON(v) {
			t.Errorf("header %s = %s, want %s", k, got, mustJSON(v))
		}
	}
	if strings.Count(b.String(), "\n") != 1 || !strings.HasPrefix(b.String(), "{") {
		t.Errorf("header is not one JSON line: %q", b.String())
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestEvents(t *testing.T) {
	var b bytes.Buffer
	clk := &clock{}
	w, err := newWriter(&b, Header{Width: 80, Height: 24}, clk.elapsed)
	if err != nil {
		t.Fatal(err)
	}
	clk.d = 250 * time.Millisecond
	w.Output([]byte("\x1b[1;31mred\x1b[0m\r\n\x00\x07<&>"))
	clk.d = 100 * time.Millisecond // a clock that went back: times stay monotonic
	w.Marker("unshare uts")
	// "é" (C3 A9) and "€" (E2 82 AC) cut across reads; FF is no UTF-8.
	w.Output([]byte("caf\xc3"))
	w.Output([]byte("\xa9 \xe2"))
	w.Output([]byte("\x82"))
	clk.d = 2 * time.Second
	w.Output([]byte("\xac \xff!"))
	w.Resize(100, 50)
	w.Output([]byte("cut \xe2\x82")) // the end of the stream cuts a character
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	_, evs := parse(t, b.Bytes())
	want := []event{
		{0.25, "o", "\x1b[1;31mred\x1b[0m\r\n\x00\x07<&>"},
		{0.25, "m", "unshare uts"},
		{0.25, "o", "caf"},
		{0.25, "o", "é "},
		{2, "o", "€ \uFFFD!"},
		{2, "r", "100x50"},
		{2, "o", "cut "},
		{2, "o", "\uFFFD"},
	}
	if len(evs) != len(want) {
		t.Fatalf("events:\n%v\nwant\n%v", evs, want)
	}
	for i := range want {
		if evs[i] != want[i] {
			t.Errorf("event %d = %v, want %v", i, evs[i], want[i])
		}
	}
	if !strings.Contains(b.String(), `"\u001b[1;31mred\u001b[0m\r\n\u0000\u0007<&>"`) {
		t.Errorf("control bytes are not escaped as JSON asks (or <&> were):\n%s", b.String())
	}
}

// feedAll feeds chunks through a Stripper and gives the stream back with
// each mark written {LABEL}.
func feedAll(chunks ...string) string {
	var s Stripper
	var b strings.Builder
	out := func(p []byte) { b.Write(p) }
	for _, c := range chunks {
		s.Feed([]byte(c), out, func(l string) { b.WriteString("{" + l + "}") })
	}
	s.Flush(out)
	return b.String()
}

func TestStripper(t *testing.T) {
	m := string(Mark("run echo hi; x\x07\x1b%"))
	if strings.ContainsAny(m[len(markStart):len(m)-1], "\x07\x1b") {
		t.Fatalf("Mark left a control byte in the label: %q", m)
	}
	full := "before\x1b[0m" + m + "after\x1b]0;title\x07" + string(Mark("two")) + "\x1b"
	want := "before\x1b[0m{run echo hi; x\x07\x1b%}after\x1b]0;title\x07{two}\x1b"
	if got := feedAll(full); got != want {
		t.Errorf("in one read: %q, want %q", got, want)
	}
	// Every way of cutting the stream in two, and in single bytes.
	for i := 0; i <= len(full); i++ {
		if got := feedAll(full[:i], full[i:]); got != want {
			t.Errorf("cut at %d: %q, want %q", i, got, want)
		}
	}
	bytes := strings.Split(full, "")
	if got := feedAll(bytes...); got != want {
		t.Errorf("byte by byte: %q, want %q", got, want)
	}
	// Something that begins like a mark and is not one is output.
	for _, s := range []string{"\x1b]7771;hood-marx", "\x1b\x1b]7771;hood-mark;a\x07", "\x1b]777;x\x07"} {
		wantS := strings.Replace(s, "\x1b]7771;hood-mark;a\x07", "{a}", 1)
		if got := feedAll(s); got != wantS {
			t.Errorf("%q: %q, want %q", s, got, wantS)
		}
	}
	// A label longer than maxLabel is cut there; the rest is output.
	long := strings.Repeat("x", maxLabel+3)
	if got := feedAll(markStart + long + "\a"); got != "{"+long[:maxLabel]+"}xxx\a" {
		t.Errorf("long label: %.40q...", got)
	}
}

func TestLF(t *testing.T) {
	var b bytes.Buffer
	l := &LF{W: &b}
	for _, p := range []string{"a\r\nb\r", "\nc\rd\r", "\r\n", "e\r"} {
		if n, err := l.Write([]byte(p)); n != len(p) || err != nil {
			t.Fatalf("Write(%q) = %d, %v", p, n, err)
		}
	}
	if err := l.Flush(); err != nil {
		t.Fatal(err)
	}
	if got, want := b.String(), "a\nb\nc\rd\r\ne\r"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
