package repl

import (
	"bytes"
	"strings"
	"testing"

	prompt "github.com/c-bata/go-prompt"
)

// fakePrompt is the part of go-prompt's feed the search meets: each unit
// the parser hands out is one key; searchKey calls the binding, Enter
// runs the buffer, Backspace deletes (as go-prompt's own binding does,
// before any of ours), anything else is typed.
type fakePrompt struct {
	p    *lineParser
	buf  *prompt.Buffer
	ran  []string
	seen []string // the live prefix after each key, when one is shown
}

func newFake(history ...string) *fakePrompt {
	p := &lineParser{search: newSearch()}
	p.search.SetHistory(history)
	return &fakePrompt{p: p, buf: prompt.NewBuffer()}
}

// reads hands the parser each string as one read, and feeds go-prompt
// every unit until the input is used up.
func (f *fakePrompt) reads(in ...string) {
	queue := append([]string(nil), in...)
	f.p.read = func() ([]byte, error) {
		if len(queue) == 0 {
			return []byte{}, nil
		}
		b := []byte(queue[0])
		queue = queue[1:]
		return b, nil
	}
	for len(queue) > 0 || len(f.p.pending) > 0 || len(f.p.out) > 0 {
		unit, _ := f.p.Read()
		switch {
		case bytes.Equal(unit, searchKey):
			f.p.search.apply(f.buf)
		case string(unit) == "\r":
			f.ran = append(f.ran, f.buf.Text())
			f.buf = prompt.NewBuffer()
			if next, _ := f.p.Read(); !bytes.Equal(next, []byte{0}) {
				t := next // what go-prompt's reader would have lost
				panic("the parser handed out " + string(t) + " after Enter, before the next prompt")
			}
			f.p.arm() // the next prompt
		case string(unit) == "\x7f":
			f.buf.DeleteBeforeCursor(1)
		case string(unit) == "\x01": // Ctrl-A
			f.buf.CursorLeft(len(f.buf.Text()))
		case len(unit) == 0 || unit[0] < 0x20:
		default:
			f.buf.InsertText(string(unit), false, true)
		}
		if pre, ok := f.p.search.LivePrefix(); ok {
			f.seen = append(f.seen, pre)
		}
	}
}

func TestReverseSearch(t *testing.T) {
	hist := []string{"hostname café", "unshare uts", "hostname set a", "unshare net", "ns ls", "hostname"}
	for _, tc := range []struct {
		name   string
		keys   []string
		ran    string // what Enter ran ("" when nothing)
		buf    string // the buffer after the keys
		prefix string // the last live prefix shown
	}{
		{"one key at a time", []string{"\x12", "u", "n", "s", "\r"}, "unshare net", "", "(reverse-i-search)'uns': "},
		{"the query in one read", []string{"\x12", "uns", "\r"}, "unshare net", "", "(reverse-i-search)'uns': "},
		{"query and Enter in one read", []string{"\x12host\r"}, "hostname", "", "(reverse-i-search)'': "},
		{"Ctrl-R again goes older", []string{"\x12", "uns", "\x12", "\r"}, "unshare uts", "", "(reverse-i-search)'uns': "},
		{"older than the oldest fails", []string{"\x12", "uns", "\x12", "\x12"}, "", "unshare uts", "(failed reverse-i-search)'uns': "},
		{"Ctrl-R skips a line equal to the match", []string{"\x12", "hostname", "\x12", "\r"}, "hostname set a", "", "(reverse-i-search)'hostname': "},
		{"no match", []string{"\x12", "zz"}, "", "", "(failed reverse-i-search)'zz': "},
		{"Backspace edits the query, not the buffer", []string{"\x12", "unsx", "\x7f", "\r"}, "unshare net", "", "(reverse-i-search)'uns': "},
		{"Backspace to empty", []string{"\x12", "n", "\x7f"}, "", "hostname", "(reverse-i-search)'': "},
		{"Ctrl-G restores", []string{"box l", "\x12", "uts", "\x07"}, "", "box l", "(reverse-i-search)'uts': "},
		{"Escape keeps the match", []string{"\x12", "net", "\x1b", "x"}, "", "unshare netx", "(reverse-i-search)'net': "},
		{"another key keeps the match and acts", []string{"\x12", "net", "\x01", "#"}, "", "#unshare net", "(reverse-i-search)'net': "},
		{"typed after a search, then a new one", []string{"\x12", "ls", "\x07", "ab", "\x12", "set", "\r"}, "hostname set a", "", "(reverse-i-search)'set': "},
		{"Ctrl-R in the middle of typed text", []string{"xy\x12uts\r"}, "unshare uts", "", "(reverse-i-search)'': "},
		{"a query in UTF-8", []string{"\x12", "fé", "\r"}, "hostname café", "", "(reverse-i-search)'fé': "},
		{"Backspace takes a whole UTF-8 character", []string{"\x12", "féx", "\x7f", "\r"}, "hostname café", "", "(reverse-i-search)'fé': "},
		{"Ctrl-R Ctrl-R repeats the last query", []string{"\x12", "set", "\x07", "\x12", "\x12", "\r"}, "hostname set a", "", "(reverse-i-search)'set': "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(hist...)
			// Ctrl-R Ctrl-R needs a previous search in the same session.
			f.reads(tc.keys...)
			if got := strings.Join(f.ran, "|"); got != tc.ran {
				t.Errorf("ran %q, want %q", got, tc.ran)
			}
			if f.buf.Text() != tc.buf {
				t.Errorf("buffer %q, want %q", f.buf.Text(), tc.buf)
			}
			if n := len(f.seen); n == 0 || f.seen[n-1] != tc.prefix {
				t.Errorf("prefixes shown %q, want the last %q", f.seen, tc.prefix)
			}
			if f.p.search.Shown() && strings.Contains(strings.Join(tc.keys, ""), "\r") {
				t.Error("the search prefix is still shown after Enter")
			}
		})
	}
}

// A search in an empty history fails and leaves the line alone.
func TestReverseSearchEmpty(t *testing.T) {
	f := newFake()
	f.reads("ab", "\x12", "a", "\r")
	if strings.Join(f.ran, "|") != "ab" {
		t.Errorf("ran %q", f.ran)
	}
}
