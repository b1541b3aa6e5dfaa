package render

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/olekukonko/tablewriter"
)

// escape is one SGR or other CSI sequence: it takes no column and is never
// split by wrapping.
var escape = regexp.MustCompile("^\x1b\\[[0-9;?]*[A-Za-z]")

// cols is how many columns s takes on a terminal; escape codes take none.
func cols(s string) int { return tablewriter.DisplayWidth(s) }

// softBreak reports whether a long word may break after c: a path after a
// slash, a call after a comma, a name after an underscore.
func softBreak(c byte) bool { return strings.IndexByte("/,_-:=;(", c) >= 0 }

// fields splits a paragraph into words and the spaces between them, kept
// as they were so that two-space gaps stay two spaces.
func fields(s string) (words, gaps []string) {
	for s != "" {
		i := strings.IndexFunc(s, func(r rune) bool { return r != ' ' })
		if i < 0 {
			i = len(s)
		}
		gaps = append(gaps, s[:i])
		s = s[i:]
		j := strings.IndexByte(s, ' ')
		if j < 0 {
			j = len(s)
		}
		if j > 0 {
			words = append(words, s[:j])
		}
		s = s[j:]
	}
	for len(gaps) > len(words) {
		gaps = gaps[:len(gaps)-1]
	}
	return glue(words, gaps)
}

// glue joins "=" to the word after it, so a call's return value never
// starts a line without its "=" ("... = 0" breaks before the "=").
func glue(words, gaps []string) ([]string, []string) {
	for i := 0; i < len(words)-1; i++ {
		if words[i] == "=" {
			words[i] += gaps[i+1] + words[i+1]
			words = append(words[:i+1], words[i+2:]...)
			gaps = append(gaps[:i+1], gaps[i+2:]...)
		}
	}
	return words, gaps
}

// Wrap breaks one paragraph into lines of at most width columns, as
// hood's narration wraps (for text printed outside a Result: hood demo
// --list).
func Wrap(s string, width int) []string { return wrap(s, width, width) }

// wrap breaks one paragraph into lines, the first of at most first columns
// and the others of at most rest, at spaces; a word longer than a whole
// line is broken, after a slash, comma or the like when it has one.
// Leading spaces stay on the first line.
func wrap(s string, first, rest int) []string {
	first, rest = max(first, 1), max(rest, 1)
	width := first
	words, gaps := fields(s)
	var lines []string
	var cur strings.Builder
	n := 0 // columns in cur
	flush := func() {
		lines = append(lines, cur.String())
		cur.Reset()
		n, width = 0, rest
	}
	for i, w := range words {
		gap := gaps[i]
		if n == 0 && len(lines) > 0 {
			gap = ""
		}
		ww := cols(w)
		if n+cols(gap)+ww <= width {
			cur.WriteString(gap + w)
			n += cols(gap) + ww
			continue
		}
		if n > 0 {
			flush()
		}
		for cols(w) > width {
			head, tail := cut(w, width)
			lines = append(lines, head)
			w, width = tail, rest
		}
		cur.WriteString(w)
		n = cols(w)
	}
	if n > 0 || len(lines) == 0 {
		flush()
	}
	return lines
}

// cut splits a word wider than width: head fits, after the last soft break
// point that fits, or at width when there is none.
func cut(w string, width int) (head, tail string) {
	n, hard, soft := 0, 0, 0
	for i := 0; i < len(w); {
		if m := escape.FindString(w[i:]); m != "" {
			i += len(m)
			continue
		}
		_, size := utf8.DecodeRuneInString(w[i:])
		c := cols(w[i : i+size])
		if n+c > width {
			break
		}
		n += c
		i += size
		hard = i
		if softBreak(w[i-1]) {
			soft = i
		}
	}
	at := hard
	if soft > 0 {
		at = soft
	}
	if at == 0 { // a character wider than the line: it goes alone
		_, at = utf8.DecodeRuneInString(w)
	}
	return w[:at], w[at:]
}

// hangPoint finds where the value of a line of text starts, so that its
// continuation lines hang under it: after a label and a gap of two or more
// spaces ("  cgroup set     write a file"), or after a short "word: "
// ("usage: ", "  why: "); else under the line's own indentation.
var (
	gapLabel  = regexp.MustCompile(`^ *\S+(?: \S+)*? {2,}`)
	wordLabel = regexp.MustCompile(`^ *[A-Za-z]{1,12}: `)
)

// A width of 0 means any width.
func hangPoint(line string, width int) int {
	for _, re := range []*regexp.Regexp{gapLabel, wordLabel} {
		if m := re.FindString(line); m != "" && m != line && (width <= 0 || width-cols(m) >= minValue) {
			return len(m)
		}
	}
	return len(line) - len(strings.TrimLeft(line, " "))
}

// minValue is the fewest columns a value is given beside its label before
// hood gives up the hanging indent.
const minValue = 20
