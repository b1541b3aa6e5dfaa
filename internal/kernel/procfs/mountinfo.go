package procfs

import (
	"io"
	"strings"

	"github.com/moby/sys/mountinfo"
)

// Mountinfo reads /proc/PID/mountinfo, the mount table of pid's mount
// namespace as pid sees it, keeping the entries filter passes (all, for a
// nil filter). moby/sys/mountinfo parses it; its Info has the fields
// (proc_pid_mountinfo(5)):
//
//	36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
//	(1)(2)(3)   (4)   (5)      (6)      (7)   (8) (9)   (10)         (11)
//	(1) ID (2) Parent (3) Major:Minor (4) Root (5) Mountpoint (6) Options
//	(7) Optional: zero or more "shared:N", "master:N", ... (8) separator
//	(9) FSType (10) Source (11) VFSOptions (the superblock's)
func (fs FS) Mountinfo(pid int, filter mountinfo.FilterFunc) ([]*mountinfo.Info, error) {
	return parse(fs, pid, "mountinfo", func(r io.Reader) ([]*mountinfo.Info, error) {
		return mountinfo.GetMountsFromReader(io.LimitReader(r, 64*maxFile), filter)
	})
}

// MountOf is the mount of table ms (as Mountinfo reads it) that path is
// on: of the mounts whose mount point is path or a parent directory of it,
// the longest, and of those the last (the mount on top). It is nil when no
// mount holds path, as in an empty table.
func MountOf(ms []*mountinfo.Info, path string) *mountinfo.Info {
	var best *mountinfo.Info
	for _, m := range ms {
		mp := m.Mountpoint
		if path == mp || mp == "/" || strings.HasPrefix(path, strings.TrimSuffix(mp, "/")+"/") {
			if best == nil || len(mp) >= len(best.Mountpoint) {
				best = m
			}
		}
	}
	return best
}

// TopAt is the top mount on mount point dir in table ms (the last listed
// there), or nil.
func TopAt(ms []*mountinfo.Info, dir string) *mountinfo.Info {
	for i := len(ms) - 1; i >= 0; i-- {
		if ms[i].Mountpoint == dir {
			return ms[i]
		}
	}
	return nil
}

// MountAt is the top mount on mount point dir in pid's table, or nil.
func (fs FS) MountAt(pid int, dir string) *mountinfo.Info {
	ms, err := fs.Mountinfo(pid, func(m *mountinfo.Info) (skip, stop bool) {
		return m.Mountpoint != dir, false
	})
	if err != nil {
		return nil
	}
	return TopAt(ms, dir)
}

// PeerGroups are the peer groups of a mount ("shared:N" in its optional
// fields): mounts in one group propagate mount events to each other.
func PeerGroups(m *mountinfo.Info) []string {
	var groups []string
	for _, opt := range strings.Fields(m.Optional) {
		if g, ok := strings.CutPrefix(opt, "shared:"); ok {
			groups = append(groups, g)
		}
	}
	return groups
}

// InPeerGroup is a filter for Mountinfo keeping the mounts of peer group
// group.
func InPeerGroup(group string) mountinfo.FilterFunc {
	return func(m *mountinfo.Info) (skip, stop bool) {
		return !strings.Contains(" "+m.Optional+" ", " shared:"+group+" "), false
	}
}
