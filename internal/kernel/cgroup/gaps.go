package cgroup

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// SubtreeGaps says, on a machine whose only hierarchy is v2, which
// cgroups from the root down to hood's Base lack in cgroup.subtree_control
// a controller the root offers (cgroup.controllers), one "DIR: +ctl ..."
// each. A runtime that enables every controller on the way down to its
// own cgroup, as runc's v2 driver does, would write there: in cgroups
// hood did not make. On v1 and hybrid machines it is empty (runc's v1
// driver writes no subtree_control).
func SubtreeGaps(hs []Hierarchy) []string { return subtreeGaps(hs, Detect("/sys/fs/cgroup")) }

func subtreeGaps(hs []Hierarchy, m Mode) []string {
	if m != Unified {
		return nil
	}
	var out []string
	for _, h := range hs {
		if !h.v2 {
			continue
		}
		all := readWords(h.Mount, "cgroup.controllers")
		var chain []string
		for dir := h.Base(); ; dir = filepath.Dir(dir) {
			chain = append(chain, dir)
			if dir == h.Mount || !strings.HasPrefix(dir, h.Mount+string(os.PathSeparator)) {
				break
			}
		}
		slices.Reverse(chain)
		for _, dir := range chain {
			on := readWords(dir, "cgroup.subtree_control")
			var miss []string
			for _, c := range all {
				if !slices.Contains(on, c) {
					miss = append(miss, "+"+c)
				}
			}
			if len(miss) > 0 {
				out = append(out, fmt.Sprintf("%s: %s", dir, strings.Join(miss, " ")))
			}
		}
	}
	return out
}
