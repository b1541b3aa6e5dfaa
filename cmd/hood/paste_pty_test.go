package main

import (
	"testing"
	"time"
)

// Lines pasted at the prompt in one read (a speaker pasting a block) each
// run, in order, none lost between two prompts; a control key that came
// in the same read as text (tmux's send-keys, a paste) still acts; and
// Ctrl-Z does not leave hood waiting for a stopped program.
func TestPasteRunsEveryLine(t *testing.T) {
	requireRoot(t)
	ptmx, tty := openPty(t, 120, 40)
	cmd, exited := startOnPty(t, tty)
	c := &console{t: t, ptmx: ptmx}
	go c.read()
	c.expect(promptRE)
	// Each line prints enough that go-prompt's reader would run ahead
	// while it is shown (what lost the second line of a paste).
	if _, err := ptmx.WriteString("explain unshare\runshare uts\rexplain setns\rhostname pasted-one\rexplain CLONE_NEWNS\rhostname pasted-two\rrun hostname\r"); err != nil {
		t.Fatal(err)
	}
	c.expect(`(?m)^unshare\b`)
	c.expect(`unshare\(CLONE_NEWUTS`)
	c.expect(`(?m)^setns\b`)
	c.expect(`sethostname\("pasted-one", 10\) = 0`)
	c.expect(`(?m)^CLONE_NEWNS \(0x00020000\)`)
	c.expect(`sethostname\("pasted-two", 10\) = 0`)
	c.expect(`(?m)^pasted-two$`)
	c.expect(promptRE)
	// Ctrl-U in the same read as the text before it: the line is erased.
	c.type_("bogus words\x15box ls", "\r")
	c.expect(`box1 +\d+`)
	// Ctrl-Z while a program runs: hood has no job control, so the
	// program ignores it and ends on its own, and hood goes on.
	c.type_("run sleep 1", "\r")
	time.Sleep(300 * time.Millisecond)
	c.type_("\x1a")
	c.expect(`exit +0`)
	c.expect(promptRE)
	if _, err := ptmx.WriteString("exit\r"); err != nil {
		t.Fatal(err)
	}
	c.expectExit(cmd, exited, 0, "exit")
}
