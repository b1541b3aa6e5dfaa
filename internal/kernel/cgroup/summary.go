package cgroup

import (
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// Summary is what `cgroup mode` shows of a hierarchy, read once for its
// table. Version, Base and Controllers are Hierarchy.Version, Base and
// Enabled as they were when read; elsewhere ask the Hierarchy itself.
type Summary struct {
	Version     int      // Version(): 1 or 2
	Base        string   // Base(): where hood makes its hood/ directory
	Controllers []string // Enabled(): v1, the hierarchy's; v2, those enabled for hood's groups (cgroup.subtree_control where they go)
	Available   []string // v2: cgroup.controllers there; what could be enabled
	Core        []string // v2: the core files hood uses that a group below the root has
	CoreFrom    string   // the group Core was seen in; or, with no group to look at, the kernel release that makes them
	CoreSeen    bool     // CoreFrom is a group's directory
}

// coreFiles are the v2 files every non-root group has that hood uses.
var coreFiles = []string{"cgroup.procs", "cgroup.events", "cgroup.freeze", "cgroup.kill"}

// Summary describes h as it is now.
func (h Hierarchy) Summary() Summary {
	base := h.Base() // on v2 a walk up the tree: once
	s := Summary{Version: h.Version(), Base: base, Controllers: h.enabledAt(base)}
	if s.Version == 1 {
		return s
	}
	s.Available = readWords(base, "cgroup.controllers")
	s.Core, s.CoreFrom, s.CoreSeen = core(base)
	return s
}

// core lists the core files of a group below base, looking at hood/ or
// else the first group there. The root has none of them but cgroup.procs;
// when no group exists to look at, the kernel release says which it makes
// (cgroup.freeze came in Linux 5.2, cgroup.kill in 5.14).
func core(base string) (files []string, from string, seen bool) {
	dirs := []string{filepath.Join(base, parentDir)}
	if ents, err := os.ReadDir(base); err == nil {
		for _, e := range ents {
			if e.IsDir() {
				dirs = append(dirs, filepath.Join(base, e.Name()))
			}
		}
	}
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "cgroup.procs")); err != nil {
			continue
		}
		var have []string
		for _, f := range coreFiles {
			if _, err := os.Stat(filepath.Join(d, f)); err == nil {
				have = append(have, f)
			}
		}
		return have, d, true
	}
	// uname(2), as host.Read asks for the start-up line.
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return nil, "", false
	}
	rel := unix.ByteSliceToString(u.Release[:])
	var major, minor int
	fmt.Sscanf(rel, "%d.%d", &major, &minor)
	have := coreFiles[:2]
	switch v := major*1000 + minor; {
	case v >= 5014:
		have = coreFiles
	case v >= 5002:
		have = coreFiles[:3]
	}
	return have, "Linux " + rel, false
}
