package main

import (
	"os"
	"strings"
	"testing"

	"hood/internal/kernel/cgroup"
)

// boxGroups lists the box cgroups that the running hood pid made (its
// owner mark), whatever other hoods on the machine have made meanwhile.
func boxGroups(t *testing.T, pid int) []string {
	t.Helper()
	hs, err := cgroup.Hierarchies("/proc", pid)
	if err != nil {
		t.Fatal(err)
	}
	return cgroup.Owned(hs, pid)
}

// nsfsMounts lists the namespace files bind-mounted in the host's mount
// table (a pin that leaked out of hood's pin holder would be one).
func nsfsMounts(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range strings.Split(string(data), "\n") {
		// Names in /run/netns are other hoods' (net ns add, the net lab,
		// run by tests of other packages at the same time): not pins.
		if strings.Contains(l, " - nsfs ") && !strings.Contains(l, " /run/netns/") {
			out = append(out, l)
		}
	}
	return out
}

// What hood makes (a box cgroup in every hierarchy, a namespace pin) goes
// when hood ends. After a SIGKILL the pin goes with hood's pin holder at
// once; the empty cgroups stay until hood cleanup (or the next start)
// removes them, and it names them.
func TestPinsAndCgroupsAreRemoved(t *testing.T) {
	requireRoot(t)
	hostPins := nsfsMounts(t)
	for _, kill := range []bool{false, true} {
		name := "exit"
		if kill {
			name = "SIGKILL then hood cleanup"
		}
		t.Run(name, func(t *testing.T) {
			s := startSession(t)
			out := s.run("cgroup attach", "unshare net", "ns pin box1 net")
			groups := boxGroups(t, s.hood.PID)
			if len(groups) == 0 || !strings.Contains(out, "pinned   net:[") {
				t.Fatalf("want box cgroups and a pin; groups %v, output:\n%s\nstderr %s", groups, out, s.stderr)
			}
			if got := nsfsMounts(t); len(got) != len(hostPins) {
				t.Errorf("the pin is in the host's mount table: %v", got)
			}
			s.end(t, kill)
			if got := nsfsMounts(t); len(got) != len(hostPins) {
				t.Errorf("a pin is left in the host's mount table: %v", got)
			}
			if !kill {
				for _, g := range groups {
					if _, err := os.Stat(g); err == nil {
						t.Errorf("%s is left after hood exited", g)
					}
				}
				return
			}
			for _, g := range groups {
				if _, err := os.Stat(g); err != nil {
					t.Errorf("after SIGKILL %s should still be there for cleanup to find: %v", g, err)
				}
			}
			res, err := hoodCommand(t, "hood", "cleanup", "-v").CombinedOutput()
			if err != nil {
				t.Fatalf("hood cleanup: %v\n%s", err, res)
			}
			for _, g := range groups {
				if _, err := os.Stat(g); err == nil {
					t.Errorf("hood cleanup left %s", g)
				}
				if !strings.Contains(string(res), g) {
					t.Errorf("hood cleanup did not name %s:\n%s", g, res)
				}
			}
		})
	}
}
