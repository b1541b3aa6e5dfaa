package main

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestDemoOnPty plays a demo as a speaker would, on a pseudo-terminal:
// keys type the command a few characters at a time and Enter runs it, !
// opens the live prompt in the same session and Ctrl-D goes back, a step
// that fails stops the demo with its error and the choice of retry, skip
// or the prompt, and the terminal is as it was afterwards.
func TestDemoOnPty(t *testing.T) {
	requireRoot(t)
	dir := t.TempDir()
	script := filepath.Join(dir, "t.demo")
	if err := os.WriteFile(script, []byte(`@title A talk on a pty
# Step one: a UTS namespace
unshare uts
# Step two: a name
hostname pty-demo
# Step three: this one fails
cgroup set memory.max lots
# The end
run hostname
`), 0o644); err != nil {
		t.Fatal(err)
	}
	ptmx, tty := openPty(t, 80, 50)
	before, err := unix.IoctlGetTermios(int(tty.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	cmd, exited := startOnPtyArgs(t, tty, []string{"demo", script})
	c := &console{t: t, ptmx: ptmx}
	go c.read()

	c.expect(`▌ Step one: a UTS namespace`)
	c.expect(promptRE + `$`)
	// Each key types a few characters, never the whole line at once.
	c.type_("x")
	time.Sleep(300 * time.Millisecond) // a human's pace: the characters come one by one
	typed := c.expect(`^(\S+)`)[1]
	if len(typed) < 2 || len(typed) > 4 || typed != "unshare uts"[:len(typed)] {
		t.Fatalf("one key typed %q: want the first 2 to 4 characters of unshare uts", typed)
	}
	c.type_("\r")
	c.expect(`unshare\(CLONE_NEWUTS /\* 0x04000000 \*/\) = 0`)

	// ! before the next command: the live prompt, same session.
	c.expect(`▌ Step two: a name`)
	c.type_("!")
	c.expect(`The live prompt, in the same session: Ctrl-D goes back to the demo\.`)
	c.type_("box ls --json", "\r")
	boxPID, _ := strconv.Atoi(c.expect(`"pid": (\d+)`)[1])
	box, ok := procOf(boxPID)
	if !ok {
		t.Fatalf("box1 (PID %d) is not running", boxPID)
	}
	c.type_("\x04")
	c.expect(`Back to the demo\.`)
	c.type_("\r") // Enter types the rest and runs it
	c.expect(`hostname pty-demo`)
	c.expect(`sethostname\("pty-demo", 8\) = 0`)

	// The failing step: its error, then the choice; s skips it.
	c.expect(`▌ Step three: this one fails`)
	c.type_("\r")
	c.expect(`error: memory\.max "lots": not a size`)
	c.expect(`t\.demo:7 failed\. r: retry · s: skip · !: the\s+prompt · q: quit the demo`)
	c.type_("r") // runs it again at once
	c.expect(promptRE + `cgroup set memory\.max lots`)
	c.expect(`error: memory\.max "lots": not a size`)
	c.expect(`t\.demo:7 failed\.`)
	c.type_("s")

	c.expect(`▌ The end`)
	c.type_("\r")
	c.expect(`(?m)^pty-demo$`)
	c.expect(`End of the demo "A talk on a pty": 3 of 4 commands ran as written, 1 skipped\.`)
	c.type_("x")
	c.expectExit(cmd, exited, 0, "a key at the end of the demo")
	if left := waitGone([]proc{box}, 5*time.Second); len(left) > 0 {
		t.Errorf("box1 outlived hood: %s", describe(left))
	}
	after, err := unix.IoctlGetTermios(int(tty.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	if *after != *before {
		t.Errorf("hood demo left the terminal changed:\n before %s\n after  %s", termiosString(before), termiosString(after))
	}
}
