package commands

import (
	"errors"
	"fmt"
	"os"
	osexec "os/exec"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"hood/internal/box"
	"hood/internal/kernel/call"
	"hood/internal/kernel/netdev"
	"hood/internal/kernel/ns"
	"hood/internal/result"
	"hood/internal/rootless"
)

// userNS is the user namespace hood made for its boxes because it runs
// without root. One namespace serves the whole session: it owns every
// namespace the boxes create, so one box may setns(2) into another's (which
// needs CAP_SYS_ADMIN in the user namespace that owns the target) and two
// boxes can share a veth; a namespace per box would wall them apart. hood
// holds it by a descriptor, so it lives on when the box that made it ends.
type userNS struct {
	fd     int    // hood's descriptor of /proc/PID/ns/user
	link   string // "user:[4026532xxx]"
	holder string // the box that unshared it
	plan   rootless.Plan
}

// Rootless reports whether this session runs its boxes in a user namespace
// of its own (hood is not real root).
func (s *Session) Rootless() bool { return s.userns != nil || rootless.Active() }

// NoUserNS is why a session without root has no user namespace ("" when
// it has one, or runs as root).
func (s *Session) NoUserNS() string { return s.noUserNS }

// UserNSLink is the user namespace hood made for its boxes ("" as root).
func (s *Session) UserNSLink() string {
	if s.userns == nil {
		return ""
	}
	return s.userns.link
}

// intoUserNS puts a new box in the session's user namespace: the first box
// unshares it and hood writes its maps; later boxes join it.
func (s *Session) intoUserNS(b *box.Box, r *result.Result) error {
	if s.userns != nil {
		c, err := b.Setns(fmt.Sprintf("/proc/%d/fd/%d", os.Getpid(), s.userns.fd), unix.CLONE_NEWUSER)
		if err != nil {
			return err
		}
		r.Add(c)
		if c.Failed() {
			return kernelErr(c, "setns")
		}
		r.Say(b.Name, "joined %s, the user namespace %s made for this session", s.userns.link, s.userns.holder)
		return nil
	}
	c, err := b.Unshare(unix.CLONE_NEWUSER)
	if err != nil {
		return err
	}
	r.Add(c)
	if c.Failed() {
		return withWhy(&result.KernelError{Call: c.Text(), Errno: c.Errno, ErrName: c.ErrName()}, "rootless unshare")
	}
	u := &userNS{fd: -1, holder: b.Name, plan: rootless.MakePlan()}
	if err := s.writeMaps(b, u.plan, r); err != nil {
		return err
	}
	path := fmt.Sprintf("%s/%d/ns/user", s.ProcRoot, b.PID)
	const flags = unix.O_RDONLY | unix.O_CLOEXEC
	fd, err := unix.Openat(unix.AT_FDCWD, path, flags, 0)
	r.Add(call.New("hood", os.Getpid(), "openat", int64(fd), err, call.Cwd(), call.S(path), call.F(flags, "O_RDONLY|O_CLOEXEC")))
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	u.fd = fd
	u.link, _ = os.Readlink(path)
	s.userns = u
	r.Say("user ns", "%s, made by %s and held open by hood (fd %d): every box of this session is in it", u.link, b.Name, fd)
	if u.plan.SubUID == nil {
		r.Say("ids", "%s", u.plan.Why)
	}
	return nil
}

// writeMaps maps the user's own uid and gid to 0: hood writes setgroups,
// uid_map and gid_map itself (an unprivileged writer may map only its own
// IDs, and must deny setgroups first), or, with a subordinate range and
// the helpers installed, newuidmap and newgidmap write both lines.
func (s *Session) writeMaps(b *box.Box, p rootless.Plan, r *result.Result) error {
	if p.NewUIDMap != "" {
		for _, h := range []struct {
			prog, file string
			own        int
			rng        rootless.Range
		}{{p.NewUIDMap, "uid_map", p.UID, *p.SubUID}, {p.NewGIDMap, "gid_map", p.GID, *p.SubGID}} {
			path := fmt.Sprintf("%s/%d/%s", s.ProcRoot, b.PID, h.file)
			before := shownFile(path)
			args := rootless.Args(b.PID, h.own, h.rng)
			out, err := osexec.Command(h.prog, args...).CombinedOutput()
			line := h.prog + " " + strings.Join(args, " ")
			if err != nil {
				return fmt.Errorf("%s: %v: %s", line, err, strings.TrimSpace(string(out)))
			}
			r.Say(h.file, "written by %s (setuid root: it checks /etc/sub%sid first)", line, h.file[:1])
			r.Changes = append(r.Changes, result.Change{Path: path, Before: before, After: shownFile(path)})
		}
		r.Shell = "unshare --user --map-user=0 --map-group=0 --map-users=auto --map-groups=auto"
		return nil
	}
	for _, w := range []idWrite{{"setgroups", "deny"}, {"uid_map", fmt.Sprintf("0 %d 1", p.UID)}, {"gid_map", fmt.Sprintf("0 %d 1", p.GID)}} {
		pw, err := ns.WriteProc(s.ProcRoot, b.PID, w.file, w.content)
		r.Add(pw.Calls...)
		if err != nil {
			return callsErr(pw.Calls, err, "procfile")
		}
		r.Changes = append(r.Changes, result.Change{Path: pw.Path, Before: pw.Before, After: pw.After})
	}
	r.Shell = "unshare --user --map-root-user"
	return nil
}

func shownFile(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "(unreadable)"
	}
	if s := strings.Join(strings.Fields(string(b)), " "); s != "" {
		return s
	}
	return "(empty)"
}

func (s *Session) closeUserNS() {
	if s.userns != nil && s.userns.fd >= 0 {
		_ = unix.Close(s.userns.fd)
	}
	s.userns = nil
}

// nsCapability is the capability the kernel checks, in the caller's user
// namespace, for each call a box makes that plain users may not.
var nsCapability = map[string]string{
	"unshare": "CAP_SYS_ADMIN", "setns": "CAP_SYS_ADMIN", "mount": "CAP_SYS_ADMIN",
	"umount2": "CAP_SYS_ADMIN", "pivot_root": "CAP_SYS_ADMIN", "sethostname": "CAP_SYS_ADMIN",
	"setdomainname": "CAP_SYS_ADMIN", "open_tree": "CAP_SYS_ADMIN", "move_mount": "CAP_SYS_ADMIN",
	"chroot": "CAP_SYS_CHROOT", "setresuid": "CAP_SETUID", "setresgid": "CAP_SETGID",
	"setgroups": "CAP_SETGID",
}

// rootlessNote adds, once per command, which of its calls succeeded only
// because the box holds capabilities in hood's user namespace: the one
// place that says so, for every command.
func (s *Session) rootlessNote(res *result.Result) {
	if s.userns == nil || res == nil {
		return
	}
	var names, capsUsed []string
	who, pid := "", 0
	seen := map[string]bool{}
	for _, c := range res.Syscalls {
		// hood's own write of a box's timens_offsets: the kernel checks
		// CAP_SYS_TIME over the time namespace's owner, and hood has every
		// capability over the user namespace it made, as its owner (same
		// uid, in the parent namespace: user_namespaces(7)).
		if c.Name == "write" && c.PID == os.Getpid() && !c.Failed() && len(c.Args) > 0 && strings.HasSuffix(c.Args[0].Str, "/timens_offsets") {
			res.Say("rootless", "hood's write of timens_offsets succeeded with CAP_SYS_TIME over %s, which hood holds as the namespace's owner (its uid, from the parent namespace), not over the host's", s.userns.link)
		}
		cp, ok := nsCapability[c.Name]
		if !ok || c.Failed() || c.Lib || c.Who == "hood" || c.PID == os.Getpid() {
			continue
		}
		// unshare(CLONE_NEWUSER) alone needs no capability at all.
		if c.Name == "unshare" && len(c.Args) > 0 && c.Args[0].Int == unix.CLONE_NEWUSER {
			continue
		}
		if who == "" {
			who, pid = c.Who, c.PID
		}
		if !seen[c.Name] {
			names = append(names, c.Name)
			seen[c.Name] = true
		}
		if !seen[cp] {
			capsUsed = append(capsUsed, cp)
			seen[cp] = true
		}
	}
	if len(names) == 0 {
		return
	}
	uid, _ := procIDs(s.Proc(), pid)
	where := fmt.Sprintf("%s's user namespace (%s)", s.userns.holder, s.userns.link)
	if l, err := s.links(pid); err == nil && strings.HasPrefix(l["user"], "user:[") && l["user"] != s.userns.link {
		where = fmt.Sprintf("%s's own user namespace (%s, below %s, the one hood made)", who, l["user"], s.userns.link)
	}
	res.Say("rootless", "%s succeeded with %s in %s, not the host's: to the host, %s is uid %d",
		strings.Join(names, ", "), strings.Join(capsUsed, ", "), where, who, uid)
}

// boxIDs are the box's effective uid and gid as it sees them, in its own
// user namespace (its /proc/self/status); hood's view of them when the box
// cannot say.
func boxIDs(b *box.Box) (uid, gid int) {
	uid, gid = os.Geteuid(), os.Getegid()
	data, err := b.ReadFile("/proc/self/status")
	if err != nil {
		return uid, gid
	}
	for _, l := range strings.Split(string(data), "\n") {
		f := strings.Fields(l)
		if len(f) >= 3 && (f[0] == "Uid:" || f[0] == "Gid:") {
			n, err := strconv.Atoi(f[2])
			if err != nil {
				continue
			}
			if f[0] == "Uid:" {
				uid = n
			} else {
				gid = n
			}
		}
	}
	return uid, gid
}

// selfWrite is one of idMaps' writes made by the box itself on
// /proc/self: the kernel takes a map from a process in the namespace or in
// its parent, and without root hood is in neither.
func (u *unshareRun) selfWrite(w idWrite) error {
	path := fmt.Sprintf("%s/%d/%s", u.s.ProcRoot, u.b.PID, w.file)
	before := shownFile(path)
	calls, err := u.b.WriteFile("/proc/self/"+w.file, w.content)
	if err != nil {
		return err
	}
	u.r.Add(calls...)
	for _, c := range calls {
		if c.Failed() {
			return kernelErr(c, "procfile")
		}
	}
	u.r.Changes = append(u.r.Changes, result.Change{Path: path, Before: before, After: shownFile(path)})
	return nil
}

// rootlessErr says, for the errors that come from hood's own lack of
// root rather than the box's, why a user namespace does not help: the one
// place that says it, for every net command.
func (s *Session) rootlessErr(err error) error {
	if err == nil || s.userns == nil {
		return err
	}
	if strings.Contains(err.Error(), "netlink socket in") {
		return &result.UsageError{Msg: fmt.Sprintf("%v\n  why: hood runs as uid %d, and reaches a network namespace without root only through a netlink socket a box opens inside it; this namespace is no box's, and setns(2) into it needs CAP_SYS_ADMIN in the host's user namespace\n  fix: name a box (`box ls`), or start hood with sudo", err, os.Geteuid())}
	}
	var ke *result.KernelError
	if errors.As(err, &ke) && ke.ErrName == "EPERM" && strings.HasPrefix(ke.Call, `mount("proc"`) {
		ke.Meaning = "in a user namespace the kernel mounts a new proc only where a proc is already fully visible in the same mount namespace, with nothing mounted over parts of it (mount_too_revealing in fs/namespace.c); after pivot_root has detached the host's /proc there is none"
		ke.Fix = "mount it before pivot_root detaches the old root, on the new root's proc directory: `mount -t proc proc ROOTFS/proc` from the box in its new mount and PID namespaces, then `pivot_root NAME`; rootless runtimes do the same"
	}
	if errors.As(err, &ke) && ke.ErrName == "EPERM" && strings.HasPrefix(ke.Call, "RTM_") {
		ke.Meaning = fmt.Sprintf("hood runs as uid %d: the host's network namespace belongs to the host's user namespace, where neither hood nor its boxes hold CAP_NET_ADMIN (their capabilities count over %s and what it owns)", os.Geteuid(), s.userns.link)
		ke.Fix = "join two boxes instead, each with `unshare net`: from one, `net veth A B --peer OTHERBOX`; or start hood with sudo for the host's end"
	}
	return err
}

// withoutUserNS is the fallback when the first box could not make the
// session's user namespace (user namespaces off, AppArmor, a seccomp
// profile): the box, which may be in a namespace left unmapped, is
// replaced by a new one in the host's, and the session stays without.
func (s *Session) withoutUserNS(b *box.Box, name string, r *result.Result, why error) (*box.Box, error) {
	s.noUserNS = why.Error()
	calls, _ := b.KillCalls()
	r.Add(calls...)
	nb, err := box.Start(name)
	if err != nil {
		return nil, err
	}
	r.Add(nb.Started)
	r.Say("rootless", "unavailable: %v", why)
	r.Say(name, "PID %d, in the host's namespaces as uid %d, with no capabilities: most namespace types will be refused (EPERM)", nb.PID, os.Geteuid())
	r.Meaning = "hood runs without root and could not give its boxes a user namespace, so they are ordinary processes of uid " + strconv.Itoa(os.Geteuid()) + ": start hood with sudo, or allow unprivileged user namespaces (see the why above)."
	return nb, nil
}

// netBox is, without root, a box in the network namespace of pid, through
// which hood reaches that namespace (netNSFrom); nil as root, or when no
// box is there (the host's namespace stays out of reach, as it should).
func (s *Session) netBox(pid int) *box.Box {
	if s.userns == nil {
		return nil
	}
	want, err := s.links(pid)
	if err != nil || want["net"] == "" {
		return nil
	}
	host, _ := s.hostLinks()
	if want["net"] == host["net"] {
		return nil
	}
	for _, b := range s.Boxes {
		if l, err := s.links(b.PID); err == nil && l["net"] == want["net"] {
			return b
		}
	}
	return nil
}

// netNSFrom opens pid's network namespace through box b, which is in it:
// b opens the NETLINK_ROUTE socket and hood takes a copy with
// pidfd_getfd(2). hood may not setns(2) there itself without root, but
// the kernel lets it send on the socket: it checks CAP_NET_ADMIN in the
// namespace's user namespace for the socket's opener (b) and for the
// sender (hood, that user namespace's owner).
func (s *Session) netNSFrom(b *box.Box, pid int, label string) (*netdev.NS, error) {
	c, err := b.NetlinkSocket()
	if err != nil {
		return nil, err
	}
	s.netCalls = append(s.netCalls, c)
	if c.Failed() {
		return nil, kernelErr(c, "socket")
	}
	fd := int(c.Ret)
	mine, calls := b.CopyFd(fd, "netlink socket of "+b.Name)
	s.netCalls = append(s.netCalls, calls...)
	cl, cerr := b.Close(fd, "netlink socket")
	if cerr == nil {
		s.netCalls = append(s.netCalls, cl)
	}
	if mine < 0 {
		return nil, kernelErr(calls[len(calls)-1], "pidfd_getfd")
	}
	return netdev.OpenSocket(s.ProcRoot, pid, label, mine)
}

// withNetCalls puts in res the calls that handed hood netlink sockets from
// inside boxes during the command (quiet: full narration shows them), and
// says once why hood works that way without root.
func (s *Session) withNetCalls(res *result.Result) *result.Result {
	if len(s.netCalls) == 0 {
		return res
	}
	if res == nil {
		res = &result.Result{}
	}
	calls := make([]result.Syscall, 0, len(s.netCalls)+len(res.Syscalls))
	for _, c := range s.netCalls {
		c.Quiet = true
		calls = append(calls, c)
	}
	res.Syscalls = append(calls, res.Syscalls...)
	if s.netTold {
		res.Say("rootless", "hood's netlink socket came from %s (socket(2) there, pidfd_getfd(2) here)", s.netCalls[0].Who)
	} else {
		res.Say("rootless", "hood's netlink socket was opened by %s, inside its network namespace, and handed to hood with pidfd_getfd(2): hood may not setns(2) there without CAP_SYS_ADMIN in the host's user namespace, but the kernel takes its requests, since both the socket's opener and hood hold CAP_NET_ADMIN over %s (hood as its owner)", s.netCalls[0].Who, s.userns.link)
		s.netTold = true
	}
	s.netCalls = nil
	return res
}

// nftRootless refuses net rule without root, before any request: hood's
// nftables library opens its socket in the box's namespace with setns(2),
// and each rule is compared with the host's ruleset, which only
// CAP_NET_ADMIN in the host's user namespace may read.
func (s *Session) nftRootless() error {
	if s.userns == nil {
		return nil
	}
	return &result.UsageError{Msg: fmt.Sprintf("net rule needs real root, and hood runs as uid %d: the nftables library hood uses opens its socket in the box's network namespace with setns(2), which needs CAP_SYS_ADMIN in the host's user namespace, and hood shows each rule beside the host's ruleset, which only CAP_NET_ADMIN there may read. Start hood with sudo for firewall rules; links, addresses, routes and ping between boxes work without root", os.Geteuid())}
}
