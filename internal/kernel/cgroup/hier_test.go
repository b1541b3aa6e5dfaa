package cgroup

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"hood/internal/kernel/procfs"
)

// Each fixture under testdata/<host> is a /proc with one process, PID 4242.
const fixturePID = 4242

// summary is one hierarchy as "ID label mount path -> dir".
func summary(h Hierarchy) string {
	return fmt.Sprintf("%d %s %s %s -> %s", h.ID, h.Label(), h.Mount, h.Path, h.Dir())
}

func TestHierarchies(t *testing.T) {
	const scope = "/user.slice/user-1000.slice/session-2.scope"
	tests := map[string][]string{
		// This machine: every controller its own hierarchy, even cpu and cpuacct.
		"hybrid": {
			"9 name=systemd /sys/fs/cgroup/systemd / -> /sys/fs/cgroup/systemd",
			"8 pids /sys/fs/cgroup/pids / -> /sys/fs/cgroup/pids",
			"7 blkio /sys/fs/cgroup/blkio / -> /sys/fs/cgroup/blkio",
			"6 freezer /sys/fs/cgroup/freezer / -> /sys/fs/cgroup/freezer",
			"5 devices /sys/fs/cgroup/devices / -> /sys/fs/cgroup/devices",
			"4 memory /sys/fs/cgroup/memory /process_api/a1cb89e7e6c8fc45676c12282c8f6e0d -> /sys/fs/cgroup/memory/process_api/a1cb89e7e6c8fc45676c12282c8f6e0d",
			"3 cpuset /sys/fs/cgroup/cpuset / -> /sys/fs/cgroup/cpuset",
			"2 cpuacct /sys/fs/cgroup/cpuacct / -> /sys/fs/cgroup/cpuacct",
			"1 cpu /sys/fs/cgroup/cpu / -> /sys/fs/cgroup/cpu",
			"0 v2 /sys/fs/cgroup/unified / -> /sys/fs/cgroup/unified",
		},
		"unified": {
			"0 v2 /sys/fs/cgroup " + scope + " -> /sys/fs/cgroup" + scope,
		},
		// rdma is listed but not mounted; memory is also bind-mounted (root
		// /user.slice) before its full mount, which must win.
		"legacy": {
			"11 cpuset /sys/fs/cgroup/cpuset / -> /sys/fs/cgroup/cpuset",
			"10 memory /sys/fs/cgroup/memory /user.slice -> /sys/fs/cgroup/memory/user.slice",
			"9 devices /sys/fs/cgroup/devices /user.slice -> /sys/fs/cgroup/devices/user.slice",
			"8 net_cls,net_prio /sys/fs/cgroup/net_cls,net_prio / -> /sys/fs/cgroup/net_cls,net_prio",
			"7 pids /sys/fs/cgroup/pids /user.slice/user-1000.slice -> /sys/fs/cgroup/pids/user.slice/user-1000.slice",
			"6 cpu,cpuacct /sys/fs/cgroup/cpu,cpuacct /user.slice -> /sys/fs/cgroup/cpu,cpuacct/user.slice",
			"5 blkio /sys/fs/cgroup/blkio /user.slice -> /sys/fs/cgroup/blkio/user.slice",
			"4 hugetlb /sys/fs/cgroup/hugetlb / -> /sys/fs/cgroup/hugetlb",
			"3 freezer /sys/fs/cgroup/freezer / -> /sys/fs/cgroup/freezer",
			"2 perf_event /sys/fs/cgroup/perf_event / -> /sys/fs/cgroup/perf_event",
			"1 name=systemd /sys/fs/cgroup/systemd /user.slice/user-1000.slice/session-1.scope -> /sys/fs/cgroup/systemd/user.slice/user-1000.slice/session-1.scope",
		},
		"nested": {
			"12 memory /sys/fs/cgroup/memory " + scope + " -> /sys/fs/cgroup/memory" + scope,
			"11 cpu,cpuacct /sys/fs/cgroup/cpu,cpuacct " + scope + " -> /sys/fs/cgroup/cpu,cpuacct" + scope,
			"10 pids /sys/fs/cgroup/pids " + scope + " -> /sys/fs/cgroup/pids" + scope,
			"1 name=systemd /sys/fs/cgroup/systemd " + scope + " -> /sys/fs/cgroup/systemd" + scope,
			"0 v2 /sys/fs/cgroup/unified " + scope + " -> /sys/fs/cgroup/unified" + scope,
		},
		// Docker without a cgroup namespace mounts only /docker/<id>, so the
		// process's directory is the mount point itself; v2 is not mounted.
		"container": {
			"4 memory /sys/fs/cgroup/memory /docker/0123abcd -> /sys/fs/cgroup/memory",
			"3 pids /sys/fs/cgroup/pids /docker/0123abcd -> /sys/fs/cgroup/pids",
			"1 name=systemd /sys/fs/cgroup/systemd /docker/0123abcd -> /sys/fs/cgroup/systemd",
		},
	}
	for host, want := range tests {
		t.Run(host, func(t *testing.T) {
			hs, err := Hierarchies(filepath.Join("testdata", host), fixturePID)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, h := range hs {
				got = append(got, summary(h))
			}
			if !slices.Equal(got, want) {
				t.Errorf("got\n\t%s\nwant\n\t%s", strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
			}
		})
	}
}

func TestHierarchyFields(t *testing.T) {
	hs, err := Hierarchies("testdata/legacy", fixturePID)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[int]Hierarchy{}
	for _, h := range hs {
		byID[h.ID] = h
	}
	if h := byID[6]; !slices.Equal(h.Controllers, []string{"cpu", "cpuacct"}) || h.Name != "" || h.v2 {
		t.Errorf("cpu,cpuacct parsed as %+v", h)
	}
	if h := byID[1]; len(h.Controllers) != 0 || h.Name != "systemd" || h.v2 {
		t.Errorf("name=systemd parsed as %+v", h)
	}
	hs, err = Hierarchies("testdata/unified", fixturePID)
	if err != nil {
		t.Fatal(err)
	}
	if h := hs[0]; !h.v2 || h.ID != 0 || len(h.Controllers) != 0 || h.Name != "" {
		t.Errorf("v2 parsed as %+v", h)
	}
}

func TestHierarchiesBroken(t *testing.T) {
	tests := map[string]string{ // fixture: part of the error
		"broken-fields":       "want ID:controllers:path",
		"broken-id":           "line 2",
		"broken-path":         "not absolute",
		"broken-v2ctl":        "no controller list",
		"broken-v1empty":      "no controller list",
		"broken-empty":        "no hierarchies",
		"broken-binary":       "want ID:controllers:path",
		"broken-badmountinfo": "mountinfo",
		"broken-nomountinfo":  "mountinfo",
		"no-such-host":        "cgroup",
	}
	for host, want := range tests {
		t.Run(host, func(t *testing.T) {
			hs, err := Hierarchies(filepath.Join("testdata", host), fixturePID)
			if err == nil {
				t.Fatalf("no error; got %d hierarchies", len(hs))
			}
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not mention %q", err, want)
			}
		})
	}
}

func TestLineLabelAndHasV1File(t *testing.T) {
	for _, c := range []struct {
		line procfs.Cgroup
		want string
	}{
		{procfs.Cgroup{ID: 0, Path: "/"}, "(v2)"},
		{procfs.Cgroup{ID: 6, Controllers: []string{"cpu", "cpuacct"}, Path: "/"}, "cpu,cpuacct"},
		{procfs.Cgroup{ID: 1, Controllers: []string{"name=systemd"}, Path: "/"}, "name=systemd"},
	} {
		if got := LineLabel(c.line); got != c.want {
			t.Errorf("LineLabel(%v) = %q, want %q", c.line, got, c.want)
		}
	}
	v1, v2 := t.TempDir(), t.TempDir()
	for _, d := range []string{v1, v2} {
		if err := os.WriteFile(filepath.Join(d, "cpu.shares"), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	hs := []Hierarchy{{Controllers: []string{"cpu"}, Mount: v1, Path: "/"}, {v2: true, Mount: v2, Path: "/"}}
	if !HasV1File(hs, "cpu.shares") || HasV1File(hs[1:], "cpu.shares") || HasV1File(hs, "../cpu.shares") {
		t.Error("HasV1File: want the v1 hierarchy's file only, and no path outside it")
	}
}
