package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hood/internal/kernel/procfs"
	"hood/internal/rootfs"
)

// A box that pivoted into a rootfs leaves nothing when hood is killed: its
// mounts were in its own mount namespace, which goes with its processes;
// the host's mount table is as it was. A tree half-made by a killed hood
// is removed by hood cleanup, which names it.
func TestRootfsLeavesNothingAfterSIGKILL(t *testing.T) {
	requireRoot(t)
	if _, err := rootfs.FindBusybox(); err != nil {
		t.Skip(err)
	}
	state := t.TempDir()
	t.Setenv("XDG_STATE_HOME", state)
	before, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	s := startSession(t)
	out := s.run("rootfs make r1", "unshare pid mnt --fork", "pivot_root r1")
	if !strings.Contains(out, "is in no mount of box1's table now") {
		t.Fatalf("pivot_root did not happen:\n%s\nstderr %s", out, s.stderr)
	}
	tree := filepath.Join(state, "hood", "rootfs", "r1")
	top, err := procfs.FileIDOf(tree)
	if err != nil {
		t.Fatal(err)
	}
	// A partial tree as a hood killed during an import leaves it.
	partial := filepath.Join(state, "hood", "rootfs", fmt.Sprintf(".partial-r2-%d-1", 999999999))
	if err := os.MkdirAll(filepath.Join(partial, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	s.end(t, true)
	after, _ := os.ReadFile("/proc/self/mountinfo")
	// Other hoods (tests of other packages, run at the same time) mount
	// /run/netns and the names in it, and take them away again.
	for _, l := range strings.Split(strings.TrimSpace(string(before)), "\n") {
		if !strings.Contains(string(after), l+"\n") && !strings.Contains(l, " /run/netns/") && !strings.Contains(l, " /run/netns ") {
			t.Errorf("the host's mount changed or went: %s", l)
		}
	}
	if strings.Contains(string(after), state) {
		t.Errorf("a mount under %s is in the host's table:\n%s", state, after)
	}
	// No process is left with the rootfs as its root.
	pids, _ := procfs.Host.PIDs()
	for _, pid := range pids {
		if id, err := procfs.Host.RootID(pid); err == nil && id == top {
			t.Errorf("process %d still has %s as its root", pid, tree)
		}
	}
	res, err := hoodCommand(t, "hood", "cleanup", "-v").CombinedOutput()
	if err != nil {
		t.Fatalf("hood cleanup: %v\n%s", err, res)
	}
	if _, err := os.Stat(partial); err == nil || !strings.Contains(string(res), partial) {
		t.Errorf("hood cleanup did not remove and name %s:\n%s", partial, res)
	}
	if _, err := os.Stat(tree); err != nil {
		t.Errorf("the finished rootfs went too: %v", err)
	}
}
