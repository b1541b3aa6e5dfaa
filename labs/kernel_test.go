package labs

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// hostState is what a lab must leave as it found it.
type hostState struct {
	hostname, msgQueues, pins, groups string
}

func readHost(t *testing.T) hostState {
	t.Helper()
	name, _ := os.Hostname()
	q, _ := os.ReadFile("/proc/sysvipc/msg")
	mi, _ := os.ReadFile("/proc/self/mountinfo")
	groups, _ := filepath.Glob("/sys/fs/cgroup/*/hood")
	if _, err := os.Stat("/sys/fs/cgroup/hood"); err == nil {
		groups = append(groups, "/sys/fs/cgroup/hood")
	}
	more, _ := filepath.Glob("/sys/fs/cgroup/*/*/*/hood")
	return hostState{name, string(q), string(mi), strings.Join(append(groups, more...), " ")}
}

// Every lab is a test: its reference solution runs against the kernel,
// every check fails before its step and holds after it, and the host is
// unchanged afterwards.
func TestEveryLabAgainstTheKernel(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("requires root")
	}
	labs, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	before := readHost(t)
	for _, l := range labs {
		t.Run(l.ID, func(t *testing.T) {
			var tr bytes.Buffer
			reports, skipped := CheckLab(l, &tr)
			if skipped != "" {
				t.Skipf("requires what this machine lacks: %s", skipped)
			}
			if len(reports) != len(l.Steps) {
				t.Fatalf("%d reports for %d steps", len(reports), len(l.Steps))
			}
			for _, r := range reports {
				if r.Skipped != "" {
					// A step one cgroup mode cannot do says why.
					t.Logf("step %d skipped on this machine: %s", r.Step, r.Skipped)
				}
				for _, p := range r.Problems {
					t.Errorf("step %d (%s): %s", r.Step, r.Title, p)
				}
			}
			if t.Failed() {
				t.Logf("transcript:\n%s", tr.String())
			}
			if after := readHost(t); after != before {
				t.Errorf("the host changed:\nbefore %+v\nafter  %+v", before, after)
			}
		})
	}
}
