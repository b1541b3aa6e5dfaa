package repl

import (
	"strings"
	"sync"
	"unicode/utf8"

	prompt "github.com/c-bata/go-prompt"
)

// Ctrl-R searches the history backwards, as bash's reverse-i-search does.
// go-prompt v0.2.6 has no search and runs its own bindings for the keys it
// knows (Backspace deletes a character) before any of ours, so the keys of
// a search never reach it: lineParser hands them to search.Keys, which
// edits the query and queues an action, and hands go-prompt instead
// searchKey, a sequence no terminal sends, bound (OptionAddASCIICodeBind)
// to search.apply, which takes the next action and puts the match in
// go-prompt's buffer. The parser runs in go-prompt's reading goroutine and
// apply in its main one, ahead of it; the queue keeps them in order.

const (
	ctrlR = 0x12
	ctrlG = 0x07
	esc   = 0x1b
)

// searchKey is what go-prompt is handed for a search's step: its GetKey
// knows no such sequence, so it calls only the ASCII-code binding.
var searchKey = []byte("\x1b[~hood-search~")

// action is one step of a search for the buffer and the prompt.
type action struct {
	begin   bool   // a search starts: remember the text being edited
	restore bool   // Ctrl-G: put that text back
	set     bool   // show text
	text    string // the match
	prefix  string // the live prefix; "" once the search is over
}

type search struct {
	mu      sync.Mutex
	history []string // oldest first
	// The reading side: the query and where its match is.
	active bool
	query  string
	last   string // the previous search's query: Ctrl-R Ctrl-R reuses it
	pos    int    // the match's index in history; len(history): none yet
	failed bool
	queue  []action
	// The buffer's side, in go-prompt's main goroutine.
	orig   string // the text before the search
	prefix string // what the prompt shows
}

func newSearch() *search { return &search{} }

// SetHistory gives the lines to search, between two prompts, and ends any
// search.
func (s *search) SetHistory(h []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.history, s.active, s.query, s.pos, s.failed = h, false, "", len(h), false
	s.queue, s.orig, s.prefix = nil, "", ""
}

// Active reports whether the reading side is in a search.
func (s *search) Active() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.active
}

// Begin starts a search (Ctrl-R at the prompt) and gives the key to hand
// go-prompt.
func (s *search) Begin() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.active, s.query, s.pos, s.failed = true, "", len(s.history), false
	s.queue = append(s.queue, action{begin: true, prefix: s.label()})
	return searchKey
}

// Keys takes the keys of in that belong to the search (printable text,
// Backspace, Ctrl-R, Ctrl-G, Escape) and gives the rest, from the first key
// that ends the search, with the units to hand go-prompt first.
func (s *search) Keys(in []byte) (rest []byte, units [][]byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	changed := false
	for i := 0; i < len(in); i++ {
		b := in[i]
		switch {
		case b >= 0x20 && b != 0x7f: // text, UTF-8 included
			s.query += string([]byte{b}) // a byte of UTF-8, not the rune U+00XX
			s.find(s.pos, false)
			changed = true
		case b == 0x7f || b == 0x08:
			if s.query != "" {
				_, n := utf8.DecodeLastRuneInString(s.query)
				s.query = s.query[:len(s.query)-n]
				s.pos, s.failed = len(s.history), false
				if s.query != "" {
					s.find(len(s.history)-1, false)
				}
			}
			changed = true
		case b == ctrlR:
			if s.query == "" && s.last != "" {
				s.query = s.last
				s.find(len(s.history)-1, false)
			} else if s.query != "" {
				s.find(s.pos-1, true)
			}
			changed = true
		case b == ctrlG:
			s.end()
			s.queue = append(s.queue, action{restore: true})
			return in[i+1:], [][]byte{searchKey}
		default: // Enter, Escape, an arrow, Ctrl-A...: leave, keeping the match
			a := s.step()
			a.prefix = ""
			s.end()
			s.queue = append(s.queue, a)
			if b == esc && i == len(in)-1 {
				i++ // Escape alone only ends the search
			}
			return in[i:], [][]byte{searchKey}
		}
	}
	if changed {
		s.queue = append(s.queue, s.step())
		units = [][]byte{searchKey}
	}
	return nil, units
}

// find looks for the query from history[from] back to the oldest; with
// other, a line unlike the current match (Ctrl-R again). Not found, the
// match stays and the search has failed.
func (s *search) find(from int, other bool) {
	cur := s.match()
	for i := min(from, len(s.history)-1); i >= 0; i-- {
		h := s.history[i]
		if strings.Contains(h, s.query) && !(other && h == cur) {
			s.pos, s.failed = i, false
			return
		}
	}
	s.failed = s.query != ""
}

// match is the line found, or "".
func (s *search) match() string {
	if s.pos >= 0 && s.pos < len(s.history) {
		return s.history[s.pos]
	}
	return ""
}

// step is the action showing the search as it is now.
func (s *search) step() action {
	a := action{prefix: s.label()}
	if s.pos < len(s.history) && s.query != "" {
		a.set, a.text = true, s.history[s.pos]
	}
	return a
}

func (s *search) end() {
	if s.query != "" {
		s.last = s.query
	}
	s.active = false
}

// label is the prompt while searching, as bash shows it.
func (s *search) label() string {
	if s.failed {
		return "(failed reverse-i-search)'" + s.query + "': "
	}
	return "(reverse-i-search)'" + s.query + "': "
}

// apply is searchKey's binding: the next action, on go-prompt's buffer.
func (s *search) apply(b *prompt.Buffer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.queue) == 0 {
		return
	}
	a := s.queue[0]
	s.queue = s.queue[1:]
	if a.begin {
		s.orig = b.Text()
	}
	switch {
	case a.restore:
		replace(b, s.orig)
	case a.set:
		replace(b, a.text)
	}
	s.prefix = a.prefix
}

// LivePrefix is the prompt while a search is shown (OptionLivePrefix).
func (s *search) LivePrefix() (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.prefix, s.prefix != ""
}

// Shown reports whether the prompt shows a search (no completion then).
func (s *search) Shown() bool {
	_, ok := s.LivePrefix()
	return ok
}

// replace puts text in the buffer, the cursor at its end.
func replace(b *prompt.Buffer, text string) {
	b.CursorRight(len([]rune(b.Document().TextAfterCursor())))
	b.DeleteBeforeCursor(len([]rune(b.Text())))
	b.InsertText(text, false, true)
}
