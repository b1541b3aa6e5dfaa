package commands

import (
	"fmt"
	"path/filepath"
	"strings"

	"hood/internal/box"
	"hood/internal/result"
)

const chrootUsage = "chroot DIR|NAME | chroot --escape"

func init() {
	register(&Command{UsageLine: chrootUsage, Short: "change the current box's root directory (and show how a root process leaves a chroot)",
		Long: `The box calls chroot(2) on DIR (a path, or NAME: a root filesystem from
rootfs make or rootfs import), then chdir("/") as chroot(1) does: paths
starting with / now start there, and run finds its programs inside.
hood refuses while the box shares the host's mount namespace: run unshare mnt.
chroot changes one process's root and nothing else: the mounts, the other
processes and the way up stay. --escape shows it: the box chroots into a
directory below its root without chdir, so its working directory is left
outside the new root, climbs with chdir("..") until the directory does not
change (chroot only stops ".." at the root, and the box is not under it any
more), and chroot(".") there: its root is the mount namespace's own again.
After pivot_root the same climb ends at the rootfs: the old root is gone.`,
		Args: []Arg{ArgRootfs}, Flags: []string{"--escape"}, Run: chrootCmd})
}

// ownMountNS refuses when box b shares the host's mount namespace; why
// says what would happen there.
func (s *Session) ownMountNS(b *box.Box, why string) error {
	mine, host, err := s.linksAndHost(b.PID)
	if err != nil {
		return err
	}
	return s.ownMount(b, mine, host, why)
}

// ownMount is ownMountNS with b's links and the host's already read: the
// box's mount namespace must be its own, and one this hood made.
func (s *Session) ownMount(b *box.Box, mine, host links, why string) error {
	if mine["mnt"] == host["mnt"] {
		return &result.UsageError{Msg: fmt.Sprintf("%s shares the host's mount namespace (%s): %s, so hood does not do it. Run `unshare mnt` first.", b.Name, mine["mnt"], why)}
	}
	return s.notMade(b, "mnt", mine)
}

// chrootWhy is why chroot wants a mount namespace of the box's own.
const chrootWhy = "a chroot there stays in the host's mount table, so what the box mounts in its new root (a /proc) would be a mount on the host"

// rootDir resolves DIR|NAME for box b: a NAME is a root filesystem of
// hood's store; it must have a /bin/sh as b sees it.
func (s *Session) rootDir(b *box.Box, usage, arg string) (string, error) {
	dir := arg
	if strings.Contains(arg, "/") && !filepath.IsAbs(arg) {
		// The box resolves a relative path from its working directory,
		// hood's own until it changes it: name it from / for both.
		abs, err := filepath.Abs(arg)
		if err != nil {
			return "", err
		}
		dir = abs
	}
	if !strings.Contains(arg, "/") {
		st, err := s.store()
		if err != nil {
			return "", err
		}
		if dir, err = st.Resolve(arg); err != nil {
			return "", &result.UsageError{Msg: err.Error()}
		}
	}
	isDir, exists := s.Proc().IsDirInRoot(b.PID, dir)
	switch {
	case !exists:
		return "", &result.UsageError{Msg: fmt.Sprintf("%s does not exist as %s sees it (from its root): give a directory, or a NAME from rootfs ls", dir, b.Name)}
	case !isDir:
		return "", &result.UsageError{Msg: fmt.Sprintf("%s is not a directory", dir)}
	}
	if _, sh := s.Proc().IsDirInRoot(b.PID, strings.TrimSuffix(dir, "/")+"/bin/sh"); !sh {
		return "", &result.UsageError{Msg: fmt.Sprintf("%s has no bin/sh: it is not a root filesystem programs can run in (rootfs make builds one; rootfs import unpacks one)", dir)}
	}
	return dir, nil
}

func chrootCmd(s *Session, args []string) (*result.Result, error) {
	if len(args) == 1 && args[0] == "--escape" {
		return chrootEscape(s)
	}
	if len(args) != 1 || strings.HasPrefix(args[0], "-") {
		return nil, result.Usagef(chrootUsage, "give one directory or rootfs NAME, such as `chroot rootfs`, or --escape")
	}
	b, err := s.box()
	if err != nil {
		return nil, err
	}
	if err := s.ownMountNS(b, chrootWhy); err != nil {
		return nil, err
	}
	dir, err := s.rootDir(b, chrootUsage, args[0])
	if err != nil {
		return nil, err
	}
	before, _ := s.Proc().RootDir(b.PID)
	r := &result.Result{}
	c, err := b.Chroot(dir)
	if err != nil {
		return nil, err
	}
	r.Add(c)
	if c.Failed() {
		return r, s.capErr(b, c, "chroot", "CAP_SYS_CHROOT")
	}
	c, err = b.Chdir("/")
	if err != nil {
		return r, err
	}
	r.Add(c)
	if c.Failed() {
		return r, kernelErr(c, "chdir")
	}
	after, _ := s.Proc().RootDir(b.PID)
	r.Changes = append(r.Changes, result.Change{Path: s.Proc().Path(b.PID, "root"), Before: before, After: after})
	if rel, err := s.Proc().ReadInRoot(b.PID, "/etc/os-release"); err == nil {
		r.Say("os-release", "PRETTY_NAME=%q (as %s reads /etc/os-release now)", prettyOf(rel), b.Name)
	}
	r.Shell = "chroot " + dir + " /bin/sh"
	r.Meaning = fmt.Sprintf("%s's root directory is now %s: its paths start there and run finds programs inside it. Its mounts, its other processes and its namespaces did not change, and a root process can still leave (chroot --escape shows how).", b.Name, after)
	return r, nil
}

func prettyOf(osRelease []byte) string {
	for _, l := range strings.Split(string(osRelease), "\n") {
		if v, ok := strings.CutPrefix(l, "PRETTY_NAME="); ok {
			return strings.Trim(v, `"'`)
		}
	}
	return ""
}

// chrootEscape is the classic way out of a chroot, made by the box on
// itself: chroot into a subdirectory without chdir, climb, chroot(".").
func chrootEscape(s *Session) (*result.Result, error) {
	b, err := s.box()
	if err != nil {
		return nil, err
	}
	if err := s.ownMountNS(b, chrootWhy); err != nil {
		return nil, err
	}
	proc := s.Proc()
	before, _ := proc.RootDir(b.PID)
	idBefore, _ := proc.RootID(b.PID)
	relBefore, _ := proc.ReadInRoot(b.PID, "/etc/os-release")
	p := &steps{s: s, b: b, r: &result.Result{}}
	r := p.r
	// Start at the current root, then make a root below it.
	if !p.n("the working directory is the current root").do(b.Chdir("/")) {
		return r, p.err
	}
	sub := "/tmp"
	if isDir, _ := proc.IsDirInRoot(b.PID, sub); !isDir {
		sub = "/.hood-escape"
		if isDir, _ := proc.IsDirInRoot(b.PID, sub); !isDir {
			if !p.n("a directory to chroot into").do(b.Mkdir(sub, 0o700)) {
				return r, p.err
			}
		}
	}
	if !p.n("the root is now its " + sub + "; the working directory stayed above, outside the root").do(b.Chroot(sub)) {
		return r, p.err
	}
	// chdir("..") stops only at the process's root or at the top of the
	// mount tree; hood looks at the working directory's inode after each.
	prev, err := proc.CwdID(b.PID)
	if err != nil {
		return r, err
	}
	climbs := 0
	for range 64 {
		if !p.do(b.Chdir("..")) {
			return r, p.err
		}
		cur, err := proc.CwdID(b.PID)
		if err != nil {
			return r, err
		}
		last := &r.Syscalls[len(r.Syscalls)-1]
		if cur == prev {
			last.RetNote = "(the working directory stayed put: the top of the mount tree)"
			break
		}
		if cwd, err := proc.Cwd(b.PID); err == nil {
			last.RetNote = "(cwd: " + cwd + " as the host names it)"
		}
		prev = cur
		climbs++
	}
	r.Say("climbed", "%d levels, up to the top of %s's mount tree", climbs, b.Name)
	if !p.n("the root is the working directory, the top of the tree").do(b.Chroot(".")) {
		return r, p.err
	}
	if !p.n("").do(b.Chdir("/")) {
		return r, p.err
	}
	after, _ := proc.RootDir(b.PID)
	relAfter, _ := proc.ReadInRoot(b.PID, "/etc/os-release")
	r.Changes = append(r.Changes, result.Change{Path: proc.Path(b.PID, "root"), Before: before, After: after},
		result.Change{Path: "/etc/os-release PRETTY_NAME, as " + b.Name + " reads it", Before: prettyOf(relBefore), After: prettyOf(relAfter)})
	r.Shell = "cd /; chroot " + strings.TrimPrefix(sub, "/") + " (no cd); cd .. (until it stays put); chroot .  # as root, inside the chroot"
	if idAfter, _ := proc.RootID(b.PID); idAfter == idBefore {
		r.Meaning = fmt.Sprintf("%s ended where it started: the top of its mount tree is its root already, so there was nowhere to climb to. After pivot_root the old root is not in the box's mount tree at all.", b.Name)
	} else {
		r.Meaning = fmt.Sprintf("%s left its chroot: chroot(2) moved only its root, not its working directory, and chdir(\"..\") stops only at the root it is under. With CAP_SYS_CHROOT any root process in a chroot can do this; a chroot is no wall. pivot_root in a new mount namespace removes the old root from the tree itself.", b.Name)
	}
	return r, nil
}
