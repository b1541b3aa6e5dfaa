package main

import (
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

// The one test of the interactive path: hood on a pseudo-terminal, driven
// through go-prompt as a person would, keystroke by keystroke.

// console is hood's terminal as the test sees it: what hood wrote, with the
// escape sequences and carriage returns taken out, and a cursor so that
// each expect looks only at output that came after the previous match.
type console struct {
	t    *testing.T
	ptmx *os.File
	mu   sync.Mutex
	text strings.Builder
	pos  int
	esc  int // 0 outside an escape, 1 after ESC, 2 in CSI, 3 a charset, 4 in OSC
}

func (c *console) read() {
	buf := make([]byte, 4096)
	for {
		n, err := c.ptmx.Read(buf)
		c.mu.Lock()
		for _, b := range buf[:n] {
			c.feed(b)
		}
		c.mu.Unlock()
		if err != nil {
			return
		}
	}
}

// feed strips ANSI escape sequences one byte at a time, so that what is
// kept never changes once kept, even when a sequence spans two reads.
func (c *console) feed(b byte) {
	switch c.esc {
	case 1:
		switch b {
		case '[':
			c.esc = 2
		case '(', ')':
			c.esc = 3
		case ']':
			c.esc = 4
		default:
			c.esc = 0
		}
	case 2:
		if b >= 0x40 && b <= 0x7e {
			c.esc = 0
		}
	case 3:
		c.esc = 0
	case 4: // an OSC, such as the window title, ends with BEL or ESC \
		switch b {
		case 0x07:
			c.esc = 0
		case 0x1b:
			c.esc = 1
		}
	default:
		switch b {
		case 0x1b:
			c.esc = 1
		case '\r':
		default:
			c.text.WriteByte(b)
		}
	}
}

// String is everything hood has written so far, escapes stripped.
func (c *console) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.text.String()
}

// expect waits for pattern in the output after the last match and returns
// its submatches.
func (c *console) expect(pattern string) []string {
	c.t.Helper()
	re := regexp.MustCompile(pattern)
	deadline := time.Now().Add(10 * time.Second)
	for {
		s := c.String()
		if loc := re.FindStringSubmatchIndex(s[c.pos:]); loc != nil {
			m := make([]string, len(loc)/2)
			for i := range m {
				if loc[2*i] >= 0 {
					m[i] = s[c.pos+loc[2*i] : c.pos+loc[2*i+1]]
				}
			}
			c.pos += loc[1]
			return m
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("no %#q on the terminal; after the last match it shows:\n%s", pattern, s[c.pos:])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// type_ sends keys one read at a time: go-prompt takes each read(2) as one
// key, so "uns\t" in one write would be inserted as text, tab and all.
func (c *console) type_(keys ...string) {
	c.t.Helper()
	for _, k := range keys {
		if _, err := c.ptmx.WriteString(k); err != nil {
			c.t.Fatalf("typing %q: %v", k, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

const promptRE = `hood\[box1\]> `

func TestInteractive(t *testing.T) {
	requireRoot(t)
	for _, leave := range []struct {
		name   string
		keys   []string
		sig    syscall.Signal
		status int
	}{
		{"exit", []string{"exit", "\r"}, 0, 0},
		{"Ctrl-D", []string{"\x04"}, 0, 0},
		// A signal at the prompt, while go-prompt has the terminal raw.
		{"SIGTERM", nil, syscall.SIGTERM, 128 + int(syscall.SIGTERM)},
	} {
		t.Run(leave.name, func(t *testing.T) {
			ptmx, tty := openPty(t, 200, 50)
			// A terminal set up a little unusually (erase is ^H, control
			// characters not echoed as ^X), so that hood must restore what
			// it found, not some default.
			before, err := unix.IoctlGetTermios(int(tty.Fd()), unix.TCGETS)
			if err != nil {
				t.Fatal(err)
			}
			before.Cc[unix.VERASE] = 0x08
			before.Lflag &^= unix.ECHOCTL
			if err := unix.IoctlSetTermios(int(tty.Fd()), unix.TCSETS, before); err != nil {
				t.Fatal(err)
			}
			if before, err = unix.IoctlGetTermios(int(tty.Fd()), unix.TCGETS); err != nil {
				t.Fatal(err)
			}

			cmd, exited := startOnPty(t, tty)

			c := &console{t: t, ptmx: ptmx}
			go c.read()

			c.expect(`hood \S+ · `)
			c.expect(promptRE)

			c.type_("box ls --json", "\r")
			boxPID, _ := strconv.Atoi(c.expect(`"pid": (\d+)`)[1])
			box, ok := procOf(boxPID)
			if !ok {
				t.Fatalf("box1 (PID %d from box ls --json) is not running", boxPID)
			}
			c.expect(promptRE)

			c.type_("unshare uts", "\r")
			c.expect(`unshare\(CLONE_NEWUTS /\* 0x04000000 \*/\) = 0`)
			c.expect(`changed  /proc/` + strconv.Itoa(boxPID) + `/ns/uts  uts:\[\d+\] -> uts:\[\d+\]`)
			c.expect(promptRE)

			// Completion: typing "uns" offers unshare with its summary;
			// Tab takes it, so what runs is "unshare", not "uns".
			c.type_("uns")
			c.expect(`unshare +give the current box new namespaces`)
			c.type_("\t", " ipc", "\r")
			c.expect(`unshare\(CLONE_NEWIPC /\* 0x08000000 \*/\) = 0`)
			c.expect(promptRE)

			// run makes the program the terminal's foreground job, then
			// hood takes the terminal back.
			c.type_("run echo from-the-box", "\r")
			c.expect(`(?m)^from-the-box$`)
			c.expect(`exit +0`)
			c.expect(promptRE)
			// A program run from the prompt gets a cooked terminal, not
			// the raw one go-prompt reads keys from.
			c.type_("run stty -a", "\r")
			lflags := c.expect(`(?m)^.*\bicanon\b.*$`)[0]
			if !regexp.MustCompile(`(^| )icanon( |$)`).MatchString(lflags) || !regexp.MustCompile(`(^| )echo( |$)`).MatchString(lflags) {
				t.Errorf("run stty -a: the terminal is not in canonical mode with echo: %s", lflags)
			}
			c.expect(promptRE)

			c.type_(leave.keys...)
			if leave.sig != 0 {
				if err := cmd.Process.Signal(leave.sig); err != nil {
					t.Fatal(err)
				}
			}
			c.expectExit(cmd, exited, leave.status, fmt.Sprintf("%q", leave.keys))
			if left := waitGone([]proc{box}, 5*time.Second); len(left) > 0 {
				t.Errorf("box1 outlived hood: %s", describe(left))
			}

			after, err := unix.IoctlGetTermios(int(tty.Fd()), unix.TCGETS)
			if err != nil {
				t.Fatal(err)
			}
			if *after != *before {
				t.Errorf("hood left the terminal changed:\n before %s\n after  %s", termiosString(before), termiosString(after))
			}
			if after.Lflag&(unix.ECHO|unix.ICANON) != unix.ECHO|unix.ICANON {
				t.Errorf("ECHO or ICANON is off after hood: %s", termiosString(after))
			}
		})
	}
}

// expectExit waits for the hood on c to exit with status, after what (the
// keys that should end it).
func (c *console) expectExit(cmd *exec.Cmd, exited chan struct{}, status int, what string) {
	c.t.Helper()
	select {
	case <-exited:
		if got := cmd.ProcessState.ExitCode(); got != status {
			c.t.Fatalf("hood exited with %v, want status %d; the terminal shows:\n%s", cmd.ProcessState, status, c)
		}
	case <-time.After(10 * time.Second):
		c.t.Fatalf("hood did not exit after %s; the terminal shows:\n%s", what, c)
	}
}

// openPty opens a pseudo-terminal of that size (go-prompt divides by the
// width: a pty must have one), closed at the end of the test, or skips.
func openPty(t *testing.T, cols, rows uint16) (ptmx, tty *os.File) {
	t.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { ptmx.Close(); tty.Close() })
	if err := pty.Setsize(ptmx, &pty.Winsize{Rows: rows, Cols: cols}); err != nil {
		t.Fatal(err)
	}
	return ptmx, tty
}

// startOnPty starts hood with tty as its terminal, and a state directory
// of the test's own (or env's); it is killed at the end of the test if it
// has not exited. exited is closed when it has.
func startOnPty(t *testing.T, tty *os.File, env ...string) (cmd *exec.Cmd, exited chan struct{}) {
	t.Helper()
	return startOnPtyArgs(t, tty, nil, env...)
}

// startOnPtyArgs is startOnPty with hood's arguments (hood demo FILE).
func startOnPtyArgs(t *testing.T, tty *os.File, args []string, env ...string) (cmd *exec.Cmd, exited chan struct{}) {
	t.Helper()
	cmd = hoodCommand(t, "hood", args...)
	cmd.Env = append(cmd.Env, "TERM=xterm", "SUDO_USER=", "XDG_STATE_HOME="+t.TempDir())
	cmd.Env = append(cmd.Env, env...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
	// Its own session with the pty as controlling terminal: go-prompt
	// reads keys from /dev/tty, and a resize signals hood (SIGWINCH).
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited = make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		select {
		case <-exited:
		default:
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	return cmd, exited
}

func termiosString(t *unix.Termios) string {
	return fmt.Sprintf("iflag %#x oflag %#x cflag %#x lflag %#x (ECHO %v ICANON %v ISIG %v) cc %v",
		t.Iflag, t.Oflag, t.Cflag, t.Lflag, t.Lflag&unix.ECHO != 0, t.Lflag&unix.ICANON != 0, t.Lflag&unix.ISIG != 0, t.Cc)
}
