package commands

import (
	"fmt"
	"strconv"
	"strings"

	"hood/internal/box"
	"hood/internal/kernel/ns"
	"hood/internal/result"
)

// unshareRun is one unshare command's steps after the unshare(2) itself:
// each adds its calls to r, its words to the shell line and its sentence
// to the meaning.
type unshareRun struct {
	s       *Session
	b       *box.Box
	o       unshareOpts
	r       *result.Result
	shell   []string
	meaning []string
	// selfMap: the box writes its own setgroups, uid_map and gid_map, as
	// uid and gid of its parent user namespace (rootless.go).
	selfMap  bool
	uid, gid int
}

// startPinHolder starts the pin holder before the box's first new mount
// namespace: the kernel binds a mount namespace file (ns pin) only into a
// mount namespace it counts as older.
func (u *unshareRun) startPinHolder() {
	from := len(u.r.Syscalls)
	if h, err := u.s.pinHolder(u.r); err == nil {
		u.r.Fold(from, fmt.Sprintf("hood started its pin holder (PID %d, a mount namespace of its own with a tmpfs for pins) before %s's new mount namespace, so that `ns pin %s mnt` can bind it: the kernel binds a mount namespace file only into a mount namespace it counts as older", h.PID, u.b.Name, u.b.Name))
	}
}

// typeMeanings says what each new namespace type means for the box.
func (u *unshareRun) typeMeanings() {
	b, o := u.b, u.o
	for _, t := range o.types {
		switch t.Name {
		case "pid":
			if !o.fork {
				u.meaning = append(u.meaning, fmt.Sprintf("%s stays in its PID namespace; the next process it starts (`run ...`) becomes PID 1 of the new one, and when that PID 1 exits the namespace takes no more processes.", b.Name))
			}
		case "time":
			u.meaning = append(u.meaning, fmt.Sprintf("%s's clocks are unchanged; the next process it starts enters the new time namespace, with the offsets written before then.", b.Name))
		case "user":
			if !o.mapRoot && o.mapUsers == nil {
				u.meaning = append(u.meaning, fmt.Sprintf("%s is in a new user namespace with every capability inside it; until uid_map is written its uid shows as 65534 (nobody) inside.", b.Name))
			}
		default:
			u.meaning = append(u.meaning, fmt.Sprintf("%s now has its own %s (%s); the host keeps its own.", b.Name, t.Isolates, t.Name))
		}
	}
}

// propagation makes the box's new mount table private (or slave, shared)
// as unshare(1) does, so that what it mounts does not reach the host.
func (u *unshareRun) propagation() error {
	b, o := u.b, u.o
	if seenType(o.types, "mnt") && o.propagation != "unchanged" {
		prop := map[string]uintptr{"private": box.MSPrivate, "shared": box.MSShared, "slave": box.MSSlave}[o.propagation]
		m, err := b.Mount("none", "/", "", box.MSRec|prop, "")
		if err != nil {
			return err
		}
		u.r.Add(m)
		if m.Failed() {
			return kernelErr(m, "mount")
		}
		if o.propagation != "private" {
			u.shell = append(u.shell, "--propagation", o.propagation)
		}
		switch o.propagation {
		case "private":
			u.meaning = append(u.meaning, fmt.Sprintf("Every mount in %s's copy of the mount table is now private, so what it mounts does not reach the host (unshare(1) does the same by default).", b.Name))
		case "slave":
			u.meaning = append(u.meaning, fmt.Sprintf("Every mount in %s's copy of the mount table is now a slave: mounts made on the host still arrive, but what %s mounts does not reach the host.", b.Name, b.Name))
		case "shared":
			u.meaning = append(u.meaning, fmt.Sprintf("Every mount in %s's copy of the mount table is now shared: mounts propagate both ways between it and its peers, which include the host's mounts wherever those were shared already (systemd makes / shared); hood's mount command refuses to mount where the host is a peer.", b.Name))
		}
	} else if seenType(o.types, "mnt") {
		u.shell = append(u.shell, "--propagation", "unchanged")
	}

	return nil
}

// idMaps writes setgroups, uid_map and gid_map for --map-root or
// --map-users/--map-groups.
func (u *unshareRun) idMaps() error {
	s, b, o := u.s, u.b, u.o
	if o.mapRoot || o.mapUsers != nil || o.mapGroups != nil {
		// The box's own IDs as the host sees them: hood's, or those of a
		// box started with --uid.
		uid, gid := procIDs(s.Proc(), b.PID)
		hostUID := uid
		if u.selfMap {
			uid, gid = u.uid, u.gid
		}
		writes := idWrites(o, uid, gid)
		for _, w := range writes {
			if u.selfMap {
				if err := u.selfWrite(w); err != nil {
					return err
				}
				continue
			}
			pw, err := ns.WriteProc(s.ProcRoot, b.PID, w.file, w.content)
			u.r.Add(pw.Calls...)
			if err != nil {
				return callsErr(pw.Calls, err, "procfile")
			}
			u.r.Changes = append(u.r.Changes, result.Change{Path: pw.Path, Before: pw.Before, After: pw.After})
		}
		if o.mapRoot {
			u.shell = append(u.shell, "--map-root-user")
			u.meaning = append(u.meaning, fmt.Sprintf("Inside its user namespace %s is root (uid 0, every capability); to the host it is still uid %d, with no more power than before.", b.Name, hostUID))
		}
		for _, m := range []struct {
			opt, what string
			r         *ns.IDRange
		}{{"--map-users", "uids", o.mapUsers}, {"--map-groups", "gids", o.mapGroups}} {
			if m.r != nil {
				u.shell = append(u.shell, fmt.Sprintf("%s=%d:%d:%d", m.opt, m.r.Inside, m.r.Outside, m.r.Count))
				u.meaning = append(u.meaning, fmt.Sprintf("%s %d to %d inside are %d to %d to the host.", m.what, m.r.Inside, m.r.Inside+m.r.Count-1, m.r.Outside, m.r.Outside+m.r.Count-1))
			}
		}
	}

	return nil
}

// timeOffsets writes timens_offsets before any process enters the new time
// namespace.
func (u *unshareRun) timeOffsets() error {
	s, b, o := u.s, u.b, u.o
	if o.monotonic != nil || o.boottime != nil {
		var lines []string
		if o.monotonic != nil {
			lines = append(lines, fmt.Sprintf("monotonic %d 0", *o.monotonic))
			u.shell = append(u.shell, "--monotonic", strconv.FormatInt(*o.monotonic, 10))
		}
		if o.boottime != nil {
			lines = append(lines, fmt.Sprintf("boottime %d 0", *o.boottime))
			u.shell = append(u.shell, "--boottime", strconv.FormatInt(*o.boottime, 10))
		}
		pw, err := ns.WriteProc(s.ProcRoot, b.PID, "timens_offsets", strings.Join(lines, "\n")+"\n")
		u.r.Add(pw.Calls...)
		if err != nil {
			return callsErr(pw.Calls, err, "procfile")
		}
		u.r.Changes = append(u.r.Changes, result.Change{Path: pw.Path, Before: pw.Before, After: pw.After})
	}

	return nil
}

// forkInit forks the PID 1 of the new PID namespace (--fork), mounting its
// /proc from inside with --mount-proc.
func (u *unshareRun) forkInit() error {
	s, b, o := u.s, u.b, u.o
	if o.fork {
		pid, calls, err := b.ForkInit(o.mountProc)
		if err != nil {
			return err
		}
		u.r.Add(calls...)
		if calls[0].Failed() {
			return s.forkErr(b, calls[0])
		}
		nspid := s.nspid(pid)
		u.r.Say("PID 1", "%d on the host is %s in the new namespace (NSpid: %s)", pid, last(nspid), strings.Join(nspid, " "))
		u.shell = append(u.shell, "--fork")
		if o.mountProc {
			u.shell = append(u.shell, "--mount-proc")
			if len(calls) > 1 && calls[1].Failed() {
				return kernelErr(calls[1], "mount")
			}
		}
		m := fmt.Sprintf("%s forked a child that is PID 1 of the new PID namespace and stays alive, so processes %s starts next join it as PID 2, 3, ...", b.Name, b.Name)
		if o.mountProc {
			m += " Its fresh /proc, mounted from inside, lists only that namespace's processes: try `run ps -ef`."
		}
		u.meaning = append(u.meaning, m)
	}
	return nil
}

// observe reads the box's links again and narrates what changed.
func (u *unshareRun) observe(before links) error {
	s, b, o, r := u.s, u.b, u.o, u.r
	// Observe last: pid_for_children shows only once a PID 1 exists.
	after, err := s.links(b.PID)
	if err != nil {
		return err
	}
	for _, t := range o.types {
		if t.ForChildren != "" {
			diff(r, b.PID, before, after, []string{t.Name}, "unchanged: unshare(2) of "+t.Name+" changes only what the box's children are born in; the box itself moves only by setns(2) (`enter`)")
			diff(r, b.PID, before, after, []string{t.ForChildren}, "")
			continue
		}
		diff(r, b.PID, before, after, []string{t.Name}, "")
	}
	return nil
}
