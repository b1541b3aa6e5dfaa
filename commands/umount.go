package commands

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/moby/sys/mountinfo"
	"golang.org/x/sys/unix"

	"hood/internal/box"
	"hood/internal/kernel/procfs"
	"hood/internal/result"
)

const umountUsage = "umount [-l] PATH"

func init() {
	register(&Command{UsageLine: umountUsage, Short: "unmount the top mount at PATH in the current box's mount namespace (-l: detach it lazily)",
		Long: `The box calls umount2(PATH, 0): the kernel removes the top mount at PATH,
or answers EBUSY while something uses it (a process's working directory,
root or open file there, or a mount on top of something below it) and
EINVAL when PATH is not a mount point in the box's table. -l passes
MNT_DETACH, what umount -l does: the mount leaves the table at once and the
kernel frees it when its last user is gone. hood refuses while the box shares
the host's mount namespace, and when the mount's parent is shared with the
host (the unmount would propagate there).
Examples: umount /tmp; umount -l /mnt`,
		Flags: []string{"-l"}, Run: umountCmd})
}

func umountCmd(s *Session, args []string) (*result.Result, error) {
	flags := 0
	var pos []string
	for _, a := range args {
		switch {
		case a == "-l" || a == "--lazy":
			flags |= unix.MNT_DETACH
		case strings.HasPrefix(a, "-"):
			return nil, result.Usagef(umountUsage, "unknown option %q: the only option is -l (lazy: MNT_DETACH)", a)
		default:
			pos = append(pos, a)
		}
	}
	if len(pos) != 1 {
		return nil, result.Usagef(umountUsage, "give one PATH, a mount point in the box's mount table (`mounts` lists them)")
	}
	if !filepath.IsAbs(pos[0]) {
		return nil, result.Usagef(umountUsage, "%q: give the mount point as an absolute path, as `mounts` lists it", pos[0])
	}
	path := filepath.Clean(pos[0])
	b, err := s.box()
	if err != nil {
		return nil, err
	}
	mine, host, err := s.linksAndHost(b.PID)
	if err != nil {
		return nil, err
	}
	if err := s.ownMount(b, mine, host, "this would unmount "+path+" from the host's own mount table"); err != nil {
		return nil, err
	}
	views := s.mountViews(b, mine, host)
	tables := s.mountTables(views)
	top := procfs.TopAt(tables[b.Name], path)
	if top != nil {
		if err := parentSharedWithHost(s.Proc(), tables[b.Name], s.HoodPID, top); err != nil {
			return nil, err
		}
	} else if shared, err := hostShared(s.Proc(), tables[b.Name], s.HoodPID); err != nil {
		return nil, err
	} else if len(shared) > 0 {
		// The kernel follows symlinks: hood cannot tell which mount the
		// path names, and some of the box's mounts reach the host.
		return nil, &result.UsageError{Msg: fmt.Sprintf("%s is not a mount point in %s's table as written (a symlink?), and %s's mount at %s is shared with the host: hood cannot tell which mount umount2 would remove, so it does not call it. Give the mount point as `mounts` lists it.", path, b.Name, b.Name, shared[0].Mountpoint)}
	}
	r := &result.Result{}
	c, err := b.Umount2(path, flags)
	if err != nil {
		return nil, err
	}
	r.Add(c)
	if c.Failed() {
		return r, umountErr(b, c, tables[b.Name], path, top)
	}
	after := s.mountTables(views)
	now := "(no mount there)"
	if m := procfs.MountOf(after[b.Name], path); m != nil {
		now = fmt.Sprintf("%s %s (mount %d, at %s)", m.FSType, m.Source, m.ID, m.Mountpoint)
	}
	was := "(a mount)"
	if top != nil {
		was = fmt.Sprintf("%s %s (mount %d)", top.FSType, top.Source, top.ID)
	}
	r.Changes = append(r.Changes, result.Change{Path: path + " in " + b.Name, Before: was, After: now})
	r.Shell = "umount " + path
	if flags&unix.MNT_DETACH != 0 {
		r.Shell = "umount -l " + path
	}
	r.Meaning = fmt.Sprintf("The mount left %s's mount table; what is at %s now is what it covered.", b.Name, path)
	if flags&unix.MNT_DETACH != 0 {
		r.Meaning += " With MNT_DETACH the kernel detached it at once, and frees it when the last process using it lets go."
	}
	if gone := unpropagated(b, tables, after); len(gone) > 0 {
		r.Say("also", "gone from %s", strings.Join(gone, "; "))
		r.Meaning += fmt.Sprintf(" The unmount propagated to %s: what was unmounted sat on a shared mount (with -l, the mounts below it count too), and the kernel unmounts the copies under that mount's peers and slaves as well.", strings.Join(gone, ", "))
	}
	return r, nil
}

// parentSharedWithHost refuses to unmount m when m, or a mount below it
// (umount -l takes the whole tree), sits on a mount that is in a peer group
// the host is in: the unmount would propagate to the host's table.
func parentSharedWithHost(proc procfs.FS, table []*mountinfo.Info, hood int, m *mountinfo.Info) error {
	byID := map[int]*mountinfo.Info{}
	for _, x := range table {
		byID[x.ID] = x
	}
	tree := map[int]bool{m.ID: true}
	for changed := true; changed; {
		changed = false
		for _, x := range table {
			if !tree[x.ID] && tree[x.Parent] && x.ID != x.Parent {
				tree[x.ID], changed = true, true
			}
		}
	}
	for id := range tree {
		p := byID[byID[id].Parent]
		if p == nil {
			continue
		}
		for _, group := range procfs.PeerGroups(p) {
			peers, err := proc.Mountinfo(hood, procfs.InPeerGroup(group))
			if err != nil {
				return err
			}
			if len(peers) > 0 {
				return &result.UsageError{Msg: fmt.Sprintf("%s is mounted on %s, which is shared with the host's mount table (peer group %s, as %s on the host): unmounting it would unmount the host's copy too, so hood does not do it.", byID[id].Mountpoint, p.Mountpoint, group, peers[0].Mountpoint)}
			}
		}
	}
	return nil
}

// unpropagated says which other tables lost mounts, comparing the tables
// before and after the unmount (the box's own loss is the one asked for).
func unpropagated(b *box.Box, before, after map[string][]*mountinfo.Info) []string {
	var where []string
	for label, ms := range before {
		if label == b.Name {
			continue
		}
		now := map[int]bool{}
		for _, m := range after[label] {
			now[m.ID] = true
		}
		for _, m := range ms {
			if !now[m.ID] {
				where = append(where, fmt.Sprintf("%s at %s", label, m.Mountpoint))
			}
		}
	}
	return where
}

// umountErr explains a refused umount2 by what hood sees in the box's table.
func umountErr(b *box.Box, c result.Syscall, table []*mountinfo.Info, path string, top *mountinfo.Info) error {
	err := kernelErr(c, "umount2")
	ke, ok := err.(*result.KernelError)
	if !ok {
		return err
	}
	switch c.ErrName() {
	case "EINVAL":
		if top == nil {
			ke.Meaning = fmt.Sprintf("%s is not a mount point in %s's mount table", path, b.Name)
			if m := procfs.MountOf(table, path); m != nil {
				ke.Meaning += fmt.Sprintf(": it is a directory on the mount at %s (%s %s)", m.Mountpoint, m.FSType, m.Source)
			}
		}
	case "EBUSY":
		var below []string
		for _, m := range table {
			if top != nil && m.Parent == top.ID {
				below = append(below, m.Mountpoint)
			}
		}
		if len(below) > 0 {
			ke.Meaning = fmt.Sprintf("mounts sit on %s's mount: %s; unmount them first, or detach the whole tree with umount -l", path, strings.Join(below, ", "))
		}
	case "ENOENT":
		ke.Meaning = fmt.Sprintf("%s does not exist as %s sees it: the path is looked up in %s's mount namespace, from its root and working directory", path, b.Name, b.Name)
	}
	return ke
}
