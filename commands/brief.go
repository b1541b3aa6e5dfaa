package commands

import (
	"fmt"
	"path/filepath"
	"strings"

	"hood/internal/kernel/cgroup"
	"hood/internal/result"
)

// groupFold is the one line brief narration shows for making a box's group
// and moving the box in: the same calls in every hierarchy, where what is
// worth reading is which hierarchies and what was done, counted from the
// calls themselves.
func groupFold(g *cgroup.Group, calls []result.Syscall) string {
	labels := make([]string, len(g.Hier))
	for i, h := range g.Hier {
		labels[i] = h.Label()
	}
	var order []string
	count := map[string]int{}
	for _, c := range calls {
		var what string
		switch {
		case c.Name == "mkdirat" && len(c.Args) > 1:
			// hood/ itself, or a group below it: one item each, whatever
			// the hierarchy.
			what = "mkdirat hood"
			if dir := c.AtPath(); filepath.Base(dir) != "hood" {
				what = "mkdirat hood/" + filepath.Base(dir)
			}
		case c.Name == "write" && len(c.Args) > 1:
			what = fmt.Sprintf("write %q to %s", c.Args[1].Str, filepath.Base(c.Args[0].Str))
		default:
			continue // the openat and close around each write
		}
		if count[what] == 0 {
			order = append(order, what)
		}
		count[what]++
	}
	parts := make([]string, len(order))
	for i, w := range order {
		parts[i] = fmt.Sprintf("%s ×%d", w, count[w])
	}
	hier := fmt.Sprintf("%d hierarchies", len(g.Hier))
	if len(g.Hier) == 1 {
		hier = "1 hierarchy"
	}
	return fmt.Sprintf("%d calls in %s (%s): %s; `narrate full` shows each call",
		len(calls), hier, strings.Join(labels, ", "), strings.Join(parts, ", "))
}
