package main

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"hood/internal/kernel/netns"
)

// hostMountinfo is the host's mount table, without the mount ids that a
// remount would change: what a test must leave as it found it.
func hostMountinfo(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// A name net ns add made goes when hood ends; after a SIGKILL it stays,
// seen by ip netns, until hood cleanup removes it, names it, and undoes
// the /run/netns mount hood made. The host's mount table is as before.
func TestNamedNetnsAreRemoved(t *testing.T) {
	requireRoot(t)
	before := hostMountinfo(t)
	for _, kill := range []bool{false, true} {
		name := fmt.Sprintf("hoodleft%d", os.Getpid())
		t.Run(fmt.Sprintf("kill=%v", kill), func(t *testing.T) {
			s := startSession(t)
			out := s.run("unshare net", "net ns add "+name)
			if !netns.Exists(name) || !strings.Contains(out, "ip netns attach "+name) {
				t.Fatalf("want %s; output:\n%s\nstderr %s", netns.Path(name), out, s.stderr)
			}
			if ip, err := exec.LookPath("ip"); err == nil {
				if got, _ := exec.Command(ip, "netns", "list").Output(); !strings.Contains(string(got), name) {
					t.Errorf("ip netns list does not show %s:\n%s", name, got)
				}
			}
			s.end(t, kill)
			if !kill {
				if netns.Exists(name) {
					t.Errorf("%s is left after hood exited", netns.Path(name))
				}
				return
			}
			if !netns.Exists(name) {
				t.Fatalf("after SIGKILL %s should still be there for cleanup to find", netns.Path(name))
			}
			res, err := hoodCommand(t, "hood", "cleanup", "-v").CombinedOutput()
			if err != nil {
				t.Fatalf("hood cleanup: %v\n%s", err, res)
			}
			if netns.Exists(name) || !strings.Contains(string(res), netns.Path(name)) {
				t.Errorf("hood cleanup left %s or did not name it:\n%s", netns.Path(name), res)
			}
		})
	}
	if after := hostMountinfo(t); after != before {
		t.Errorf("the host's mount table changed:\nbefore\n%s\nafter\n%s", before, after)
	}
}
