package cgroup

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// writeTree makes files under root: path -> content.
func writeTree(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for p, c := range files {
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// v1Fixture is three v1 hierarchies on plain directories: memory (the
// accounting one), pids and cpuacct, hood's cgroup at / in each.
func v1Fixture(t *testing.T) []Hierarchy {
	root := t.TempDir()
	writeTree(t, root, map[string]string{
		"memory/cgroup.procs":                    "1\n2\n",
		"memory/memory.usage_in_bytes":           "4096\n",
		"memory/hood/cgroup.procs":               "",
		"memory/hood/box1/cgroup.procs":          "7\n",
		"memory/hood/box1/memory.usage_in_bytes": "1048576\n",
		"pids/cgroup.procs":                      "1\n2\n",
		"pids/hood/cgroup.procs":                 "",
		"pids/hood/box1/cgroup.procs":            "7\n",
		"pids/hood/box1/pids.current":            "3\n",
		"cpuacct/cgroup.procs":                   "1\n2\n",
		"cpuacct/cpuacct.usage":                  "5000000\n",
		"cpuacct/hood/box1/cgroup.procs":         "7\n",
		"cpuacct/hood/box1/cpuacct.usage":        "2000\n",
	})
	h := func(ctl string) Hierarchy {
		return Hierarchy{Controllers: []string{ctl}, Mount: filepath.Join(root, ctl), Path: "/"}
	}
	return []Hierarchy{h("pids"), h("memory"), h("cpuacct")}
}

func TestLocateNamesTheHierarchyShown(t *testing.T) {
	hs := v1Fixture(t)
	for _, c := range []struct{ path, label, dir string }{
		{"", "memory", hs[1].Mount}, // the default: where memory is accounted
		{hs[0].Mount, "pids", hs[0].Mount},
		{filepath.Join(hs[0].Mount, "hood/box1"), "pids", filepath.Join(hs[0].Mount, "hood/box1")},
		{"hood", "memory", filepath.Join(hs[1].Mount, "hood")}, // relative: in the default hierarchy
	} {
		h, dir, err := Locate(hs, c.path)
		if err != nil || h.Label() != c.label || dir != c.dir {
			t.Errorf("Locate(%q) = %s, %s, %v; want %s, %s", c.path, h.Label(), dir, err, c.label, c.dir)
		}
	}
	for _, bad := range []string{"/etc", filepath.Dir(hs[0].Mount), filepath.Join(hs[0].Mount, "nosuch")} {
		if _, _, err := Locate(hs, bad); err == nil {
			t.Errorf("Locate(%q) took a directory that is no cgroup of a mounted hierarchy", bad)
		}
	}
}

func TestTreeReadsEachCounterFromItsHierarchy(t *testing.T) {
	hs := v1Fixture(t)
	nodes, truncated := Tree(hs, hs[0], hs[0].Mount, time.Millisecond)
	if truncated || len(nodes) != 3 {
		t.Fatalf("Tree of pids: %d nodes (truncated %v), want the root, hood, hood/box1", len(nodes), truncated)
	}
	root, hood, box := nodes[0], nodes[1], nodes[2]
	if root.Procs != 2 || root.Mem != 4096 || root.Pids != -1 || root.CPUPct != 0 || root.Hood {
		t.Errorf("root: %+v; want 2 procs, 4096 bytes from memory's root, no pids.current, 0%% CPU", root)
	}
	if hood.Depth != 1 || !hood.Hood || hood.CPUPct != -1 || hood.Mem != -1 {
		t.Errorf("hood/: %+v; want depth 1, marked, no CPU or memory counter", hood)
	}
	if box.Depth != 2 || !box.Hood || box.Procs != 1 || box.Pids != 3 || box.Mem != 1048576 {
		t.Errorf("hood/box1: %+v; want 1 proc, 3 pids, memory from the memory tree", box)
	}
}

func TestTreeStopsAtTreeMax(t *testing.T) {
	h := fakeHier(t)
	writeTree(t, h.Mount, map[string]string{"cgroup.procs": ""})
	for i := range TreeMax + 5 {
		if err := os.Mkdir(filepath.Join(h.Mount, "g"+string(rune('a'+i/26))+string(rune('a'+i%26))), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	nodes, truncated := Tree([]Hierarchy{h}, h, h.Mount, 0)
	if len(nodes) != TreeMax || !truncated {
		t.Errorf("%d nodes, truncated %v; want %d and truncated", len(nodes), truncated, TreeMax)
	}
}

func TestSampleCPUPercent(t *testing.T) {
	t0 := time.Now()
	a := Sample{At: t0, CPU: 1_000_000}
	b := Sample{At: t0.Add(2 * time.Second), CPU: 2_000_000}
	if p := b.CPUPercent(a); p != 50 {
		t.Errorf("1 s of CPU over 2 s = %v%%, want 50", p)
	}
	if p := b.CPUPercent(Sample{At: t0, CPU: -1}); p != -1 {
		t.Errorf("without a CPU counter: %v, want -1", p)
	}
	if n := Since(5, -1); n != 0 {
		t.Errorf("Since of a missing counter = %d", n)
	}
}

func TestSampleReadsTheKernelsCounters(t *testing.T) {
	hs := realHierarchies(t)
	g := newGroup(t, hs, boxName(t))
	cmd := startSleep(t)
	if _, err := g.Attach(cmd.Process.Pid); err != nil {
		t.Fatal(err)
	}
	s := g.Sample()
	if _, _, err := g.Get("pids.current"); err == nil && s.Pids != 1 {
		t.Errorf("Pids = %d with one sleep in the group", s.Pids)
	}
	if _, _, err := g.Get("cpu.stat"); err == nil && s.CPU < 0 {
		t.Errorf("CPU = %d though cpu.stat reads", s.CPU)
	}
	// The group's pids in the tree of a hierarchy that has them.
	h, dir, err := Locate(hs, g.Dirs[0])
	if err != nil {
		t.Fatal(err)
	}
	nodes, _ := Tree(hs, h, dir, 0)
	if len(nodes) != 1 || nodes[0].Procs != 1 || !nodes[0].Hood {
		t.Errorf("Tree of %s: %+v; want one node, one process, hood's", dir, nodes)
	}
}
