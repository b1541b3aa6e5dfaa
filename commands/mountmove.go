package commands

import (
	"fmt"
	"strings"

	"golang.org/x/sys/unix"

	"hood/internal/kernel/procfs"
	"hood/internal/result"
)

// mountMoveInto moves a copy of the mount at path in the current box into
// box name's mount namespace, at path there, with the new mount API: the
// current box clones the mount with open_tree, hood copies the descriptor
// out of it with pidfd_getfd and sends it to the other box, which attaches
// it with move_mount.
func (s *Session) mountMoveInto(name, path string, rec bool) (*result.Result, error) {
	from, err := s.box()
	if err != nil {
		return nil, err
	}
	to := s.find(name)
	if to == nil {
		return nil, &result.UsageError{Msg: fmt.Sprintf("no box named %q: --move-into takes the box to move the mount into (%s)", name, strings.Join(s.BoxNames(), ", "))}
	}
	fromL, host, err := s.linksAndHost(from.PID)
	if err != nil {
		return nil, err
	}
	toL, err := s.links(to.PID)
	if err != nil {
		return nil, err
	}
	switch {
	case toL["mnt"] == host["mnt"]:
		return nil, &result.UsageError{Msg: fmt.Sprintf("%s shares the host's mount namespace (%s): the mount would land in the host's own mount table, so hood does not move it there. Run `unshare mnt` in %s first.", to.Name, toL["mnt"], to.Name)}
	case toL["mnt"] == fromL["mnt"]:
		return nil, &result.UsageError{Msg: fmt.Sprintf("%s and %s are in the same mount namespace (%s): there is nothing to move the mount into. Run `unshare mnt` in one of them.", from.Name, to.Name, toL["mnt"])}
	}
	if err := s.notMade(to, "mnt", toL); err != nil {
		return nil, err
	}
	views := s.mountViews(to, toL, host)
	tables := s.mountTables(views)
	// The kernel follows symlinks in the target: refuse any box whose
	// table has a mount the host shares, not only the one path names.
	if shared, err := hostShared(s.Proc(), tables[to.Name], s.HoodPID); err != nil {
		return nil, err
	} else if len(shared) > 0 {
		return nil, &result.UsageError{Msg: fmt.Sprintf("%s's mount at %s is shared with the host's mount table: a mount moved into %s could propagate to the host, so hood does not move it. Give %s a private copy: `unshare mnt` in a new box (propagation private, the default).", to.Name, shared[0].Mountpoint, to.Name, to.Name)}
	}
	flags := unix.OPEN_TREE_CLONE | unix.OPEN_TREE_CLOEXEC
	if rec {
		flags |= unix.AT_RECURSIVE
	}
	r := &result.Result{}
	tree, err := from.OpenTree(path, flags)
	if err != nil {
		return nil, err
	}
	r.Add(tree)
	if tree.Failed() {
		return r, newAPIErr(tree, "open_tree", fmt.Sprintf("%s is looked up in %s's mount namespace", path, from.Name))
	}
	fd := int(tree.Ret)
	what := "clone of " + path
	closeTree := func() {
		if c, err := from.Close(fd, what); err == nil {
			r.Add(c)
		}
	}
	mine, calls := from.CopyFd(fd, what)
	r.Add(calls...)
	if mine < 0 {
		last := calls[len(calls)-1]
		closeTree()
		return r, newAPIErr(last, last.Name, "")
	}
	mv, err := to.MoveMount(mine, -1, path, what)
	unix.Close(mine)
	if err != nil {
		closeTree()
		return nil, err
	}
	r.Add(mv)
	closeTree()
	if mv.Failed() {
		return r, newAPIErr(mv, "move_mount", fmt.Sprintf("%s is looked up in %s's mount namespace", path, to.Name))
	}
	after := s.mountTables(views)
	before := "(no mount there)"
	if m := procfs.TopAt(tables[to.Name], path); m != nil {
		before = fmt.Sprintf("%s %s (mount %d)", m.FSType, m.Source, m.ID)
	}
	if m := procfs.TopAt(after[to.Name], path); m != nil {
		r.Changes = append(r.Changes, result.Change{Path: path + " in " + to.Name, Before: before, After: fmt.Sprintf("%s %s (mount %d)", m.FSType, m.Source, m.ID)})
		r.Say("mountinfo", "%s", mountinfoLine(m))
	}
	r.Say("hood", "closed its copy of the descriptor after sending it")
	r.Shell = "(no util-linux equivalent; mount(8) of util-linux 2.39+ uses these calls for its own mounts)"
	r.Meaning = fmt.Sprintf("A copy of %s's mount at %s, detached and held only by a descriptor, was attached at %s in %s's mount namespace: the kernel looks move_mount's target up in the caller's namespace. Both mounts show the same files (one filesystem); each lives and dies with its own namespace.", from.Name, path, path, to.Name)
	if where := propagated(to, path, tables, after); len(where) > 0 {
		r.Meaning += " It also propagated to " + strings.Join(where, ", ") + "."
	}
	return r, nil
}

// newAPIErr is the error of a refused call of the new mount API, with
// ENOSYS said plainly: the kernel is older than the call.
func newAPIErr(c result.Syscall, key, where string) error {
	err := kernelErr(c, key)
	ke, ok := err.(*result.KernelError)
	if !ok {
		return err
	}
	switch c.ErrName() {
	case "ENOSYS":
		need := map[string]string{"open_tree": "5.2", "move_mount": "5.2", "pidfd_open": "5.3", "pidfd_getfd": "5.6"}[c.Name]
		ke.Meaning = fmt.Sprintf("this kernel has no %s(2): it came in Linux %s", c.Name, need)
	case "ENOENT":
		if where != "" {
			ke.Meaning = "no such path: " + where
		}
	}
	return ke
}
