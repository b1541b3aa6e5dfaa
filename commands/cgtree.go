package commands

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"hood/internal/kernel/cgroup"
	"hood/internal/result"
)

func init() {
	register(
		&Command{UsageLine: "cgroup tree [PATH]", Short: "a cgroup hierarchy with processes, CPU %, memory and pids per group; hood's groups marked",
			Long: `PATH is a directory under /sys/fs/cgroup; by default the directory that
holds hood/ in the hierarchy where memory is accounted. Three levels deep.`,
			Run: cgroupTree},
	)
}

// cgroupTree shows one hierarchy's groups, read by the cgroup package.
func cgroupTree(s *Session, args []string) (*result.Result, error) {
	if len(args) > 1 {
		return nil, result.Usagef("cgroup tree [PATH]", "one path at a time")
	}
	hs, err := s.hierarchies()
	if err != nil {
		return nil, err
	}
	path := ""
	if len(args) == 1 {
		path = args[0]
	}
	h, root, err := cgroup.Locate(hs, path)
	if err != nil {
		return nil, &result.UsageError{Msg: err.Error()}
	}
	// Two readings of CPU use, a fifth of a second apart, give CPU %.
	nodes, truncated := cgroup.Tree(hs, h, root, 200*time.Millisecond)
	t := &result.Table{Header: []string{"cgroup", "procs", "cpu %", "memory", "pids"}}
	for _, n := range nodes {
		name := filepath.Base(n.Dir)
		if n.Depth == 0 {
			name = n.Dir
		}
		procs := "?"
		if n.Procs >= 0 {
			procs = strconv.Itoa(n.Procs)
		}
		cpu := "-"
		if n.CPUPct >= 0 {
			cpu = fmt.Sprintf("%.1f", n.CPUPct)
		}
		t.Rows = append(t.Rows, []string{strings.Repeat("  ", n.Depth) + name, procs, cpu, count(n.Mem, true), count(n.Pids, false)})
		t.Mark = append(t.Mark, n.Hood)
	}
	r := &result.Result{Table: t}
	r.Say("hierarchy", "%s, mounted at %s", h.Label(), h.Mount)
	if truncated {
		r.Say("note", "only the first %d groups are shown: give a PATH deeper down", cgroup.TreeMax)
	}
	return r, nil
}
