package render

import (
	"bytes"
	"errors"
	"strings"
	"syscall"
	"testing"

	"hood/internal/kernel/call"
	"hood/internal/result"
)

func sample() *result.Result {
	return &result.Result{
		Syscalls: []result.Syscall{{Who: "box1", Name: "unshare", Args: []call.Arg{call.F(0x04000000, "CLONE_NEWUTS /* 0x04000000 */")}}},
		Changes:  []result.Change{{Path: "/proc/1/ns/uts", Before: "uts:[1]", After: "uts:[2]"}},
		Lines:    []result.Line{{Key: "box1", Value: "tupperware"}},
		Shell:    "unshare --uts",
		Meaning:  "box1 has its own hostname.",
	}
}

func TestNarration(t *testing.T) {
	var b bytes.Buffer
	(&Renderer{W: &b}).Result(sample(), result.NarrateFull)
	want := `  syscall  unshare(CLONE_NEWUTS /* 0x04000000 */) = 0   [box1]
  changed  /proc/1/ns/uts  uts:[1] -> uts:[2]
  box1     tupperware
  shell    unshare --uts
  meaning  box1 has its own hostname.
`
	if b.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", b.String(), want)
	}
	b.Reset()
	(&Renderer{W: &b}).Result(sample(), result.NarrateOff)
	if b.String() != "  box1     tupperware\n" {
		t.Fatalf("narrate off printed %q", b.String())
	}
}

func TestColourOnlyWhenAsked(t *testing.T) {
	var plain, coloured bytes.Buffer
	(&Renderer{W: &plain}).Result(sample(), result.NarrateFull)
	(&Renderer{W: &coloured, Color: true}).Result(sample(), result.NarrateFull)
	if strings.Contains(plain.String(), "\x1b[") {
		t.Error("escape codes without colour")
	}
	if !strings.Contains(coloured.String(), "\x1b[") {
		t.Error("no escape codes with colour")
	}
}

func TestErrors(t *testing.T) {
	var b bytes.Buffer
	r := &Renderer{W: &b}
	r.Error(&result.KernelError{Call: "unshare(CLONE_NEWUSER)", Errno: syscall.EPERM, ErrName: "EPERM", Meaning: "needs CAP_SYS_ADMIN", Fix: "run as root"})
	for _, want := range []string{"EPERM", "operation not permitted", "why: needs CAP_SYS_ADMIN", "fix: run as root"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("kernel error %q lacks %q", b.String(), want)
		}
	}
	b.Reset()
	r.Error(errors.New("plain"))
	if b.String() != "error: plain\n" {
		t.Errorf("plain error: %q", b.String())
	}
}

func TestTable(t *testing.T) {
	var b bytes.Buffer
	(&Renderer{W: &b}).Result(&result.Result{Table: &result.Table{Header: []string{"A", "B"}, Rows: [][]string{{"x", "yy"}, {"zzz", "w"}}}}, result.NarrateFull)
	lines := strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "A") || !strings.Contains(lines[2], "zzz") {
		t.Fatalf("table:\n%s", b.String())
	}
	// Columns line up.
	if strings.Index(lines[1], "yy") != strings.Index(lines[0], "B") {
		t.Errorf("columns not aligned:\n%s", b.String())
	}
}

func TestClearOnlyOnATerminal(t *testing.T) {
	var tty, pipe bytes.Buffer
	(&Renderer{W: &tty, TTY: true}).Result(&result.Result{Clear: true}, result.NarrateBrief)
	(&Renderer{W: &pipe}).Result(&result.Result{Clear: true}, result.NarrateBrief)
	if tty.String() != "\x1b[2J\x1b[H" {
		t.Errorf("clear on a terminal wrote %q", tty.String())
	}
	if pipe.Len() != 0 {
		t.Errorf("clear into a pipe wrote %q", pipe.String())
	}
}
