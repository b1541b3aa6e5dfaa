package commands

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzSplit holds the command-line splitter to "an error, never a panic",
// and checks what it accepts: no empty command, and the words, each put
// back in single quotes, split again to the same words.
func FuzzSplit(f *testing.F) {
	for _, s := range []string{
		"box new b2; unshare uts", `echo "a \" b" 'c d' e\ f`, "# comment", "a;;b",
		`cgroup set memory.max 64M # limit`, `'unterminated`, `"bad`, `x\`, "é ü; 'ø'",
		"a\tb\nc", `""`, `''`, `"\$x \q"`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		cmds, err := Split(line)
		if err != nil || !utf8.ValidString(line) {
			return
		}
		var again []string
		for _, c := range cmds {
			if len(c) == 0 {
				t.Fatalf("Split(%q) gave an empty command: %q", line, cmds)
			}
			var q []string
			for _, w := range c {
				q = append(q, "'"+strings.ReplaceAll(w, "'", `'\''`)+"'")
			}
			again = append(again, strings.Join(q, " "))
		}
		back, err := Split(strings.Join(again, "; "))
		if err != nil || len(back) != len(cmds) {
			t.Fatalf("Split(%q) = %q; quoted again it splits to %q (%v)", line, cmds, back, err)
		}
		for i := range back {
			if strings.Join(back[i], "\x00") != strings.Join(cmds[i], "\x00") {
				t.Fatalf("Split(%q) = %q; quoted again it splits to %q", line, cmds, back)
			}
		}
	})
}
