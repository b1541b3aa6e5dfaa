package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"

	"hood/internal/cast"
)

// castFile is a recording read back as a player reads it.
type castFile struct {
	header struct {
		Version   int               `json:"version"`
		Width     int               `json:"width"`
		Height    int               `json:"height"`
		Timestamp int64             `json:"timestamp"`
		Title     string            `json:"title"`
		Env       map[string]string `json:"env"`
	}
	marks    []string // the labels of the "m" events, in order
	segments []string // the "o" text before the first mark, then after each, escapes stripped
	raw      string   // all "o" data, as written
	resizes  []string
}

// readCast parses path, failing t on any line that is not valid asciicast
// v2: a header object, then [time, code, data] with times never going
// back, valid UTF-8 throughout.
func readCast(t *testing.T, path string) *castFile {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !utf8.Valid(data) {
		t.Errorf("%s is not valid UTF-8", path)
	}
	c := &castFile{segments: []string{""}}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	if !sc.Scan() {
		t.Fatalf("%s is empty", path)
	}
	if err := json.Unmarshal(sc.Bytes(), &c.header); err != nil || !strings.HasPrefix(sc.Text(), "{") {
		t.Fatalf("header %q is not a JSON object: %v", sc.Text(), err)
	}
	last := 0.0
	text := &console{}
	for sc.Scan() {
		var ev []json.RawMessage
		var when float64
		var code, s string
		if json.Unmarshal(sc.Bytes(), &ev) != nil || len(ev) != 3 || json.Unmarshal(ev[0], &when) != nil ||
			json.Unmarshal(ev[1], &code) != nil || json.Unmarshal(ev[2], &s) != nil {
			t.Fatalf("event %q is not [seconds, code, string]", sc.Text())
		}
		if when < last {
			t.Errorf("event %q goes back in time (after %f)", sc.Text(), last)
		}
		last = when
		switch code {
		case "o":
			c.raw += s
			for _, b := range []byte(s) {
				text.feed(b)
			}
			c.segments[len(c.segments)-1] += text.text.String()
			text.text.Reset()
		case "m":
			c.marks = append(c.marks, s)
			c.segments = append(c.segments, "")
		case "r":
			c.resizes = append(c.resizes, s)
		default:
			t.Errorf("event %q: unknown code %q", sc.Text(), code)
		}
	}
	return c
}

// check holds a recording to what the session ran: each line one marker,
// in order, with the output of that line after it (before the next).
func (c *castFile) check(t *testing.T, lines []string, after [][]string) {
	t.Helper()
	if !reflect.DeepEqual(c.marks, lines) {
		t.Errorf("markers %q, want one per command line: %q", c.marks, lines)
	}
	for i, want := range after {
		if i+1 >= len(c.segments) {
			break
		}
		for _, w := range want {
			if !regexp.MustCompile(w).MatchString(c.segments[i+1]) {
				t.Errorf("after the marker of %q the recording does not show %q; it shows:\n%s", lines[i], w, c.segments[i+1])
			}
		}
	}
	if strings.Contains(c.raw, "7771;") {
		t.Errorf("a mark was left in the output: %q", c.raw)
	}
	if age := time.Now().Unix() - c.header.Timestamp; c.header.Version != 2 || age < 0 || age > 120 {
		t.Errorf("header: version %d, timestamp %d seconds ago; want 2 and now", c.header.Version, age)
	}
}

// children is what /proc says pid's children are.
func children(t *testing.T, pid int) []int {
	t.Helper()
	tasks, _ := filepath.Glob("/proc/" + strconv.Itoa(pid) + "/task/*/children")
	var kids []int
	for _, f := range tasks {
		b, _ := os.ReadFile(f)
		for _, w := range strings.Fields(string(b)) {
			n, _ := strconv.Atoi(w)
			kids = append(kids, n)
		}
	}
	return kids
}

var recordLines = []string{"unshare uts", "hostname recorded", "run hostname"}

// recordAfter is what each of recordLines shows (regular expressions).
var recordAfter = [][]string{
	{`unshare\(CLONE_NEWUTS /\* 0x04000000 \*/\) = 0`},
	{`sethostname\("recorded", 8\) = 0`},
	{`(?m)^recorded$`, `execve\("/usr/bin/hostname"`, `exit +0`},
}

// hood --record in line mode, stdin a pipe: the commands are read from it
// as they would be without --record, the pty has COLUMNS x LINES, the
// recording holds each line's marker and output, hood's stdout the same
// with LF line ends, and the recorder itself starts no box.
func TestRecordLineMode(t *testing.T) {
	requireRoot(t)
	file := filepath.Join(t.TempDir(), "line.cast")
	cmd := hoodCommand(t, "hood", "--no-color", "--record", file)
	cmd.Env = append(cmd.Env, "COLUMNS=100", "LINES=33", "TERM=xterm-256color", "SUDO_USER=", "XDG_STATE_HOME="+t.TempDir())
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var out syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	// run env: what the box runs does not inherit the request for marks.
	lines := append(slices.Clone(recordLines), "run env")
	if _, err := stdin.Write([]byte(strings.Join(lines, "\n") + "\n")); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(20 * time.Second); strings.Count(out.String(), "exit     0") < 2; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no output of run hostname; hood wrote:\n%s", out.String())
		}
	}
	// The recorder's one child is the hood it recorded, and box1 is
	// that hood's: the recorder forked no box of its own.
	kids := children(t, cmd.Process.Pid)
	if len(kids) != 1 {
		t.Fatalf("the recorder has children %v, want one (the hood it records)", kids)
	}
	inner, ok := procOf(kids[0])
	var tree []proc
	for _, k := range children(t, kids[0]) {
		if p, ok := procOf(k); ok {
			tree = append(tree, p)
		}
	}
	if !ok || len(tree) == 0 || tree[0].Comm != "hood-box" {
		t.Errorf("the recorded hood %v has children %v, want box1", inner, tree)
	}
	stdin.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("hood --record: %v\n%s", err, out.String())
	}
	if left := waitGone(append(tree, inner), 5*time.Second); len(left) > 0 {
		t.Errorf("left running after hood --record: %s", describe(left))
	}

	st, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("%s has mode %v, want 0600", file, st.Mode().Perm())
	}
	c := readCast(t, file)
	if c.header.Width != 100 || c.header.Height != 33 || c.header.Env["TERM"] != "xterm-256color" {
		t.Errorf("header %+v, want 100x33 (COLUMNS, LINES) and TERM", c.header)
	}
	c.check(t, lines, append(slices.Clone(recordAfter), []string{`(?m)^PATH=`}))
	if strings.Contains(c.raw, cast.MarksEnv) {
		t.Errorf("a program run in a box inherited %s:\n%s", cast.MarksEnv, c.segments[len(c.segments)-1])
	}
	// What hood printed went to stdout as well, the same bytes with the
	// pty's CR LF made LF.
	if want := strings.ReplaceAll(c.raw, "\r\n", "\n"); out.String() != want {
		t.Errorf("stdout is not the recording's output:\n%q\nrecording:\n%q", out.String(), want)
	}

	t.Run("asciinema", func(t *testing.T) {
		bin, err := exec.LookPath("asciinema")
		if err != nil {
			t.Skip("asciinema is not installed (Debian: apt-get install asciinema): not checking that it replays the recording")
		}
		// asciinema cat reads keys from /dev/tty: it needs a terminal.
		cat := exec.Command(bin, "cat", file)
		p, err := pty.Start(cat)
		if err != nil {
			t.Skipf("no pseudo-terminal for asciinema: %v", err)
		}
		defer p.Close()
		var got bytes.Buffer
		_, _ = got.ReadFrom(p) // to EIO, when asciinema has exited
		if err := cat.Wait(); err != nil || !strings.Contains(got.String(), "\nrecorded\r") || !strings.Contains(got.String(), `sethostname("recorded", 8) = 0`) {
			t.Errorf("asciinema cat %s (%v) does not replay what hood showed:\n%s", file, err, got.String())
		}
	})
}

// hood --record on a terminal: go-prompt draws on the pty hood made, keys
// typed reach it, a resize of the real terminal reaches it and is
// recorded, and the terminal is left as it was.
func TestRecordInteractive(t *testing.T) {
	requireRoot(t)
	ptmx, tty := openPty(t, 90, 30)
	before, err := unix.IoctlGetTermios(int(tty.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "pty.cast")
	cmd, exited := startOnPtyArgs(t, tty, []string{"--record=" + file})
	c := &console{t: t, ptmx: ptmx}
	go c.read()

	c.expect(promptRE)
	for _, l := range recordLines {
		c.type_(l, "\r")
		c.expect(promptRE)
	}
	// The real terminal grows: the pty hood runs on follows.
	if err := pty.Setsize(ptmx, &pty.Winsize{Rows: 40, Cols: 120}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	c.type_("run stty size", "\r")
	c.expect(`(?m)^40 120$`)
	c.expect(promptRE)
	c.type_("exit", "\r")
	select {
	case <-exited:
		if cmd.ProcessState.ExitCode() != 0 {
			t.Errorf("hood --record exited with %v; the terminal shows:\n%s", cmd.ProcessState, c)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("hood --record did not exit; the terminal shows:\n%s", c)
	}
	after, err := unix.IoctlGetTermios(int(tty.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	if *after != *before {
		t.Errorf("hood --record left the terminal changed:\n before %s\n after  %s", termiosString(before), termiosString(after))
	}

	rec := readCast(t, file)
	if rec.header.Width != 90 || rec.header.Height != 30 {
		t.Errorf("header says %dx%d, the terminal was 90x30", rec.header.Width, rec.header.Height)
	}
	if !reflect.DeepEqual(rec.resizes, []string{"120x40"}) {
		t.Errorf("resize events %q, want [120x40]", rec.resizes)
	}
	rec.check(t, append(recordLines, "run stty size", "exit"), append(recordAfter, []string{`(?m)^40 120$`}))
	// go-prompt's drawing is in it: the prompt in its colour.
	if !strings.Contains(rec.raw, "hood[box1]> ") || !strings.Contains(rec.raw, "\x1b[0;36;49m") {
		t.Errorf("the recording does not hold go-prompt's coloured prompt:\n%q", rec.raw)
	}
}

// hood demo --record: a talk's backup video in one go. Each command the
// demo types is marked where it runs, after it was typed out.
func TestRecordDemo(t *testing.T) {
	requireRoot(t)
	file := filepath.Join(t.TempDir(), "demo.cast")
	cmd := hoodCommand(t, "hood", "demo", "lab:uts", "--auto", "--pace", "1", "--record", file)
	cmd.Env = append(cmd.Env, "SUDO_USER=", "XDG_STATE_HOME="+t.TempDir())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("hood demo --record: %v\n%s", err, out)
	}
	c := readCast(t, file)
	if !strings.Contains(c.header.Title, "demo lab:uts") {
		t.Errorf("title %q does not name the demo", c.header.Title)
	}
	if len(c.marks) < 2 || c.marks[0] != "unshare uts" {
		t.Fatalf("markers %q, want the lab's commands from unshare uts on", c.marks)
	}
	for i, m := range c.marks {
		if !strings.HasSuffix(strings.TrimRight(c.segments[i], " \n"), m) {
			t.Errorf("the marker of %q does not come right after the demo typed it:\n%s", m, c.segments[i])
		}
	}
	if !strings.Contains(c.segments[1], "unshare(CLONE_NEWUTS") {
		t.Errorf("after the marker of unshare uts: no unshare call:\n%s", c.segments[1])
	}
}
