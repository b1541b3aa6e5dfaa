package main

import (
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/creack/pty"
)

// hood's output fits the terminal it is on, re-measured before each
// command: at 60, 80 and 120 columns (a projector, a laptop, a wide
// window) no line is wider than the terminal and no word is split.

var widthCommands = []string{"unshare uts", "ns compare box1 host", "help"}

func TestOutputFitsTheTerminal(t *testing.T) {
	requireRoot(t)
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	defer ptmx.Close()
	defer tty.Close()
	setsize := func(cols uint16) {
		if err := pty.Setsize(ptmx, &pty.Winsize{Rows: 50, Cols: cols}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(200 * time.Millisecond) // go-prompt redraws on SIGWINCH
	}
	setsize(400)
	cmd, exited := startOnPty(t, tty)
	c := &console{t: t, ptmx: ptmx}
	go c.read()
	c.expect(promptRE)

	// Wide enough that nothing wraps: the words as hood means them.
	words := map[string]bool{}
	for _, line := range widthCommands {
		for _, w := range strings.Fields(c.run(line)) {
			words[normal(w)] = true
		}
	}
	for _, cols := range []int{60, 80, 120} {
		setsize(uint16(cols))
		for _, line := range widthCommands {
			out := c.run(line)
			for _, l := range strings.Split(out, "\n") {
				if n := utf8.RuneCountInString(l); n > cols {
					t.Errorf("%d columns: %q printed a line of %d:\n%s", cols, line, n, l)
				}
				for _, w := range strings.Fields(l) {
					if !whole(normal(w), words) {
						t.Errorf("%d columns: %q split a word, leaving %q:\n%s", cols, line, w, l)
					}
				}
			}
			if line == "ns compare box1 host" {
				sameOnTheRow(t, cols, out)
			}
		}
	}
	c.type_("exit", "\r")
	select {
	case <-exited:
		if !cmd.ProcessState.Success() {
			t.Errorf("hood exited with %v after exit", cmd.ProcessState)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("hood did not exit after exit")
	}
}

// run types line at the prompt and returns what hood printed for it, up to
// the next prompt.
func (c *console) run(line string) string {
	c.t.Helper()
	// Past what the prompt drew while the line was typed.
	c.type_(line)
	c.mu.Lock()
	c.pos = c.text.Len()
	c.mu.Unlock()
	c.type_("\r")
	// go-prompt writes the prompt and line once more, then a newline.
	out := c.expect(`(?s)` + regexp.QuoteMeta(line) + `\n(.*?)` + promptRE)[1]
	return strings.TrimRight(out, "\n")
}

var digits = regexp.MustCompile(`\d+`)

// normal is a word with its numbers taken out: PIDs and inodes differ
// from one unshare to the next.
func normal(w string) string { return digits.ReplaceAllString(w, "N") }

// whole reports whether w is one of the words, or a piece of one broken
// where hood breaks a word too long for its line or column: after a slash,
// comma, underscore, colon and the like.
func whole(w string, words map[string]bool) bool {
	if words[w] {
		return true
	}
	for word := range words {
		i := strings.Index(word, w)
		if i < 0 {
			continue
		}
		end := i + len(w)
		startsAtBreak := i == 0 || strings.ContainsRune("/,_-:=;(", rune(word[i-1]))
		endsAtBreak := end == len(word) || strings.ContainsRune("/,_-:=;(", rune(word[end-1]))
		if startsAtBreak && endsAtBreak {
			return true
		}
	}
	return false
}

// sameOnTheRow checks that ns compare kept each mark on its link's row:
// nine links the host shares and uts, which differs.
func sameOnTheRow(t *testing.T, cols int, out string) {
	t.Helper()
	same := regexp.MustCompile(`(?m)^[a-z_]+ .*  same$`)
	differ := regexp.MustCompile(`(?m)^uts .*  DIFFERENT$`)
	if n := len(same.FindAllString(out, -1)); n != 9 || !differ.MatchString(out) {
		t.Errorf("%d columns: ns compare has %d rows ending in same (want 9) and a uts row ending in DIFFERENT: %v\n%s", cols, n, differ.MatchString(out), out)
	}
}

// --big, for a projector, keeps every line hood writes within 72 columns
// however wide the terminal says it is.
func TestBigFits72(t *testing.T) {
	requireRoot(t)
	cmd := hoodCommand(t, "hood", "--big", "-c", "unshare uts; ns compare box1 host; help; cgroup mode; explain CLONE_NEWUTS")
	cmd.Env = append(cmd.Env, "COLUMNS=200", "NO_COLOR=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	lines := strings.Split(string(out), "\n")
	if len(lines) < 40 {
		t.Fatalf("only %d lines:\n%s", len(lines), out)
	}
	for _, l := range lines {
		if n := utf8.RuneCountInString(l); n > 72 {
			t.Errorf("--big printed a line of %d columns:\n%s", n, l)
		}
	}
}
