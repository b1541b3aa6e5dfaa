package cgroup

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// A fake cgroup tree with links planted where hood writes, and names with
// `..`: every write is refused, and nothing outside the tree changes.
func TestWritesStayInTheTree(t *testing.T) {
	outside := t.TempDir()
	victim := filepath.Join(outside, "cpu.max")
	if err := os.WriteFile(victim, []byte("max\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	untouched := func(what string) {
		t.Helper()
		if b, _ := os.ReadFile(victim); string(b) != "max\n" {
			t.Fatalf("%s: the file outside was written: %q", what, b)
		}
		if ents, _ := os.ReadDir(outside); len(ents) != 1 {
			t.Fatalf("%s: something was made outside: %v", what, ents)
		}
	}

	// hood/ itself is a link out: the group is not made through it.
	h := fakeHier(t)
	if err := os.Symlink(outside, filepath.Join(h.Mount, "hood")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := NewGroup([]Hierarchy{h}, "box1", 4242); !errors.Is(err, unix.ELOOP) && !errors.Is(err, unix.ENOTDIR) {
		t.Errorf("NewGroup through a planted hood/ link: %v, want ELOOP", err)
	}
	untouched("NewGroup")

	// A group directory is a link out, and a file in a real group is.
	dir := filepath.Join(t.TempDir(), "hood", "box1")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	linked := filepath.Join(filepath.Dir(dir), "box2")
	os.Symlink(outside, linked)
	if _, err := WriteFile(linked, "cpu.max", "1000 100000"); !errors.Is(err, unix.ELOOP) {
		t.Errorf("a write through a linked group directory: %v, want ELOOP", err)
	}
	os.Symlink(victim, filepath.Join(dir, "cpu.max"))
	if _, err := WriteFile(dir, "cpu.max", "1000 100000"); !errors.Is(err, unix.ELOOP) {
		t.Errorf("a write to a planted cpu.max link: %v, want ELOOP", err)
	}
	var o ops
	if err := o.mkdir(filepath.Join(linked, "child")); !errors.Is(err, unix.ELOOP) {
		t.Errorf("mkdir below a linked group: %v, want ELOOP", err)
	}
	if err := o.rmdir(filepath.Join(linked, "x")); !errors.Is(err, unix.ELOOP) {
		t.Errorf("rmdir below a linked group: %v, want ELOOP", err)
	}
	untouched("writes")

	// `..` in a group directory or a file name is refused before any call.
	up := dir + "/../../../" + filepath.Base(outside)
	if calls, err := WriteFile(up, "cpu.max", "1"); err == nil || len(calls) != 0 {
		t.Errorf("a group directory with ..: %v %v, want a refusal and no call", calls, err)
	}
	if _, err := WriteFile(dir, "..", "1"); err == nil {
		t.Error("the file name .. was taken")
	}
	if err := o.mkdir(dir + "/../x"); err == nil {
		t.Error("mkdir of a path with .. was made")
	}
	if _, _, err := NewGroup([]Hierarchy{fakeHier(t)}, "..", 4242); err == nil {
		t.Error("the group name .. was taken")
	}
	untouched("..")
}
