package cgroup

import (
	"golang.org/x/sys/unix"
)

// Mode is how the host mounts its cgroup hierarchies.
type Mode int

// The three layouts a Linux host can have.
const (
	Unavailable Mode = iota // no cgroup filesystem at /sys/fs/cgroup
	Legacy                  // v1 only: one hierarchy per controller
	Hybrid                  // v1 per controller, plus a v2 tree at /sys/fs/cgroup/unified
	Unified                 // v2 only: one tree for every controller
)

func (m Mode) String() string {
	switch m {
	case Legacy:
		return "legacy (cgroup v1)"
	case Hybrid:
		return "hybrid (cgroup v1 controllers, v2 at /sys/fs/cgroup/unified)"
	case Unified:
		return "unified (cgroup v2)"
	}
	return "unavailable (nothing mounted at /sys/fs/cgroup)"
}

// Detect reads the filesystem type of root (normally /sys/fs/cgroup) and of
// root/unified with statfs(2).
func Detect(root string) Mode {
	var st unix.Statfs_t
	if err := unix.Statfs(root, &st); err != nil {
		return Unavailable
	}
	switch st.Type {
	case unix.CGROUP2_SUPER_MAGIC:
		return Unified
	case unix.TMPFS_MAGIC:
		if err := unix.Statfs(root+"/unified", &st); err == nil && st.Type == unix.CGROUP2_SUPER_MAGIC {
			return Hybrid
		}
		return Legacy
	}
	return Unavailable
}
