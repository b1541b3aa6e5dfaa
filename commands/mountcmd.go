package commands

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/moby/sys/mountinfo"
	"golang.org/x/sys/unix"

	"hood/internal/box"
	"hood/internal/kernel/mount"
	"hood/internal/kernel/procfs"
	"hood/internal/result"
)

const mountUsage = "mount [-t TYPE] [-o OPTIONS] [--bind|--rbind] SOURCE TARGET | mount --make-shared|--make-private|--make-slave|--make-unbindable|--make-rshared|--make-rprivate|--make-rslave|--make-runbindable [--rec] TARGET | mount --move-into BOX [--rec] PATH"

func init() {
	register(&Command{UsageLine: mountUsage, Short: "mount a filesystem in the current box's mount namespace",
		Long: `The box makes the mount(2) call, so the mount lands in the box's own mount
table. hood refuses while the box still shares the host's mount namespace:
run unshare mnt first. When the box has a new PID namespace with a PID 1,
the call is made by a process inside it, so that a new proc shows that
namespace's processes (what unshare --mount-proc does).
--make-shared, --make-private, --make-slave, --make-unbindable (and the
--make-r... forms, or --rec, for every mount below too) change a mount's
propagation, as mount(8) does, and hood shows the peer group IDs before and
after from mountinfo.
--move-into BOX PATH moves a copy of the mount at PATH into BOX's mount
namespace at PATH, with the new mount API (Linux 5.2+): the current box
calls open_tree(OPEN_TREE_CLONE), hood takes a copy of the descriptor with
pidfd_open and pidfd_getfd (Linux 5.6+), BOX calls move_mount on it.
-o takes mount(8)'s flag words (ro, nosuid, noexec, ...); the other words go
to the filesystem as mount(2)'s data, which it checks itself (tmpfs answers
EINVAL for a word it does not know). A bind mount or a propagation change
takes no data: the kernel would ignore it, so hood refuses it.
After a mount hood looks at the other boxes' mount tables and its own and
says where the new mount appeared: under a shared mount it propagates to
the mount's peers.
Examples: mount -t proc proc /proc; mount -t tmpfs -o size=10m tmpfs /tmp;
mount --make-shared /mnt; mount --make-slave --rec /mnt;
mount --move-into box2 /mnt`,
		Flags: []string{"-t", "-o", "--bind", "--rbind", "--make-shared", "--make-private", "--make-slave", "--make-unbindable",
			"--make-rshared", "--make-rprivate", "--make-rslave", "--make-runbindable", "--rec", "--move-into"}, Run: mountCmd})
}

var msBind = uintptr(mount.Bind)

// propagation are mount(2)'s propagation flags: a change of them alone
// needs no filesystem type and no source.
const propagation = mount.Private | mount.Shared | mount.Slave | mount.Unbindable

func mountCmd(s *Session, args []string) (*result.Result, error) {
	var fstype, opts string
	var flags uintptr
	var pos []string
	rec, moveInto := false, ""
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "--rec":
			rec = true
		case a == "--move-into":
			if i+1 >= len(args) {
				return nil, result.Usagef(mountUsage, "--move-into needs the box to move the mount into")
			}
			i++
			moveInto = args[i]
		case a == "-t" || a == "-o":
			if i+1 >= len(args) {
				return nil, result.Usagef(mountUsage, "%s needs a value", a)
			}
			i++
			if a == "-t" {
				fstype = args[i]
			} else {
				opts = args[i]
			}
		case a == "--bind":
			flags |= mount.Bind
		case a == "--rbind":
			flags |= mount.Bind | mount.Rec
		case strings.HasPrefix(a, "--make-"):
			// mount(8)'s propagation changes: --make-shared, --make-rslave, ...
			f, rest := mount.ParseOptions(strings.TrimPrefix(a, "--make-"))
			if rest != "" || f&propagation == 0 {
				return nil, result.Usagef(mountUsage, "unknown option %q: the propagation changes are --make-shared, --make-private, --make-slave, --make-unbindable and their --make-r... forms", a)
			}
			flags |= f
		case strings.HasPrefix(a, "-"):
			return nil, result.Usagef(mountUsage, "unknown option %q", a)
		default:
			pos = append(pos, a)
		}
	}
	if moveInto != "" {
		if len(pos) != 1 || fstype != "" || opts != "" || flags != 0 {
			return nil, result.Usagef(mountUsage, "--move-into takes a box and one PATH, such as `mount --move-into box2 /mnt` (and --rec for the mounts below it)")
		}
		return s.mountMoveInto(moveInto, pos[0], rec)
	}
	if rec {
		if flags&propagation == 0 {
			return nil, result.Usagef(mountUsage, "--rec modifies a propagation change (`mount --make-shared --rec PATH` is --make-rshared); for a recursive bind use --rbind")
		}
		flags |= mount.Rec
	}
	if len(pos) == 1 && flags&propagation != 0 && fstype == "" {
		pos = []string{"none", pos[0]} // mount --make-shared /mnt: mount(8) passes "none"
	}
	if len(pos) != 2 {
		return nil, result.Usagef(mountUsage, "give a SOURCE and a TARGET, such as `mount -t proc proc /proc`")
	}
	f, data := mount.ParseOptions(opts)
	flags |= f
	src, dst := pos[0], pos[1]
	if data != "" && flags&(mount.Bind|propagation) != 0 {
		return nil, result.Usagef(mountUsage, "%q: not a mount(8) flag, and a bind mount or a propagation change takes no filesystem options (the kernel ignores mount(2)'s data then, so hood does not pass it); the flags are ro, nosuid, nodev, noexec, noatime, relatime", data)
	}
	if fstype == "" && flags&(mount.Bind|propagation) == 0 {
		return nil, result.Usagef(mountUsage, "say which filesystem with -t TYPE (proc, tmpfs, sysfs, ...), or --bind, or a propagation change such as --make-shared")
	}
	b, err := s.box()
	if err != nil {
		return nil, err
	}
	mine, host, err := s.linksAndHost(b.PID)
	if err != nil {
		return nil, err
	}
	if err := s.ownMount(b, mine, host, "this mount would change the host's own mount table"); err != nil {
		return nil, err
	}
	before := -1 // processes the box's proc lists, for a proc mount
	if fstype == "proc" {
		before = s.ProcsSeen(b)
	}
	views := s.mountViews(b, mine, host)
	tables := s.mountTables(views)
	r := &result.Result{}
	inside := false
	if err := sharedWithHost(s.Proc(), tables[b.Name], s.HoodPID, dst); err != nil {
		return nil, err
	}
	if !filepath.IsAbs(dst) || filepath.Clean(dst) != dst {
		// Relative to the box's working directory, or with .. in it: hood
		// cannot tell which mount it lands under, so none may reach the host.
		if shared, err := hostShared(s.Proc(), tables[b.Name], s.HoodPID); err != nil {
			return nil, err
		} else if len(shared) > 0 {
			return nil, &result.UsageError{Msg: fmt.Sprintf("%q is not a clean absolute path, and %s's mount at %s is shared with the host: hood cannot tell where the mount would land, so it does not make it. Give the target as an absolute path.", dst, b.Name, shared[0].Mountpoint)}
		}
	}
	if init := s.childInit(b, mine); init > 0 && mine["pid_for_children"] != mine["pid"] {
		// From inside the new PID namespace, so a proc mount shows it.
		p, err := b.RunProbe("mount", src, dst, fstype, strconv.FormatUint(uint64(flags), 10), data)
		if err != nil {
			return nil, err
		}
		r.Add(p.Fork)
		c := p.Made(fmt.Sprintf("a helper in %s's PID namespace (PID %d there, %d on the host)", b.Name, p.PID, p.HostPID),
			"mount", box.MountArgs(src, dst, fstype, flags, data)...)
		r.Add(c)
		inside = true
	} else {
		c, err := b.Mount(src, dst, fstype, flags, data)
		if err != nil {
			return nil, err
		}
		r.Add(c)
	}
	last := r.Syscalls[len(r.Syscalls)-1]
	if last.Failed() {
		return r, s.mountErr(b, last, fstype, data, flags, src, dst)
	}
	if flags&mount.Bind != 0 && flags&unix.MS_RDONLY != 0 && flags&unix.MS_REMOUNT == 0 {
		// The kernel makes a new bind mount with the source's flags and
		// ignores MS_RDONLY; mount(8) follows with a remount, as here.
		c, err := b.Mount("none", dst, "", uintptr(unix.MS_REMOUNT|unix.MS_BIND|unix.MS_RDONLY), "")
		if err != nil {
			return r, err
		}
		r.Add(c)
		if c.Failed() {
			return r, kernelErr(c, "mount")
		}
		r.Say("ro", "a new bind mount takes the flags of its source and the kernel ignores MS_RDONLY there; mount(8) then remounts it read-only (MS_REMOUNT|MS_BIND|MS_RDONLY), and so did %s", b.Name)
	}
	after := s.mountTables(views)
	if m := procfs.TopAt(after[b.Name], dst); m != nil {
		r.Say("mountinfo", "%s", mountinfoLine(m))
	}
	if flags&propagation != 0 {
		r.Changes = append(r.Changes, propagationChanges(tables[b.Name], after[b.Name])...)
	}
	if before >= 0 {
		if after := s.ProcsSeen(b); after >= 0 {
			r.Changes = append(r.Changes, result.Change{Path: dst + " (processes listed)", Before: strconv.Itoa(before), After: strconv.Itoa(after)})
		}
	}
	shell := []string{"mount"}
	if fstype != "" {
		shell = append(shell, "-t", fstype)
	}
	if opts != "" {
		shell = append(shell, "-o", opts)
	}
	if flags&mount.Bind != 0 && flags&mount.Rec != 0 && !strings.Contains(opts, "bind") {
		shell = append(shell, "--rbind")
	} else if flags&mount.Bind != 0 && !strings.Contains(opts, "bind") {
		shell = append(shell, "--bind")
	}
	r.Shell = strings.Join(append(shell, src, dst), " ")
	if flags&propagation != 0 && fstype == "" && flags&mount.Bind == 0 {
		r.Shell = "mount " + makeFlag(flags) + " " + dst
		r.Meaning = propagationMeaning(b, dst, after[b.Name], flags)
		return r, nil
	}
	// Look where it went before saying: under a shared mount it propagates
	// to the peers, in other boxes' tables and under bind mounts of it.
	if where := propagated(b, dst, tables, after); len(where) > 0 {
		r.Say("also", "%s", strings.Join(where, "; "))
		r.Meaning = fmt.Sprintf("The mount propagated: besides %s in %s's table it appeared in %s, because the mount it was made on propagates there: it is shared with those mounts (a peer group, shared:N in mountinfo) or they are its slaves (master:N).", dst, b.Name, strings.Join(where, ", "))
	} else {
		r.Meaning = fmt.Sprintf("The mount is in %s's own mount table only: no other box's table and not the host's changed.", b.Name)
	}
	if fstype == "proc" && inside {
		r.Meaning += " This proc was mounted from inside the new PID namespace, so it lists that namespace's processes only."
	} else if fstype == "proc" {
		r.Meaning += fmt.Sprintf(" A proc shows the PID namespace of the process that mounts it: %s's own, here.", b.Name)
		if mine["pid"] == host["pid"] {
			r.Meaning += " That is the host's PID namespace: this proc lists every process on the machine, and /proc/PID/root of any of them leads to the host's files, whatever the box's own root is; runtimes mount proc only in a PID namespace of the box's own."
		}
	}
	return r, nil
}

// liveInit returns the host PID of the box's live PID 1 (unshare pid
// --fork), or 0.
func (s *Session) liveInit(b *box.Box) int {
	for i := len(b.Inits) - 1; i >= 0; i-- {
		if s.Proc().Alive(b.Inits[i]) {
			return b.Inits[i]
		}
	}
	return 0
}

// childInit is the box's live PID 1 of the PID namespace its next child
// is born in (after `enter PID pid` an older PID 1 may be of another), or 0.
func (s *Session) childInit(b *box.Box, mine links) int {
	init := s.liveInit(b)
	if init == 0 {
		return 0
	}
	if l, err := s.links(init); err != nil || l["pid"] != mine["pid_for_children"] {
		return 0
	}
	return init
}

// sharedWithHost refuses a mount on a mount point whose peer group the host
// is also in (propagation shared): the new mount would appear on the host.
// table is the box's mount table.
func sharedWithHost(proc procfs.FS, table []*mountinfo.Info, hood int, target string) error {
	m := procfs.MountOf(table, target)
	if m == nil {
		return nil
	}
	for _, group := range procfs.PeerGroups(m) {
		peers, err := proc.Mountinfo(hood, procfs.InPeerGroup(group))
		if err != nil {
			return err
		}
		if len(peers) > 0 {
			return &result.UsageError{Msg: fmt.Sprintf("%s is on the mount %s, which is shared with the host's mount table (peer group %s, as %s on the host): a mount here would appear on the host too, so hood does not make it. Run `unshare mnt` (propagation private, the default) in a new box, or mount somewhere that is not shared.", target, m.Mountpoint, group, peers[0].Mountpoint)}
		}
	}
	return nil
}

// LiveInit is liveInit for the lab checks.
func (s *Session) LiveInit(b *box.Box) int { return s.liveInit(b) }

// ProcsSeen counts the processes listed in the /proc that the box's PID 1
// sees (through its root), or -1 when it has none.
func (s *Session) ProcsSeen(b *box.Box) int {
	init := s.liveInit(b)
	if init == 0 {
		return -1
	}
	pids, err := s.Proc().Via(init).PIDs()
	if err != nil {
		return -1
	}
	return len(pids)
}

// mountinfoLine is a mount as its line in /proc/PID/mountinfo reads, with
// "(no propagation)" where the optional fields are empty:
//
//	36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw
//	(1)(2)(3)   (4)   (5)      (6)      (7)   (8) (9)   (10)     (11)
func mountinfoLine(m *mountinfo.Info) string {
	optional := m.Optional
	if optional == "" {
		optional = "(no propagation)"
	}
	return fmt.Sprintf("%d %d %d:%d %s %s %s %s - %s %s %s", m.ID, m.Parent, m.Major, m.Minor, m.Root, m.Mountpoint, m.Options, optional, m.FSType, m.Source, m.VFSOptions)
}
