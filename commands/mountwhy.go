package commands

import (
	"fmt"
	"sort"
	"strings"

	"github.com/moby/sys/mountinfo"

	"hood/internal/box"
	"hood/internal/kernel/mount"
	"hood/internal/kernel/procfs"
	"hood/internal/result"
)

// mountErr is the error for a mount(2) the kernel refused. EINVAL has many
// causes; hood looks for the one it can see before it names one.
func (s *Session) mountErr(b *box.Box, c result.Syscall, fstype, data string, flags uintptr, source, target string) error {
	if c.ErrName() == "EPERM" {
		return s.capErr(b, c, "mount", "CAP_SYS_ADMIN")
	}
	err := kernelErr(c, "mount")
	ke, ok := err.(*result.KernelError)
	if !ok {
		return err
	}
	if c.ErrName() == "ENOENT" {
		ke.Meaning = fmt.Sprintf("%s does not exist as %s sees it: the kernel looks the path up in %s's mount namespace (%s), from its root and working directory, not in the host's", target, b.Name, b.Name, s.mntOf(b))
		if flags&mount.Bind != 0 {
			ke.Meaning += "; with --bind the source must exist there too"
		}
		ke.Fix = fmt.Sprintf("create it first as %s sees it (run mkdir -p %s), or pick a directory `mounts` shows", b.Name, target)
		return ke
	}
	if c.ErrName() != "EINVAL" {
		return err
	}
	switch {
	case flags&mount.Bind != 0:
		ms, _ := s.Proc().Mountinfo(b.PID, nil)
		if m := procfs.MountOf(ms, source); m != nil {
			if p, err := procfs.ParsePropagation(m.Optional); err == nil && p.Unbindable {
				ke.Meaning = fmt.Sprintf("%s is on the mount at %s, which is unbindable (mountinfo says so for mount %d): the kernel makes no bind mount of it", source, m.Mountpoint, m.ID)
				ke.Fix = fmt.Sprintf("mount --make-private %s first, if a bind of it is what you want", m.Mountpoint)
				return ke
			}
		}
	case data != "" && fstype != "cgroup":
		if bad, known := mount.UnknownFSOptions(fstype, data); known && len(bad) > 0 {
			opts, _ := mount.FSOptions(fstype)
			list := strings.Join(opts, ", ")
			if list == "" {
				list = "none"
			}
			ke.Meaning = fmt.Sprintf("-o %s: %s is neither a mount(8) flag (ro, nosuid, nodev, noexec, noatime, ...) nor an option of %s, and hood passed the words that are not flags to %s as mount(2)'s data, which %s checked and refused (%s takes: %s)",
				strings.Join(bad, ","), strings.Join(bad, ", "), fstype, fstype, fstype, fstype, list)
			ke.Fix = "drop or correct " + strings.Join(bad, ", ")
			return ke
		} else if !known {
			ke.Meaning = fmt.Sprintf("the words of -o that are not mount(8) flags went to %s as mount(2)'s data (%q); %s refused one of them, or the flags (its kernel log, dmesg, names the word)", fstype, data, fstype)
			return ke
		}
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
			// In b's own table the mount itself, and with MS_REC the
			// copies of the mounts below its source, are not propagation.
			if old[m.ID] || label == b.Name && (m.Mountpoint == target || strings.HasPrefix(m.Mountpoint, strings.TrimSuffix(target, "/")+"/")) {
				continue
			}
			where = append(where, fmt.Sprintf("%s at %s", label, m.Mountpoint))
		}
	}
	sort.Strings(where)
	return where
}

// mntOf is b's mount namespace link, "mnt:[N]", or "?" when unreadable.
func (s *Session) mntOf(b *box.Box) string {
	l, err := s.Proc().NS(b.PID, "mnt")
	if err != nil {
		return "?"
	}
	return l.String()
}

// hostShared lists the mounts of table (a box's) that are in a peer group
// the host's table is in too: mount events under them reach the host.
func hostShared(proc procfs.FS, table []*mountinfo.Info, hood int) ([]*mountinfo.Info, error) {
	host, err := proc.Mountinfo(hood, nil)
	if err != nil {
		return nil, err
	}
	groups := map[string]bool{}
	for _, m := range host {
		for _, g := range procfs.PeerGroups(m) {
			groups[g] = true
		}
	}
	var out []*mountinfo.Info
	for _, m := range table {
		for _, g := range procfs.PeerGroups(m) {
			if groups[g] {
				out = append(out, m)
				break
			}
		}
	}
	return out, nil
}
