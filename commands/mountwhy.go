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

// mountTables are the mount tables hood can see a mount propagate into: the
// other boxes' (one per mount namespace) and hood's own, the host's.
func (s *Session) mountTables(b *box.Box) map[string]map[int]*mountinfo.Info {
	out := map[string]map[int]*mountinfo.Info{}
	add := func(label string, pid int) {
		ms, err := s.Proc().Mountinfo(pid, nil)
		if err != nil {
			return
		}
		t := map[int]*mountinfo.Info{}
		for _, m := range ms {
			t[m.ID] = m
		}
		out[label] = t
	}
	seen := map[string]bool{}
	mine, _ := s.links(b.PID)
	seen[mine["mnt"]] = true
	add(b.Name, b.PID)
	for _, o := range s.Boxes {
		if l, err := s.links(o.PID); err == nil && !seen[l["mnt"]] {
			seen[l["mnt"]] = true
			add(o.Name, o.PID)
		}
	}
	if host, err := s.links(s.HoodPID); err == nil && !seen[host["mnt"]] {
		add("the host", s.HoodPID)
	}
	return out
}

// propagated says where a new mount appeared besides target in b's own
// table, comparing the tables before and after the mount.
func propagated(b *box.Box, target string, before, after map[string]map[int]*mountinfo.Info) []string {
	var where []string
	for label, t := range after {
		for id, m := range t {
			if _, old := before[label][id]; old {
				continue
			}
			if label == b.Name && m.Mountpoint == target {
				continue
			}
			where = append(where, fmt.Sprintf("%s at %s", label, m.Mountpoint))
		}
	}
	sort.Strings(where)
	return where
}
