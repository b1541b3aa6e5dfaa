package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hood/internal/history"
)

// The history survives a restart: a second hood with the same state
// directory finds the first one's lines under Up, and Ctrl-R finds one
// by part of it and Enter runs it.
func TestHistoryAcrossSessions(t *testing.T) {
	requireRoot(t)
	state := t.TempDir()
	session := func(keys func(c *console)) {
		t.Helper()
		ptmx, tty := openPty(t, 80, 30)
		cmd, exited := startOnPty(t, tty, "XDG_STATE_HOME="+state)
		c := &console{t: t, ptmx: ptmx}
		go c.read()
		c.expect(promptRE)
		keys(c)
		c.type_("exit", "\r")
		select {
		case <-exited:
			if cmd.ProcessState.ExitCode() != 0 {
				t.Fatalf("hood exited with %v; the terminal shows:\n%s", cmd.ProcessState, c)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("hood did not exit; the terminal shows:\n%s", c)
		}
	}
	session(func(c *console) {
		// lab solve's lines are kept too, marked with their lab and step.
		c.type_("lab start uts", "\r")
		c.expect(`hood\[box1 · lab uts 1/3\]> `)
		c.type_("lab solve", "\r")
		c.expect(`unshare\(CLONE_NEWUTS /\* 0x04000000 \*/\) = 0`)
		c.expect(`hood\[box1 · lab uts 2/3\]> `)
		c.type_("lab quit", "\r")
		c.expect(promptRE)
		c.type_("unshare uts; hostname hist-one", "\r")
		c.expect(`sethostname\("hist-one", 8\) = 0`)
		c.expect(promptRE)
		c.type_("ns ls uts", "\r")
		c.expect(promptRE)
	})
	path := filepath.Join(state, "hood", "history")
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("history file: %v (mode %v), want mode 0600", err, st.Mode())
	}
	entries, err := history.ReadHistory(path)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, e := range entries {
		if e.Source == history.Solve {
			e.Source = fmt.Sprintf("solve %s/%d", e.Lab, e.Step)
		}
		lines = append(lines, e.Source+" "+e.Line)
	}
	if got := strings.Join(lines, "|"); got != "typed lab start uts|typed lab solve|solve uts/1 unshare uts|typed lab quit|typed unshare uts; hostname hist-one|typed ns ls uts|typed exit" {
		t.Fatalf("history file holds %q", got)
	}
	session(func(c *console) {
		// Up, Up: the line before exit, from the first session.
		c.type_("\x1b[A", "\x1b[A")
		c.expect(promptRE + `ns ls uts`)
		c.type_("\x15") // Ctrl-U: empty the line
		// Ctrl-R, part of the first line in one read (as a paste or tmux
		// send-keys gives it), then Enter runs the match.
		c.type_("\x12", "t-o")
		c.expect(`\(reverse-i-search\)'t-o': unshare uts; hostname hist-one`)
		c.type_("\r")
		c.expect(`sethostname\("hist-one", 8\) = 0`)
		c.expect(promptRE)
		// explain offers first the words that output showed.
		c.type_("explain ")
		c.expect(`CLONE_NEWUTS +in the last output`)
		c.type_("\x15")
		// A query nothing matches says so.
		c.type_("\x12", "zzq")
		c.expect(`\(failed reverse-i-search\)'zzq': `)
		c.type_("\x07", "\x15")
	})
	entries, _ = history.ReadHistory(path)
	if n := len(entries); n < 2 || entries[n-2].Line != "unshare uts; hostname hist-one" || entries[n-2].Source != history.Typed {
		t.Errorf("the line Ctrl-R ran is not in the history: %+v", entries)
	}
}
