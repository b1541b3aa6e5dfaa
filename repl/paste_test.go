package repl

import (
	"bytes"
	"testing"
)

// The units the parser hands go-prompt for one read, and that nothing is
// handed out after Enter until the next prompt arms it.
func TestLineParserUnits(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"unshare uts\rbox ls\r", []string{"unshare uts", "\r", "|", "box ls", "\r", "|"}},
		{"host\x15name\r", []string{"host", "\x15", "name", "\r", "|"}},
		{"ab\x1b[Acd", []string{"ab", "\x1b[A", "cd"}},
		{"\x1b[1;5C\x1bOPx\x1bb", []string{"\x1b[1;5C", "\x1bOP", "x", "\x1bb"}},
		{"ab\x04cd", []string{"ab", "\x04", "cd"}},
		{"é\t", []string{"é", "\t"}},
	} {
		p := &lineParser{search: newSearch()}
		reads := [][]byte{[]byte(tc.in)}
		p.read = func() ([]byte, error) {
			if len(reads) == 0 {
				return nil, nil
			}
			b := reads[0]
			reads = reads[1:]
			return b, nil
		}
		var got []string
		for len(got) < len(tc.want) {
			u, _ := p.Read()
			switch {
			case bytes.Equal(u, []byte{0}):
				got = append(got, "|") // held: the next prompt must arm it
				p.arm()
			case len(u) == 0:
				got = append(got, "(nothing)")
			default:
				got = append(got, string(u))
			}
		}
		if len(got) != len(tc.want) {
			t.Errorf("%q: units %q, want %q", tc.in, got, tc.want)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("%q: units %q, want %q", tc.in, got, tc.want)
				break
			}
		}
	}
}
