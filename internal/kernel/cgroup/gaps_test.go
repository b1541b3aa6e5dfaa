package cgroup

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestSubtreeGaps(t *testing.T) {
	root := t.TempDir()
	write := func(dir, file, v string) {
		if err := os.MkdirAll(filepath.Join(root, dir), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, dir, file), []byte(v+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(".", "cgroup.controllers", "cpu memory pids hugetlb")
	write(".", "cgroup.subtree_control", "cpu memory pids")
	write("user.slice", "cgroup.subtree_control", "cpu memory pids")
	write("user.slice/me", "cgroup.subtree_control", "")
	hs := []Hierarchy{{Mount: root, Path: "/user.slice/me", v2: true}}
	got := subtreeGaps(hs, Unified)
	want := []string{root + ": +hugetlb", filepath.Join(root, "user.slice") + ": +hugetlb"}
	if !slices.Equal(got, want) {
		t.Errorf("gaps %q, want %q", got, want)
	}
	if got := subtreeGaps(hs, Hybrid); got != nil {
		t.Errorf("hybrid: %q", got)
	}
	write(".", "cgroup.subtree_control", "cpu memory pids hugetlb")
	write("user.slice", "cgroup.subtree_control", "cpu memory pids hugetlb")
	if got := subtreeGaps(hs, Unified); got != nil {
		t.Errorf("every controller enabled: %q", got)
	}
}
