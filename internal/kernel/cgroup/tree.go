package cgroup

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Node is one group of a hierarchy's tree with what it holds and uses. A
// number the hierarchy cannot give for the group is -1.
type Node struct {
	Dir    string
	Depth  int     // 0 for the tree's root
	Procs  int     // PIDs in cgroup.procs
	CPUPct float64 // CPU used while Tree watched, in percent of one CPU
	Mem    int64   // bytes in use
	Pids   int64   // processes and threads
	Hood   bool    // hood's parent directory or a group below it
}

// TreeMax and TreeDepth bound what Tree walks: a tree is read on one screen.
const (
	TreeMax   = 60
	TreeDepth = 3
)

// Locate picks the hierarchy and directory that `cgroup tree` shows. An
// empty path is the directory that holds hood/ in the hierarchy where
// memory is accounted (v2 when its tree enables controllers); a relative
// path is taken in that hierarchy; an absolute one names its own hierarchy,
// the mount it lies under.
func Locate(hs []Hierarchy, path string) (Hierarchy, string, error) {
	if len(hs) == 0 {
		return Hierarchy{}, "", fmt.Errorf("no cgroup hierarchy is mounted")
	}
	h := accounting(hs)
	dir := h.Base()
	if path != "" {
		dir = filepath.Clean(path)
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(h.Mount, dir)
		}
		var ok bool
		if h, ok = under(hs, dir); !ok {
			return Hierarchy{}, "", fmt.Errorf("%s is not in a mounted cgroup hierarchy (cgroup mode lists them)", dir)
		}
	}
	if st, err := os.Stat(filepath.Join(dir, "cgroup.procs")); err != nil || st.IsDir() {
		return Hierarchy{}, "", fmt.Errorf("%s is not a cgroup directory (it has no cgroup.procs)", dir)
	}
	return h, dir, nil
}

// accounting is the hierarchy where memory is accounted: v2 when its tree
// enables any controller for hood's groups, else the v1 memory hierarchy.
func accounting(hs []Hierarchy) Hierarchy {
	for _, h := range hs {
		if h.Version() == 2 && len(h.Enabled()) > 0 {
			return h
		}
	}
	if k, ok := withController(hs, "memory"); ok {
		return k
	}
	return hs[0]
}

// under finds the hierarchy whose mount holds dir (the longest mount wins).
func under(hs []Hierarchy, dir string) (Hierarchy, bool) {
	var best Hierarchy
	found := false
	for _, h := range hs {
		if (dir == h.Mount || strings.HasPrefix(dir, h.Mount+"/")) && len(h.Mount) > len(best.Mount) {
			best, found = h, true
		}
	}
	return best, found
}

// withController is the v1 hierarchy that has ctl.
func withController(hs []Hierarchy, ctl string) (Hierarchy, bool) {
	for _, h := range hs {
		if !h.v2 && slices.Contains(h.Controllers, ctl) {
			return h, true
		}
	}
	return Hierarchy{}, false
}

// Tree walks root in h, TreeDepth levels and TreeMax groups at most
// (truncated says it stopped), and reads each group twice, over apart,
// for CPU use. hs are all of hood's hierarchies: on v1 a group's CPU,
// memory and pids are in other trees.
func Tree(hs []Hierarchy, h Hierarchy, root string, over time.Duration) (nodes []Node, truncated bool) {
	var walk func(dir string, depth int)
	walk = func(dir string, depth int) {
		if len(nodes) >= TreeMax {
			truncated = true
			return
		}
		nodes = append(nodes, Node{Dir: dir, Depth: depth})
		if depth == TreeDepth {
			return
		}
		ents, _ := os.ReadDir(dir) // sorted by name
		for _, e := range ents {
			if e.IsDir() {
				walk(filepath.Join(dir, e.Name()), depth+1)
			}
		}
	}
	walk(root, 0)
	t := trees{hs: hs, h: h}
	before := make([]int64, len(nodes))
	for i, n := range nodes {
		before[i] = t.cpu(n.Dir)
	}
	t0 := time.Now()
	time.Sleep(over)
	el := time.Since(t0).Seconds()
	for i := range nodes {
		n := &nodes[i]
		n.CPUPct = -1
		if b, a := before[i], t.cpu(n.Dir); b >= 0 && a >= 0 {
			n.CPUPct = float64(a-b) / 1e6 / el * 100
		}
		n.Procs = -1
		if pids, err := readProcs(n.Dir); err == nil {
			n.Procs = len(pids)
		}
		n.Mem, n.Pids = t.mem(n.Dir), t.pids(n.Dir)
		n.Hood = filepath.Base(n.Dir) == parentDir || strings.Contains(n.Dir, "/"+parentDir+"/")
	}
	return nodes, truncated
}

// trees finds a group's counters: in its own directory on v2, and on v1
// in the hierarchy of each controller.
type trees struct {
	hs []Hierarchy
	h  Hierarchy
}

// in is dir's counterpart in the v1 hierarchy of ctl. hood's groups sit
// below hood's own cgroup, which may have another path in each tree, so
// they are matched relative to Base; others by their path from the mount,
// as the init system makes them.
func (t trees) in(ctl, dir string) string {
	k, ok := withController(t.hs, ctl)
	if !ok || t.h.v2 || k.Mount == t.h.Mount {
		return dir
	}
	base := t.h.Base()
	if rel, err := filepath.Rel(base, dir); err == nil && (rel == parentDir || strings.HasPrefix(rel, parentDir+"/")) {
		return filepath.Join(k.Base(), rel)
	}
	return filepath.Join(k.Mount, strings.TrimPrefix(dir, t.h.Mount))
}

// cpu is µs of CPU used: v2 cpu.stat usage_usec, v1 cpuacct.usage (ns).
func (t trees) cpu(dir string) int64 {
	if t.h.v2 {
		if v, err := ReadFile(dir, "cpu.stat"); err == nil {
			return kvOr(KV(v), "usage_usec")
		}
		return -1
	}
	if n := readInt(filepath.Join(t.in("cpuacct", dir), "cpuacct.usage")); n >= 0 {
		return n / 1000
	}
	return -1
}

// mem is bytes in use: v2 memory.current, v1 memory.usage_in_bytes.
func (t trees) mem(dir string) int64 {
	if t.h.v2 {
		return readInt(filepath.Join(dir, "memory.current"))
	}
	return readInt(filepath.Join(t.in("memory", dir), "memory.usage_in_bytes"))
}

func (t trees) pids(dir string) int64 {
	return readInt(filepath.Join(t.in("pids", dir), "pids.current"))
}

// readInt reads a file of one number; -1 when it is missing or not one.
func readInt(path string) int64 {
	v, err := ReadFile(filepath.Dir(path), filepath.Base(path))
	if err != nil {
		return -1
	}
	return toInt(v)
}
