package commands

import (
	"fmt"
	"path"
	"strings"

	"github.com/moby/sys/mountinfo"
	"golang.org/x/sys/unix"

	"hood/internal/box"
	"hood/internal/kernel/mount"
	"hood/internal/kernel/procfs"
	"hood/internal/result"
)

const pivotUsage = "pivot_root DIR|NAME [--put-old DIR] [--no-bind]"

func init() {
	register(&Command{UsageLine: pivotUsage, Short: "make DIR the root of the current box's mount namespace and detach the old root, as runc does",
		Long: `The box, in its own mount namespace, does what runc does (libcontainer
rootfs_linux.go), one call at a time:
  mount("", "/", MS_SLAVE|MS_REC)      nothing it mounts propagates out
  mount(DIR, DIR, MS_BIND|MS_REC)      DIR becomes a mount point
  openat "/" and DIR, O_DIRECTORY      the old and the new root, held open
  fchdir(new root)
  pivot_root(".", ".")                 the new root's mount is /; the old
                                       one is stacked on it, at the cwd
  fchdir(old root)
  mount("", ".", MS_SLAVE|MS_REC)      its unmount cannot propagate
  umount2(".", MNT_DETACH)             the old root leaves the mount table
  chdir("/")
Then mount -t proc proc /proc, and run cat /etc/os-release reads the
rootfs's. --put-old DIR makes the classic call instead: chdir(DIR),
pivot_root(".", PUT_OLD) (PUT_OLD must be at or under DIR), then umount2
of the old root where it landed. --no-bind skips the bind, so that a DIR
that is not a mount point shows the kernel's refusal (EBUSY on the root's
own mount, EINVAL on another). pivot_root moves the root of every process
whose root was the old one: in the host's mount namespace that would be
every process on the machine, so hood refuses there.`,
		Args: []Arg{ArgRootfs}, Flags: []string{"--put-old", "--no-bind"}, Run: pivotRoot})
}

func pivotRoot(s *Session, args []string) (*result.Result, error) {
	var arg, putOld string
	bind := true
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "--no-bind":
			bind = false
		case a == "--put-old":
			if i+1 >= len(args) {
				return nil, result.Usagef(pivotUsage, "--put-old needs a directory")
			}
			i++
			putOld = args[i]
		case strings.HasPrefix(a, "-"):
			return nil, result.Usagef(pivotUsage, "unknown option %q", a)
		case arg != "":
			return nil, result.Usagef(pivotUsage, "one new root at a time")
		default:
			arg = a
		}
	}
	if arg == "" {
		return nil, result.Usagef(pivotUsage, "give the new root, a directory or a rootfs NAME, such as `pivot_root rootfs`")
	}
	b, err := s.box()
	if err != nil {
		return nil, err
	}
	if err := s.ownMountNS(b, "pivot_root there would swap the host's own root mount, and move the root of every process on the machine whose root is /"); err != nil {
		return nil, err
	}
	if root, err := s.Proc().RootDir(b.PID); err == nil && root != "/" {
		return nil, &result.UsageError{Msg: fmt.Sprintf("%s is in a chroot (its root is %s, a directory, not the root of a mount): pivot_root moves the mount at the caller's root and the kernel answers EINVAL; leave it first with chroot --escape", b.Name, root)}
	}
	dir, err := s.rootDir(b, pivotUsage, arg)
	if err != nil {
		return nil, err
	}
	dir = path.Clean(dir)
	proc := s.Proc()
	rootBefore, _ := proc.RootDir(b.PID)
	idBefore, _ := proc.RootID(b.PID)
	relBefore, _ := proc.ReadInRoot(b.PID, "/etc/os-release")
	tableBefore, _ := proc.Mountinfo(b.PID, nil)
	p := &steps{s: s, b: b, r: &result.Result{}}
	// Nothing the box mounts from here reaches another namespace.
	if !p.n("the box's mounts receive from their masters but send nothing back").do(b.Mount("", "/", "", mount.Slave|mount.Rec, "")) {
		return p.r, p.err
	}
	if bind && !p.n("a bind mount of the new root on itself: pivot_root needs a mount point").do(b.Mount(dir, dir, "", mount.Bind|mount.Rec, "")) {
		return p.r, p.err
	}
	ok := false
	if putOld != "" {
		ok = p.classic(dir, putOld, tableBefore, rootBefore)
	} else {
		ok = p.runc(dir, tableBefore, rootBefore)
	}
	if !ok {
		if !p.pivoted {
			p.undo(dir, bind)
		}
		return p.r, p.err
	}
	if !p.n("the working directory is the new root").do(b.Chdir("/")) {
		return p.r, p.err
	}
	idAfter, _ := proc.RootID(b.PID)
	relAfter, _ := proc.ReadInRoot(b.PID, "/etc/os-release")
	tableAfter, _ := proc.Mountinfo(b.PID, nil)
	r := p.r
	r.Changes = append(r.Changes,
		result.Change{Path: proc.Path(b.PID, "root") + " (device:inode)", Before: idBefore.String(), After: idAfter.String()},
		result.Change{Path: "/etc/os-release PRETTY_NAME, as " + b.Name + " reads it", Before: prettyOf(relBefore), After: prettyOf(relAfter)},
		result.Change{Path: proc.Path(b.PID, "mountinfo") + " (mounts)", Before: fmt.Sprint(len(tableBefore)), After: fmt.Sprint(len(tableAfter))})
	if hostRoot := proc.MountAt(s.HoodPID, "/"); hostRoot != nil {
		if m := sameMount(tableAfter, hostRoot); m != nil {
			r.Say("old root", "still mounted at %s in %s's table", m.Mountpoint, b.Name)
		} else {
			r.Say("old root", "the host's root mount (device %d:%d, root %s) is in no mount of %s's table now: no path through its mounts reaches the host's files", hostRoot.Major, hostRoot.Minor, hostRoot.Root, b.Name)
		}
	}
	// pivot_root moves the root and cwd of the processes whose root or
	// cwd was the old root, and no others: one that was elsewhere in the
	// old tree still holds it.
	ids := map[int]bool{}
	for _, m := range tableAfter {
		ids[m.ID] = true
	}
	for _, pid := range proc.Descendants(b.PID) {
		if root, cwd, err := proc.MountIDs(pid); err == nil && (!ids[int(root)] || !ids[int(cwd)]) {
			r.Say("still", "PID %d keeps its root or working directory in the old tree (mount %d or %d, not in %s's table): pivot_root moved only the processes whose root or cwd was the old root itself", pid, root, cwd, b.Name)
		}
	}
	r.Shell = fmt.Sprintf("mount --make-rslave /; mount --rbind %s %s; cd %s; pivot_root . .; umount -l .; cd /", dir, dir, dir)
	if putOld != "" {
		r.Shell = fmt.Sprintf("mount --make-rslave /; mount --rbind %s %s; cd %s; pivot_root . %s; umount -l /%s; cd /", dir, dir, dir, putOld, strings.TrimPrefix(putOld, "/"))
	}
	r.Meaning = fmt.Sprintf("%s's mount namespace has a new root: %s's mount is / now, and the old root was detached, so no path through the box's mounts leads to the host's files; its processes' roots moved with it. A /proc is still to be mounted: mount -t proc proc /proc (from a new PID namespace: a proc of the host's would list the host's processes, whose /proc/PID/root leads back to the host's files).", b.Name, dir)
	return r, nil
}

// steps is a sequence of the box's calls in progress (a pivot_root, a
// chroot escape): the calls made so far, and the error that stopped it.
type steps struct {
	s       *Session
	b       *box.Box
	r       *result.Result
	err     error
	note    string
	pivoted bool // pivot_root itself succeeded
}

// undo takes back what a pivot_root that failed left: the working
// directory (back to the root) and the bind mount of the new root.
func (p *steps) undo(dir string, bound bool) {
	err := p.err
	p.n("back to the root, where the box was").do(p.b.Chdir("/"))
	if bound {
		p.n("the bind mount of the new root, taken back").do(p.b.Umount2(dir, unix.MNT_DETACH))
	}
	p.r.Say("undone", "pivot_root failed, so hood took back the working directory and the bind mount; the first step, mount --make-rslave /, stays")
	p.err = err
}

// n sets what the next successful call means, shown after its result.
func (p *steps) n(note string) *steps { p.note = note; return p }

// do records a call; false when it failed (p.err says why).
func (p *steps) do(c result.Syscall, err error) bool {
	note := p.note
	p.note = ""
	if err != nil {
		p.err = err
		return false
	}
	if note != "" && !c.Failed() {
		c.RetNote = "(" + note + ")"
	}
	p.r.Add(c)
	if c.Failed() {
		p.err = kernelErr(c, c.Name)
		return false
	}
	return true
}

// runc is runc's pivot_root(".", "."): the old root is stacked on the new
// one and unmounted from there, with no directory needed for it.
func (p *steps) runc(dir string, table []*mountinfoT, rootBefore string) bool {
	b := p.b
	oldFD, newFD := -1, -1
	defer func() {
		for _, fd := range []struct {
			n    int
			what string
		}{{oldFD, "old root"}, {newFD, "new root"}} {
			if fd.n >= 0 {
				p.do(b.Close(fd.n, fd.what))
			}
		}
	}()
	c, err := b.Open("/", unix.O_DIRECTORY|unix.O_RDONLY)
	if !p.n("the old root, held open").do(c, err) {
		return false
	}
	oldFD = int(c.Ret)
	c, err = b.Open(dir, unix.O_DIRECTORY|unix.O_RDONLY)
	if !p.n("the new root, held open").do(c, err) {
		return false
	}
	newFD = int(c.Ret)
	if !p.n("the working directory is the new root").do(b.Fchdir(newFD, "new root")) {
		return false
	}
	c, err = b.PivotRoot(".", ".")
	if err == nil && c.Failed() {
		p.r.Add(c)
		p.err = p.pivotErr(c, dir, "", table, rootBefore)
		return false
	}
	if !p.n("the new root's mount is / now; the old root is mounted on top of it, where the working directory is").do(c, err) {
		return false
	}
	p.pivoted = true
	if !p.n("into the old root, stacked on /").do(b.Fchdir(oldFD, "old root")) {
		return false
	}
	if !p.n("the old root's mounts: slaves, so that unmounting them cannot propagate to the host").do(b.Mount("", ".", "", mount.Slave|mount.Rec, "")) {
		return false
	}
	return p.n("the old root leaves the mount table, lazily (MNT_DETACH): it goes once nothing uses it").do(b.Umount2(".", unix.MNT_DETACH))
}

// classic is pivot_root(".", PUT_OLD) from inside the new root, then the
// old root unmounted where it was put.
func (p *steps) classic(dir, putOld string, table []*mountinfoT, rootBefore string) bool {
	b := p.b
	if !p.n("the working directory is the new root").do(b.Chdir(dir)) {
		return false
	}
	c, err := b.PivotRoot(".", putOld)
	if err == nil && c.Failed() {
		p.r.Add(c)
		p.err = p.pivotErr(c, dir, putOld, table, rootBefore)
		return false
	}
	if !p.n("the new root is /, the old one is mounted at PUT_OLD").do(c, err) {
		return false
	}
	p.pivoted = true
	old := putOld
	if !path.IsAbs(old) {
		old = "/" + old
	} else {
		old = "/" + strings.TrimPrefix(strings.TrimPrefix(path.Clean(old), dir), "/")
	}
	if !p.n("the old root's mounts: slaves, so that unmounting them cannot propagate").do(b.Mount("", old, "", mount.Slave|mount.Rec, "")) {
		return false
	}
	return p.n("the old root leaves the mount table").do(b.Umount2(old, unix.MNT_DETACH))
}

// pivotErr explains a refused pivot_root by looking at what was the case.
func (p *steps) pivotErr(c result.Syscall, dir, putOld string, _ []*mountinfoT, rootBefore string) error {
	err := kernelErr(c, "pivot_root")
	ke, ok := err.(*result.KernelError)
	if !ok || (c.ErrName() != "EINVAL" && c.ErrName() != "EBUSY") {
		return err
	}
	now, _ := p.s.Proc().Mountinfo(p.b.PID, nil)
	if c.ErrName() == "EBUSY" {
		// The kernel compares mounts first: a new root that is not a mount
		// point is on some mount, and when that is the root's, EBUSY.
		if procfs.TopAt(now, dir) == nil {
			if m := procfs.MountOf(now, dir); m != nil && m.Mountpoint == "/" {
				ke.Meaning = fmt.Sprintf("%s is not a mount point in %s's mount table, so it counts as part of the mount it is on, and that is the root's own mount (/): pivot_root answers EBUSY before it gets to EINVAL", dir, p.b.Name)
				ke.Fix = "drop --no-bind: hood then binds the directory on itself first, as runc does"
				return ke
			}
		}
		if putOld != "" && path.IsAbs(putOld) && !procfs.Under(path.Clean(putOld), dir) {
			if m := procfs.MountOf(now, putOld); m != nil && m.Mountpoint == "/" {
				ke.Meaning = fmt.Sprintf("PUT_OLD %s is not under the new root %s: it is on the root's own mount (/), which pivot_root answers with EBUSY (on another mount it would be EINVAL)", putOld, dir)
				ke.Fix = "give a directory inside the new root, or leave --put-old out"
			}
		}
		return ke
	}
	abs := putOld
	if putOld != "" && !path.IsAbs(putOld) {
		abs = path.Join(dir, putOld)
	}
	switch {
	case rootBefore != "/" && rootBefore != "":
		ke.Meaning = fmt.Sprintf("%s's root is %s (a chroot), which is not the root of a mount: pivot_root moves the mount at the caller's root and needs the root to be one", p.b.Name, rootBefore)
		ke.Fix = "chroot --escape first, or start a new box"
	case rootIsInitramfs(now):
		ke.Meaning = fmt.Sprintf("%s's root mount is the initial ramfs (type rootfs in its mount table), the kernel's first mount, which pivot_root refuses to move: a system that runs from its initramfs leaves it with switch_root, which deletes its files and mounts the new root over it", p.b.Name)
		ke.Fix = "copy the root into a tmpfs and switch_root there (as an init does), or try this on a machine booted from a disk"
	case procfs.TopAt(now, dir) == nil:
		ke.Meaning = fmt.Sprintf("%s is not a mount point in %s's mount table: pivot_root needs the new root to be a mount of its own (--no-bind skipped the bind mount that makes it one)", dir, p.b.Name)
		ke.Fix = "drop --no-bind: hood then binds the directory on itself first, as runc does"
	case putOld != "" && !procfs.Under(path.Clean(abs), dir):
		ke.Meaning = fmt.Sprintf("PUT_OLD %s is not at or under the new root %s: the old root must be put somewhere reachable from the new one", abs, dir)
		ke.Fix = "give a directory inside the new root, such as --put-old .oldroot (made with mkdir first), or leave --put-old out"
	default:
		if m := procfs.TopAt(now, dir); m != nil && len(procfs.PeerGroups(m)) > 0 && strings.Contains(m.Optional, "shared") {
			ke.Meaning = fmt.Sprintf("the new root's mount is shared (%s): pivot_root refuses to move a mount that propagates", m.Optional)
			ke.Fix = "mount --make-rprivate / (or rslave) in the box first"
		}
	}
	return ke
}

// rootIsInitramfs reports whether the bottom mount at / is the kernel's
// initial ramfs (rootfs): pivot_root answers EINVAL for it.
func rootIsInitramfs(table []*mountinfoT) bool {
	for _, m := range table {
		if m.Mountpoint == "/" && m.FSType == "rootfs" {
			return true
		}
	}
	return false
}

// sameMount finds in table the mount of the filesystem and directory m is.
func sameMount(table []*mountinfoT, m *mountinfoT) *mountinfoT {
	for _, x := range table {
		if x.Major == m.Major && x.Minor == m.Minor && x.Root == m.Root {
			return x
		}
	}
	return nil
}

type mountinfoT = mountinfo.Info
