package rootless

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"

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
		// hood makes its groups in Base: the user's own delegated
		// cgroup, when hood runs inside one.
		dir := h.Base()
		if unix.Access(dir, unix.W_OK) != nil || unix.Access(filepath.Join(dir, "cgroup.procs"), unix.W_OK) != nil {
			return false, fmt.Sprintf("hood runs as uid %d and would make its groups in %s, which is not delegated to it (neither it nor its cgroup.procs is writable): start hood in a delegated scope: %s", uid, dir, start)
		}
		if ctl == "" || h.Offers(ctl) {
			return true, ""
		}
		return false, fmt.Sprintf("the %s controller is not delegated to uid %d: %s hands down only %q (systemd delegates cpu, memory and pids to user@%d.service; a drop-in /etc/systemd/system/user@.service.d/delegate.conf with [Service] Delegate=cpu cpuset io memory pids gives more)", ctl, uid, dir, strings.Join(h.Enabled(), " "), uid)
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
