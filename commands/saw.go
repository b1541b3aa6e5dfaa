package commands

import (
	"strings"
	"unicode"

	"hood/internal/result"
)

// maxSeen bounds the words kept from one line's output.
const maxSeen = 400

// NewOutput forgets the words Saw kept: a new line is about to run.
func (s *Session) NewOutput() {
	s.seen = s.seen[:0]
	clear(s.seenSet)
}

// Saw keeps the words of a command's output, as shown (res as rendered at
// the session's narration; err, the error printed), with those of the
// commands before it on the same line, so that completing `explain `
// offers first the ones that have an entry. It only splits text (no
// lookup): it runs after every command and must cost nothing to notice.
func (s *Session) Saw(res *result.Result, err error) {
	if s.seenSet == nil {
		s.seenSet = map[string]bool{}
	}
	words := func(text string) {
		for _, w := range strings.FieldsFunc(text, notWordRune) {
			w = strings.TrimRight(w, ".-")
			if len(w) < 2 || s.seenSet[w] || len(s.seen) == maxSeen {
				continue
			}
			s.seenSet[w] = true
			s.seen = append(s.seen, w)
		}
	}
	if res != nil {
		words(res.Text)
		if s.Narrate != result.NarrateOff {
			for _, c := range res.Syscalls {
				if s.Narrate == result.NarrateFull || !c.Quiet || c.Failed() {
					words(c.Name)
					for _, a := range c.Args {
						words(a.Text)
						words(a.Str)
					}
					words(c.ErrName())
					words(c.RetNote)
				}
			}
			for _, c := range res.Changes {
				words(c.Path)
				words(c.Note)
			}
			words(res.Shell)
			words(res.Meaning)
		}
		for _, l := range res.Lines {
			words(l.Value)
		}
		if t := res.Table; t != nil {
			for _, row := range append([][]string{t.Header}, t.Rows...) {
				for _, cell := range row {
					words(cell)
				}
			}
		}
	}
	if err != nil {
		words(err.Error())
	}
}

// notWordRune splits output into words: CLONE_NEWUTS, memory.max,
// cgroup.subtree_control and CAP_SYS_ADMIN are one word each.
func notWordRune(r rune) bool {
	return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '_' && r != '.' && r != '-'
}
