package labs

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"hood/internal/testenv"
)

// The devices lab on the program path (what pure cgroup v2 takes), on a
// machine that also has the v1 controller: HOOD_DEVICES=bpf sends every
// rule to hood's device program, and the checks read the programs back.
func TestDevicesLabWithPrograms(t *testing.T) {
	testenv.Root(t)
	if _, err := os.Stat("/sys/fs/cgroup/unified/cgroup.controllers"); err != nil {
		if _, err := os.Stat("/sys/fs/cgroup/cgroup.controllers"); err != nil {
			t.Skip("requires a cgroup v2 tree")
		}
	}
	t.Setenv("HOOD_DEVICES", "bpf")
	labs, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range labs {
		if l.ID != "devices" {
			continue
		}
		var tr bytes.Buffer
		reports, skipped := CheckLab(l, &tr)
		if skipped != "" {
			t.Skip(skipped)
		}
		for _, r := range reports {
			for _, p := range r.Problems {
				t.Errorf("step %d (%s): %s", r.Step, r.Title, p)
			}
		}
		if !strings.Contains(tr.String(), "BPF_PROG_ATTACH") {
			t.Errorf("the transcript shows no BPF_PROG_ATTACH: the rules did not go to a program\n%s", tr.String())
		}
		return
	}
	t.Fatal("no devices lab")
}
