package commands

import (
	"fmt"
	"os"
	osexec "os/exec"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"hood/internal/box"
	"hood/internal/kernel/call"
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
