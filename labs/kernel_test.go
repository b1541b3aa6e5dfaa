package labs

import (
	"bytes"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"hood/explain"
	"hood/internal/kernel/cgroup"
	"hood/internal/kernel/netdev"
	"hood/internal/kernel/nft"
	"hood/internal/testenv"
)

// hostState is what a lab must leave as it found it.
type hostState struct {
	hostname, msgQueues, pins, groups, ruleset, network string
}

// hostNetwork is the host's devices with their addresses, and its routes,
// leaving out the veth ends that other hoods (tests of other packages, run
// at the same time) have marked as theirs.
func hostNetwork() string {
	n, err := netdev.Open("/proc", os.Getpid(), "host")
	if err != nil {
		return "unreadable: " + err.Error()
	}
	defer n.Close()
	ls, err := n.Links()
	if err != nil {
		return "unreadable: " + err.Error()
	}
	mine := netdev.Mark(cgroup.Token(os.Getpid()))
	others := map[string]bool{}
	var out []string
	for _, l := range ls {
		if strings.HasPrefix(l.Alias, netdev.MarkPrefix) && l.Alias != mine {
			others[l.Name] = true
			continue
		}
		out = append(out, fmt.Sprintf("%s %v %v", l.Name, l.Up, l.Addrs))
	}
	rs, _ := n.Routes()
	for _, r := range rs {
		if !others[r.Dev] {
			out = append(out, fmt.Sprintf("route %s via %s dev %s", r.Dst, r.Gw, r.Dev))
		}
	}
	return strings.Join(out, "\n")
}

func readHost(t *testing.T) hostState {
	t.Helper()
	name, _ := os.Hostname()
	q, _ := os.ReadFile("/proc/sysvipc/msg")
	mi, _ := os.ReadFile("/proc/self/mountinfo")
	// Other hoods (tests of other packages, run at the same time) name
	// network namespaces in /run/netns, and mount it to do so: only this
	// process's names count (the net lab's lab{hood}).
	var kept []string
	for _, l := range strings.SplitAfter(string(mi), "\n") {
		if strings.Contains(l, " /run/netns ") ||
			(strings.Contains(l, " /run/netns/") && !strings.Contains(l, fmt.Sprintf(" /run/netns/lab%d ", os.Getpid()))) {
			continue
		}
		kept = append(kept, l)
	}
	mi = []byte(strings.Join(kept, ""))
	// Only this test process's groups: other tests (other packages run
	// at the same time) make and remove groups of their own.
	hs, _ := cgroup.Hierarchies("/proc", os.Getpid())
	groups := cgroup.Owned(hs, os.Getpid())
	return hostState{name, string(q), string(mi), strings.Join(groups, " "), nft.HostSummary(os.Getpid()), hostNetwork()}
}

// Every lab is a test: its reference solution runs against the kernel,
// every check fails before its step and holds after it, and the host is
// unchanged afterwards.
func TestEveryLabAgainstTheKernel(t *testing.T) {
	testenv.Root(t)
	t.Setenv("XDG_STATE_HOME", t.TempDir()) // rootfs make writes there
	labs, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	before := readHost(t)
	kb, err := explain.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range labs {
		t.Run(l.ID, func(t *testing.T) {
			if strings.HasPrefix(l.ID, "cg-") {
				testenv.CPU(t) // the cgroup labs measure what their workloads got
			}
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
			// Every word the narration highlights can be explained.
			words := narratedWords(tr.String())
			if len(words) < 3 {
				t.Errorf("only %d highlighted words found in the transcript: the patterns no longer match hood's narration", len(words))
			}
			for _, w := range words {
				if a := kb.Find(w); a.Entry == nil && len(a.Flags) == 0 {
					t.Errorf("the narration shows %q and explain has no entry for it", w)
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

// The words narration highlights: syscall names, kernel constants
// (CLONE_*, MS_*, errnos, signals, capabilities), /proc entries and the
// cgroup files hood writes.
var wordPatterns = []*regexp.Regexp{
	regexp.MustCompile(`syscall\s+([a-z_0-9]+)\(`),
	regexp.MustCompile(`\b((?:CLONE|MS|NS_GET|LOOP|LO_FLAGS|MNT|AT|PR|O)_[A-Z0-9_]+|E[A-Z]{3,}|SIG[A-Z]+|CAP_[A-Z_]+)\b`),
	regexp.MustCompile(`/proc/\d+/ns/([a-z_]+)`),
	// a cgroup file in a path argument or in a descriptor's <path>
	regexp.MustCompile(`/hood/[a-z0-9.]+/([a-z_.]+)[">]`),
	regexp.MustCompile(`\b(nr_throttled|nr_periods|usage_usec|throttled_usec|oom_kill|NSpid)\b`),
}

func narratedWords(transcript string) []string {
	seen := map[string]bool{}
	var out []string
	for _, re := range wordPatterns {
		for _, m := range re.FindAllStringSubmatch(transcript, -1) {
			if strings.HasPrefix(m[0], "/hood/rootfs/") {
				continue // a root filesystem's name, in hood's state directory
			}
			if !seen[m[1]] {
				seen[m[1]] = true
				out = append(out, m[1])
			}
		}
	}
	return out
}
