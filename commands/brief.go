package commands

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"hood/internal/kernel/cgroup"
)

// groupFold is the one line brief narration shows for making a box's group
// and moving the box in: the same calls in every hierarchy, where what is
// worth reading is which hierarchies and how many calls.
func groupFold(g *cgroup.Group, pid, calls int) string {
	labels := make([]string, len(g.Hier))
	cpuset := ""
	for i, h := range g.Hier {
		labels[i] = h.Label()
		if !h.V2 && slices.Contains(h.Controllers, "cpuset") {
			// A v1 cpuset group takes no process until it has CPUs
			// and memory nodes (ENOSPC).
			cpuset = ", write cpuset.cpus and cpuset.mems in cpuset"
		}
	}
	return fmt.Sprintf("%d calls in %d hierarchies (%s): mkdir hood/%s (and hood where it was missing)%s, write %d to its cgroup.procs; `narrate full` shows each call",
		calls, len(g.Hier), strings.Join(labels, ", "), filepath.Base(g.Dirs[0]), cpuset, pid)
}
