package commands

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"hood/internal/box"
	"hood/internal/journal"
	"hood/internal/kernel/call"
	"hood/internal/kernel/cgroup"
	"hood/internal/kernel/mount"
	"hood/internal/kernel/ns"
	"hood/internal/result"
)

// Pins live in a process hood keeps only for them, the pin holder, in a
// mount namespace of its own with a tmpfs on /run: a pin is a bind mount
// there, reachable from the host as /proc/HOLDER/root/run/NAME. When hood
// ends, even by SIGKILL, the holder dies with it (PR_SET_PDEATHSIG), its
// mount namespace goes, and the pins with it: nothing is left on the host.
const pinDir = "/run"

// Pin is a namespace kept alive by a bind mount of its /proc/PID/ns file.
type Pin struct {
	Path  string
	Label string // "box1's net"
	Inode uint64
	Type  string
	FD    int // >0: held by this open descriptor of the pin holder, not a bind mount
}

func init() {
	register(
		&Command{UsageLine: "ns info TARGET TYPE", Short: "ask the kernel about a namespace with ioctl(2): its type, owner, parent",
			Long: `hood opens /proc/TARGET/ns/TYPE (or a pinned namespace file given as a
path) and asks the kernel about it with the ioctl_ns(2) requests:
NS_GET_NSTYPE (which CLONE_NEW* type it is), NS_GET_USERNS (the user
namespace that owns it), NS_GET_PARENT (pid and user namespaces are nested)
and NS_GET_OWNER_UID (who created a user namespace).`,
			Args: []Arg{ArgTarget, ArgNSType}, Run: nsInfo},
		&Command{UsageLine: "ns pin TARGET TYPE", Short: "keep a namespace alive with a bind mount of its /proc/PID/ns file (as ip netns add does)",
			Long: `A namespace lives while something holds it: a process in it, an open file
descriptor, or a bind mount of its /proc/PID/ns file. hood bind-mounts the
file in the mount namespace of a process hood keeps for pins (the path is
shown as /proc/HOLDER/root/run/NAME) and removes it when you unpin it or
leave hood. enter accepts the pinned path as its target.`,
			Args: []Arg{ArgTarget, ArgNSType}, Run: nsPin},
		&Command{UsageLine: "ns unpin PATH|all", Short: "remove a pin made by ns pin (umount and delete the file)", Run: nsUnpin},
	)
}

// nsFile resolves TARGET TYPE, or a single absolute path, to a namespace file.
func (s *Session) nsFile(usage string, args []string) (path, label string, t ns.Type, err error) {
	if len(args) == 1 && strings.HasPrefix(args[0], "/") {
		return args[0], args[0], ns.Type{}, nil
	}
	if len(args) != 2 {
		return "", "", ns.Type{}, result.Usagef(usage, "name a target and one namespace type, such as `box1 net`")
	}
	tg, err := s.resolve(args[0])
	if err != nil {
		return "", "", ns.Type{}, err
	}
	t, ok := ns.Lookup(args[1])
	if !ok {
		return "", "", ns.Type{}, result.Usagef(usage, "unknown namespace type %q: the types are %s", args[1], strings.Join(ns.Names(), " "))
	}
	return fmt.Sprintf("%s/%d/ns/%s", s.ProcRoot, tg.PID, t.Name), tg.Label + "'s " + t.Name, t, nil
}

func nsInfo(s *Session, args []string) (*result.Result, error) {
	path, label, _, err := s.nsFile("ns info TARGET TYPE", args)
	if err != nil {
		return nil, err
	}
	info, err := ns.Inspect(path)
	if err != nil {
		return nil, err
	}
	r := &result.Result{}
	r.Add(info.Open)
	for _, c := range info.Calls {
		r.Add(c.Call)
	}
	if info.Type.Name == "" {
		return r, kernelErr(info.Calls[0].Call, "ioctl")
	}
	r.Say("namespace", "%s:[%d], %s (%s = %#x)", info.Type.Name, info.Inode, label, info.Type.FlagName, info.Type.Flag)
	for _, c := range info.Calls[1:] {
		switch {
		case c.Op == "NS_GET_USERNS" && !c.Failed():
			r.Say("owner", "user:[%d] owns it: capabilities over it count in that user namespace", c.Value)
		case c.Op == "NS_GET_USERNS":
			r.Say("owner", "%s: none that hood may see (the initial user namespace has no owner; for a user namespace the owner is its parent)", c.Call.ErrName())
		case c.Op == "NS_GET_PARENT" && !c.Failed():
			r.Say("parent", "%s:[%d]", info.Type.Name, c.Value)
		case c.Op == "NS_GET_PARENT":
			r.Say("parent", "%s: no parent within hood's reach: this is the initial %s namespace, which has none, or its parent lies outside hood's own", c.Call.ErrName(), info.Type.Name)
		case c.Op == "NS_GET_OWNER_UID" && !c.Failed():
			r.Say("owner uid", "%d: the effective uid of the process that created this user namespace (0 for the initial one)", c.Value)
		}
	}
	r.Shell = "lsns -o NS,TYPE,PATH,NSFS,PNS,ONS  # PNS and ONS: parent and owner, from the same ioctls"
	r.Meaning = "A namespace file descriptor is a handle the kernel can answer questions about: this is how lsns finds parents and owners, and how a program learns what type of namespace it was given."
	return r, nil
}

func nsPin(s *Session, args []string) (*result.Result, error) {
	path, label, t, err := s.nsFile("ns pin TARGET TYPE", args)
	if err != nil {
		return nil, err
	}
	if t.Name == "" {
		return nil, result.Usagef("ns pin TARGET TYPE", "name a box or PID and a type, such as `ns pin box1 net`")
	}
	ino, err := ns.ReadInode(s.ProcRoot, targetPID(path), t.Name)
	if err != nil {
		return nil, err
	}
	for _, p := range s.Pins {
		if p.Inode == ino && p.Type == t.Name {
			return nil, &result.UsageError{Msg: fmt.Sprintf("%s:[%d] is already pinned at %s", t.Name, ino, p.Path)}
		}
	}
	r := &result.Result{}
	holder, err := s.pinHolder(r)
	if err != nil {
		return r, err
	}
	name := strings.ReplaceAll(strings.TrimSuffix(label, "'s "+t.Name), " ", "") + "." + t.Name
	inside := pinDir + "/" + name
	dst := fmt.Sprintf("%s/%d/root%s", s.ProcRoot, holder.PID, inside)
	made, err := call.Create("hood", s.HoodPID, dst, 0o444)
	r.Add(made...)
	if err != nil {
		return r, err
	}
	m, err := holder.Mount(path, inside, "", msBind, "")
	if err != nil {
		return r, err
	}
	m.Who = "pin holder"
	r.Add(m)
	if m.Failed() {
		c, _ := call.Unlink("hood", s.HoodPID, dst)
		r.Add(c)
		if t.Name == "mnt" && m.ErrName() == "EINVAL" {
			return s.pinByFD(r, holder, path, label, ino, m)
		}
		return r, kernelErr(m, "mount")
	}
	s.Pins = append(s.Pins, Pin{Path: dst, Label: label, Inode: ino, Type: t.Name})
	r.Say("pinned", "%s:[%d] at %s", t.Name, ino, dst)
	r.Shell = fmt.Sprintf("touch %s && mount --bind %s %s  # as ip netns add does under /run/netns", inside, path, inside)
	r.Meaning = fmt.Sprintf("The bind mount holds %s:[%d]: it stays alive after every process in it has gone, and `enter %s` joins it again. ip netns add keeps network namespaces under /run/netns the same way; hood keeps its pins in the pin holder's own mount namespace, so they go when hood does.", t.Name, ino, dst)
	return r, nil
}

// pinByFD holds a mount namespace the kernel would not bind-mount into the
// pin holder's (EINVAL: a bind of a mount namespace file is refused unless
// the kernel counts the binder's own mount namespace as the older one, to
// prevent loops) by an open descriptor in the pin holder instead: a
// namespace lives while any descriptor of it is open.
func (s *Session) pinByFD(r *result.Result, holder *box.Box, path, label string, ino uint64, refused result.Syscall) (*result.Result, error) {
	const flags = unix.O_RDONLY | unix.O_CLOEXEC
	c, err := holder.Open(path, flags)
	if err != nil {
		return r, err
	}
	c.Who = "pin holder"
	r.Add(c)
	if c.Failed() {
		return r, kernelErr(refused, "mount of a mount namespace")
	}
	fd := int(c.Ret)
	dst := fmt.Sprintf("%s/%d/fd/%d", s.ProcRoot, holder.PID, fd)
	s.Pins = append(s.Pins, Pin{Path: dst, Label: label, Inode: ino, Type: "mnt", FD: fd})
	r.Say("pinned", "mnt:[%d] by the pin holder's descriptor %d: %s", ino, fd, dst)
	r.Shell = fmt.Sprintf("exec %d<%s  # a shell holds a namespace open the same way", fd, path)
	r.Meaning = fmt.Sprintf("The kernel would not bind-mount this mount namespace into the pin holder's (EINVAL above: it binds a mount namespace file only into a mount namespace it counts as older, so that namespaces cannot hold each other in a loop). An open descriptor holds it just as well: mnt:[%d] stays alive while the pin holder keeps descriptor %d open, and `enter %s` joins it.", ino, fd, dst)
	return r, nil
}

// targetPID extracts the PID from /proc/PID/ns/TYPE.
func targetPID(path string) int {
	parts := strings.Split(path, "/")
	if len(parts) >= 3 {
		if pid, err := strconv.Atoi(parts[len(parts)-3]); err == nil {
			return pid
		}
	}
	return 0
}

func nsUnpin(s *Session, args []string) (*result.Result, error) {
	if len(args) != 1 {
		return nil, result.Usagef("ns unpin PATH|all", "name one pinned path, or all")
	}
	r := &result.Result{}
	found := false
	for _, p := range append([]Pin(nil), s.Pins...) {
		if args[0] != "all" && args[0] != p.Path {
			continue
		}
		found = true
		r.Add(s.unpin(p)...)
	}
	if !found {
		var have []string
		for _, p := range s.Pins {
			have = append(have, p.Path)
		}
		if len(have) == 0 {
			have = []string{"none"}
		}
		return nil, &result.UsageError{Msg: fmt.Sprintf("%q is not a pin of this hood; pins: %s", args[0], strings.Join(have, ", "))}
	}
	r.Meaning = "Without the mount, the namespace lives only as long as a process or an open file holds it."
	return r, nil
}

// unpin detaches and deletes one pin.
func (s *Session) unpin(p Pin) []result.Syscall {
	var calls []result.Syscall
	if s.pins != nil && p.FD > 0 {
		if c, err := s.pins.Close(p.FD, p.Path); err == nil {
			c.Who = "pin holder"
			calls = append(calls, c)
		}
	} else if s.pins != nil {
		if c, err := s.pins.Umount(pinDir + "/" + filepath.Base(p.Path)); err == nil {
			c.Who = "pin holder"
			calls = append(calls, c)
		}
	}
	if p.FD == 0 {
		c, _ := call.Unlink("hood", s.HoodPID, p.Path)
		calls = append(calls, c)
	}
	for i, q := range s.Pins {
		if q.Path == p.Path {
			s.Pins = append(s.Pins[:i], s.Pins[i+1:]...)
			break
		}
	}
	return calls
}

// unpinAll ends the pin holder: its mount namespace, and every pin in it,
// goes with it.
func (s *Session) unpinAll() {
	if s.pins != nil {
		if s.pins.Kill() == nil {
			journal.Done(journal.Pins, s.pinsMark)
		}
		s.pins = nil
	}
	s.Pins = nil
}

// pinHolder starts the pin holder on first use: a process of hood's that
// only holds pins, in its own mount namespace with a tmpfs on /run.
func (s *Session) pinHolder(r *result.Result) (*box.Box, error) {
	if s.pins != nil {
		return s.pins, nil
	}
	h, err := box.Start("hood-pins")
	if err != nil {
		return nil, err
	}
	// Journaled before the first pin is made in it: should it outlive a
	// hood killed with SIGKILL, the next hood ends it.
	s.pinsMark = cgroup.Token(h.PID)
	journal.Will(journal.Pins, s.pinsMark)
	var steps []func() (result.Syscall, error)
	if s.userns != nil {
		// Without root the holder's mount namespace must belong to the
		// session's user namespace, like every box's.
		steps = append(steps, func() (result.Syscall, error) {
			return h.Setns(fmt.Sprintf("/proc/%d/fd/%d", os.Getpid(), s.userns.fd), unix.CLONE_NEWUSER)
		})
	}
	steps = append(steps, []func() (result.Syscall, error){
		func() (result.Syscall, error) { return h.Unshare(uintptr(mount.NewNS)) },
		func() (result.Syscall, error) { return h.Mount("none", "/", "", mount.Rec|mount.Private, "") },
		func() (result.Syscall, error) {
			return h.Mount("tmpfs", pinDir, "tmpfs", mount.NoSuid|mount.NoDev|mount.NoExec, "mode=755,size=1100m")
		},
	}...)
	for _, step := range steps {
		c, err := step()
		if err == nil && c.Failed() {
			err = kernelErr(c, "mount")
		}
		if err != nil {
			if h.Kill() == nil {
				journal.Done(journal.Pins, s.pinsMark)
			}
			return nil, fmt.Errorf("starting the pin holder: %w", err)
		}
		c.Who = fmt.Sprintf("pin holder %d", h.PID)
		r.Add(c)
	}
	s.pins = h
	return h, nil
}

// PinDir is where pins are, as seen from the host ("" before the first).
func (s *Session) PinDir() string {
	if s.pins == nil {
		return ""
	}
	return fmt.Sprintf("%s/%d/root%s", s.ProcRoot, s.pins.PID, pinDir)
}
