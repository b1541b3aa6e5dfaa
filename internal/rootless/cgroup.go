package rootless

import (
	"fmt"
	"os"
	"slices"
	"strings"

	"hood/internal/kernel/cgroup"
)

// CgroupDelegated says whether hood, without root, may make cgroups (with
// the controller ctl, unless it is ""): only in a cgroup v2 subtree
// delegated to the user, such as a systemd scope started with
// Delegate=yes, with exactly the controllers delegated there.
func CgroupDelegated(ctl string) (bool, string) {
	uid := os.Geteuid()
	start := fmt.Sprintf("systemd-run --user --scope -p Delegate=yes %s", hoodPath())
	if m := cgroup.Detect("/sys/fs/cgroup"); m != cgroup.Unified {
		return false, fmt.Sprintf("hood runs as uid %d and this machine's cgroups are %s: v1 hierarchies can be given to no ordinary user safely (systemd delegates only v2 subtrees), so a group and its limits need root here: start hood with sudo, or on a cgroup v2 machine in a delegated scope: %s", uid, m, start)
	}
	hs, err := cgroup.Hierarchies("/proc", os.Getpid())
	if err != nil {
		return false, err.Error()
	}
	for _, h := range hs {
		if h.Version() != 2 {
			continue
		}
		// hood makes its groups in its scope: the cgroup it runs in,
		// when that is delegated to the user (cgroup.Delegate).
		dir := h.Scope()
		if !cgroup.Writable(dir) {
			return false, fmt.Sprintf("hood runs as uid %d in the cgroup %s, which is not delegated to it (it, its cgroup.procs and cgroup.subtree_control are not all writable by uid %d): start hood in a delegated scope: %s", uid, dir, uid, start)
		}
		if ctl == "" || ctl == "cgroup" || slices.Contains(cgroup.Delegable(dir), ctl) {
			return true, ""
		}
		return false, fmt.Sprintf("the %s controller is not delegated to uid %d: %s is offered only %q by its parent (its cgroup.controllers; systemd delegates cpu, memory and pids to user@%d.service; a drop-in /etc/systemd/system/user@.service.d/delegate.conf with [Service] Delegate=cpu cpuset io memory pids gives more)", ctl, uid, dir, strings.Join(cgroup.Delegable(dir), " "), uid)
	}
	return false, "no cgroup v2 tree is mounted where hood runs"
}

// hoodPath is how to name this hood binary in advice.
func hoodPath() string {
	if p, err := os.Executable(); err == nil {
		return p
	}
	return "hood"
}
