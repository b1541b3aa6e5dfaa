package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"hood/internal/kernel/cgroup"
)

// hoodLeftovers lists the pins and box cgroups a hood with PID pid made.
func hoodLeftovers(t *testing.T, pid int) []string {
	t.Helper()
	var out []string
	pins, _ := filepath.Glob(filepath.Join("/run/hood", strconv.Itoa(pid), "*"))
	out = append(out, pins...)
	hs, err := cgroup.Hierarchies("/proc", pid)
	if err != nil {
		hs, _ = cgroup.Hierarchies("/proc", os.Getpid())
	}
	for _, h := range hs {
		dirs, _ := filepath.Glob(filepath.Join(h.Dir(), "hood", "box1*"))
		out = append(out, dirs...)
	}
	return out
}

// What hood makes in the filesystem (a namespace pin, a box cgroup in every
// hierarchy) goes when hood ends; after a SIGKILL it stays until the next
// start or hood cleanup removes it.
func TestPinsAndCgroupsAreRemoved(t *testing.T) {
	requireRoot(t)
	for _, kill := range []bool{false, true} {
		name := "exit"
		if kill {
			name = "SIGKILL then hood cleanup"
		}
		t.Run(name, func(t *testing.T) {
			s := startSession(t)
			s.run("cgroup attach", "unshare net", "ns pin box1 net")
			made := hoodLeftovers(t, s.hood.PID)
			if len(made) < 2 {
				t.Fatalf("want a pin and cgroups, found %v (stderr %s)", made, s.stderr)
			}
			if !kill {
				s.stdin.Close()
				if _, err := s.wait(10 * time.Second); err != nil {
					t.Fatal(err)
				}
				for _, p := range made {
					if _, err := os.Stat(p); err == nil {
						t.Errorf("%s is left after hood exited", p)
					}
				}
				return
			}
			_ = unix.Kill(s.hood.PID, unix.SIGKILL)
			if _, err := s.wait(10 * time.Second); err != nil {
				t.Fatal(err)
			}
			for _, p := range made {
				if _, err := os.Stat(p); err != nil {
					t.Errorf("after SIGKILL %s should still be there for cleanup to find: %v", p, err)
				}
			}
			out, err := hoodCommand(t, "hood", "cleanup").CombinedOutput()
			if err != nil {
				t.Fatalf("hood cleanup: %v\n%s", err, out)
			}
			for _, p := range made {
				if _, err := os.Stat(p); err == nil {
					t.Errorf("hood cleanup left %s", p)
				}
				if !strings.Contains(string(out), p) {
					t.Errorf("hood cleanup did not name %s:\n%s", p, out)
				}
			}
		})
	}
}
