package commands

import (
	"fmt"
	"sort"
	"strings"

	"github.com/moby/sys/mountinfo"

	"hood/internal/box"
	"hood/internal/kernel/mount"
	"hood/internal/result"
)

// mountErr is the error for a mount(2) the kernel refused. EINVAL has many
// causes; hood looks for the one it can see before it names one.
func (s *Session) mountErr(b *box.Box, c result.Syscall, fstype, data string, flags uintptr, target string) error {
	err := kernelErr(c, "mount")
	ke, ok := err.(*result.KernelError)
	if !ok || c.ErrName() != "EINVAL" {
		return err
	}
	switch {
	case fstype == "cgroup":
		known := mount.HostControllers()
		if bad := mount.UnknownCgroupOptions(data, known); len(bad) > 0 {
			ke.Meaning = fmt.Sprintf("%s is not a cgroup v1 controller this kernel has, nor a cgroup mount option (/proc/cgroups lists the controllers: %s)",
				strings.Join(bad, ", "), strings.Join(known, " "))
			ke.Fix = "name controllers as /proc/cgroups spells them, such as -o net_cls,net_prio"
			return ke
		}
	case flags&(mount.Private|mount.Shared|mount.Slave|mount.Unbindable) != 0:
		if s.Proc().MountAt(b.PID, target) == nil {
			ke.Meaning = fmt.Sprintf("%s is not a mount point in %s's mount table, and a propagation change (--make-*) applies only to one", target, b.Name)
			ke.Fix = "make it a mount point first (mount --bind DIR DIR), or change the mount it is on"
			return ke
		}
	}
	return ke
}

// mountView is a process whose mount table hood reads to see where a mount
// propagated.
type mountView struct {
	label string // "box2", "the host"
	pid   int
}

// mountViews are the mount tables hood can see a mount of b's propagate
// into, one per mount namespace: b's, the other boxes' and hood's own, the
// host's. mine and host are b's and hood's links, already read; of the other
// boxes only the mnt link is read.
func (s *Session) mountViews(b *box.Box, mine, host links) []mountView {
	views := []mountView{{b.Name, b.PID}}
	seen := map[string]bool{mine["mnt"]: true}
	for _, o := range s.Boxes {
		if o == b {
			continue
		}
		if l, err := s.Proc().NS(o.PID, "mnt"); err == nil && !seen[l.String()] {
			seen[l.String()] = true
			views = append(views, mountView{o.Name, o.PID})
		}
	}
	if !seen[host["mnt"]] {
		views = append(views, mountView{"the host", s.HoodPID})
	}
	return views
}

// mountTables reads each view's mount table now, label -> its mounts in the
// kernel's order (the last on a mount point is on top). A table that
// cannot be read is left out.
func (s *Session) mountTables(views []mountView) map[string][]*mountinfo.Info {
	out := map[string][]*mountinfo.Info{}
	for _, v := range views {
		if ms, err := s.Proc().Mountinfo(v.pid, nil); err == nil {
			out[v.label] = ms
		}
	}
	return out
}

// propagated says where a new mount appeared besides target in b's own
// table, comparing the tables before and after the mount.
func propagated(b *box.Box, target string, before, after map[string][]*mountinfo.Info) []string {
	var where []string
	for label, ms := range after {
		old := map[int]bool{}
		for _, m := range before[label] {
			old[m.ID] = true
		}
		for _, m := range ms {
			if old[m.ID] || label == b.Name && m.Mountpoint == target {
				continue
			}
			where = append(where, fmt.Sprintf("%s at %s", label, m.Mountpoint))
		}
	}
	sort.Strings(where)
	return where
}
