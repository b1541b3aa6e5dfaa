package commands

import (
	"fmt"

	"github.com/moby/sys/mountinfo"

	"hood/internal/box"
	"hood/internal/kernel/mount"
	"hood/internal/kernel/procfs"
	"hood/internal/result"
)

// propagationChanges are the mounts whose propagation differs between two
// readings of one table (the same mount IDs), as mountinfo says it before
// and after: the peer group IDs that changed.
func propagationChanges(before, after []*mountinfo.Info) []result.Change {
	old := map[int]*mountinfo.Info{}
	for _, m := range before {
		old[m.ID] = m
	}
	var out []result.Change
	for _, m := range after {
		o := old[m.ID]
		if o == nil || o.Optional == m.Optional {
			continue
		}
		out = append(out, result.Change{Path: fmt.Sprintf("%s (mount %d)", m.Mountpoint, m.ID), Before: propagationWords(o), After: propagationWords(m)})
	}
	return out
}

// makeFlag is mount(8)'s option for a propagation change: --make-rslave.
func makeFlag(flags uintptr) string {
	r := ""
	if flags&mount.Rec != 0 {
		r = "r"
	}
	switch {
	case flags&mount.Shared != 0:
		return "--make-" + r + "shared"
	case flags&mount.Slave != 0:
		return "--make-" + r + "slave"
	case flags&mount.Unbindable != 0:
		return "--make-" + r + "unbindable"
	}
	return "--make-" + r + "private"
}

// propagationMeaning says what the mount at dst does now, from its line in
// the table after the change.
func propagationMeaning(b *box.Box, dst string, after []*mountinfo.Info, flags uintptr) string {
	m := procfs.TopAt(after, dst)
	if m == nil {
		return fmt.Sprintf("%s is no longer a mount point in %s's table.", dst, b.Name)
	}
	p, err := procfs.ParsePropagation(m.Optional)
	if err != nil {
		return fmt.Sprintf("mountinfo now says %q for %s.", m.Optional, dst)
	}
	below := ""
	if flags&mount.Rec != 0 {
		below = " MS_REC made the same change on every mount below it."
	}
	switch {
	case flags&mount.Shared != 0:
		return fmt.Sprintf("%s is now shared, in peer group %d: a mount made under it is made under every mount of the group too, and its bind mounts and its copies in a new mount namespace join the group.%s", dst, p.Shared, below)
	case flags&mount.Slave != 0 && p.Master != 0:
		return fmt.Sprintf("%s is now a slave of peer group %d: mounts made under that group's mounts arrive here; mounts made here go nowhere else.%s", dst, p.Master, below)
	case flags&mount.Slave != 0:
		return fmt.Sprintf("%s had no peer group to receive from, so MS_SLAVE left it private: it neither sends nor receives mount events.%s", dst, below)
	case flags&mount.Unbindable != 0:
		return fmt.Sprintf("%s is now unbindable: private, and no bind mount can be made of it (mount --bind answers EINVAL), which keeps a recursive bind of a tree from copying itself into itself.%s", dst, below)
	}
	return fmt.Sprintf("%s is now private (%s): it neither sends nor receives mount events.%s", dst, p.Words(), below)
}
