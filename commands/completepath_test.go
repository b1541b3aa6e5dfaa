package commands

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"hood/internal/kernel/call"
	"hood/internal/result"
)

func texts(sugg []Suggestion) string {
	var out []string
	for _, s := range sugg {
		out = append(out, s.Text)
	}
	return strings.Join(out, " ")
}

func TestCompletePaths(t *testing.T) {
	dir := t.TempDir()
	for _, d := range []string{"apk", "sub", ".git"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"alpine.tar.gz", ".hidden", "sub/inner.txt", "sub/.dot"} {
		if err := os.WriteFile(filepath.Join(dir, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("sub", filepath.Join(dir, "lnk")); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	s := NewSession()
	for _, tc := range []struct{ line, want string }{
		{"rootfs import ", "alpine.tar.gz apk/ lnk/ sub/"},
		{"rootfs import a", "alpine.tar.gz apk/"},
		{"rootfs import .", ".git/ .hidden"},
		{"rootfs import sub/", "sub/inner.txt"},
		{"rootfs import sub/.", "sub/.dot"},
		{"rootfs import lnk/i", "lnk/inner.txt"},
		{"rootfs import alpine.tar.gz ", ""}, // NAME, not a path
		{"rootfs import nowhere/", ""},
		{"write s", "sub/"},
		{"write sub/inner.txt ", ""}, // SIZE
		{"mount --bind sub ", "alpine.tar.gz apk/ lnk/ sub/"},
		{"mount -t ", ""}, // the type, not a path
		{"mount -t tmpfs none a", "alpine.tar.gz apk/"},
		{"umount -l a", "alpine.tar.gz apk/"},
		{"pivot_root apk --put-old s", "sub/"},
		{"box export box1 ", ""},
		{"box export box1 --file a", "alpine.tar.gz apk/"},
		{"enter s", "self"}, // a target, unless it looks like a path
		{"enter ./s", "./sub/"},
		{"ns ls a", ""}, // takes no path
		{"write " + dir + "/a", dir + "/alpine.tar.gz " + dir + "/apk/"},
	} {
		if got := texts(s.Complete(tc.line)); got != tc.want {
			t.Errorf("Complete(%q) = %q, want %q", tc.line, got, tc.want)
		}
	}
}

// After a command, `explain ` offers first the words of its output that
// have an entry, then every entry; with narration off, the calls are not
// output, so their words are not offered.
func TestCompleteExplainAfterOutput(t *testing.T) {
	s := NewSession()
	res := &result.Result{Meaning: "box1 has its own hostname now"}
	res.Add(call.New("box1", 42, "unshare", 0, nil, call.F(0x04000000, "CLONE_NEWUTS")))
	res.Changes = []result.Change{{Path: "/sys/fs/cgroup/hood/box1/memory.max", Before: "max", After: "52428800"}}
	err := &result.KernelError{Call: "rmdir(hood/box1)", Errno: syscall.EBUSY, ErrName: "EBUSY", Meaning: "the group has processes"}
	s.Saw(res, err)
	got := s.Complete("explain ")
	if len(got) < 5 {
		t.Fatalf("explain completes to %q", texts(got))
	}
	var seen []string
	for _, g := range got {
		if g.Desc != "in the last output" {
			break
		}
		seen = append(seen, g.Text)
	}
	// cgroup (from the path) and hostname (the meaning) have entries too.
	if first := strings.Join(seen, " "); first != "unshare CLONE_NEWUTS cgroup memory.max hostname rmdir EBUSY" {
		t.Errorf("explain offers first %q (all: %.200s)", first, texts(got))
	}
	if strings.Count(" "+texts(got)+" ", " CLONE_NEWUTS ") != 1 {
		t.Error("CLONE_NEWUTS offered twice")
	}
	if got := texts(s.Complete("explain CLONE_NEWU")); !strings.HasPrefix(got, "CLONE_NEWUTS") {
		t.Errorf("explain CLONE_NEWU completes to %q", got)
	}
	// The next command on the same line adds its words.
	s.Saw(&result.Result{Text: "needs CAP_SYS_ADMIN"}, nil)
	if got := texts(s.Complete("explain C")); !strings.HasPrefix(got, "CLONE_NEWUTS CAP_SYS_ADMIN ") {
		t.Errorf("after a second command, explain C completes to %.100q", got)
	}
	s.Narrate = result.NarrateOff
	s.NewOutput()
	s.Saw(res, nil)
	if got := s.Complete("explain "); len(got) > 0 && got[0].Desc == "in the last output" {
		t.Errorf("with narration off, explain offers first %q, which was not shown", got[0].Text)
	}
	// A line that showed nothing explainable leaves only the entries.
	s.NewOutput()
	s.Saw(&result.Result{Text: "nothing here"}, nil)
	if got := s.Complete("explain "); len(got) == 0 || got[0].Desc != "" {
		t.Errorf("explain after plain text: %v", got[:min(3, len(got))])
	}
}

func BenchmarkSaw(b *testing.B) {
	s := NewSession()
	res := &result.Result{Meaning: "box1 now has its own hostname and NIS domain name (uts); the host keeps its own.", Shell: "unshare --uts"}
	for range 20 {
		res.Add(call.New("box1", 42, "openat", 3, nil, call.Cwd(), call.S("/sys/fs/cgroup/memory/hood/box1/memory.limit_in_bytes"), call.F(1, "O_WRONLY")))
	}
	res.Table = &result.Table{Header: []string{"NS", "TYPE", "NPROCS", "PID", "USER", "COMMAND"}}
	for range 100 {
		res.Table.Rows = append(res.Table.Rows, []string{"4026531838", "uts", "120", "1", "root", "/sbin/init splash"})
	}
	for b.Loop() {
		s.NewOutput()
		s.Saw(res, nil)
	}
}

func BenchmarkCompleteExplain(b *testing.B) {
	s := NewSession()
	s.Saw(&result.Result{Text: "unshare(CLONE_NEWUTS) = 0 memory.max EBUSY CAP_SYS_ADMIN"}, nil)
	for b.Loop() {
		s.Complete("explain CL")
	}
}

func BenchmarkCompletePath(b *testing.B) {
	s := NewSession()
	for b.Loop() {
		s.Complete("rootfs import /usr/bin/l")
	}
}

// The explain completion as it was before any output was seen.
func BenchmarkCompleteExplainNothingSeen(b *testing.B) {
	s := NewSession()
	for b.Loop() {
		s.Complete("explain CL")
	}
}
