package commands

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"hood/internal/box"
	"hood/internal/kernel/ns"
	"hood/internal/kernel/procfs"
	"hood/internal/result"
)

const unshareUsage = "unshare TYPE... [--map-root] [--map-users IN:OUT:N] [--map-groups IN:OUT:N] [--fork] [--mount-proc] [--propagation private|shared|slave|unchanged] [--monotonic SECS] [--boottime SECS]"

func init() {
	register(&Command{
		UsageLine: unshareUsage,
		Short:     "give the current box new namespaces of the given types (uts ipc net mnt pid user cgroup time, or all)",
		Long: `The box calls unshare(2) with the CLONE_NEW* flag of each type, all in one
call, as unshare(1) does. The box keeps its PID; its /proc/PID/ns links change.
For pid and time the box itself stays where it is: only pid_for_children or
time_for_children changes, and the next process the box starts is the first
one in the new namespace (PID 1 for pid).

  --map-root      (user) map uid and gid 0 inside to your uid and gid outside,
                  writing setgroups, uid_map and gid_map (unshare -r)
  --map-users IN:OUT:N, --map-groups IN:OUT:N  (user) map N uids (gids)
                  from IN inside to OUT outside, as unshare(1) does:
                  --map-users 0:10000:2000 makes 0-1999 inside 10000-11999
  --fork          (pid) fork a child that stays alive as PID 1 of the new
                  PID namespace, so later processes can join it
  --mount-proc    (pid, implies --fork and mnt) mount a /proc that shows the
                  new PID namespace, from inside it
  --propagation   (mnt) what to do to the mounts' propagation after unshare,
                  private by default as in unshare(1), so nothing the box
                  mounts reaches the host
  --monotonic, --boottime  (time) clock offsets in seconds, written to
                  /proc/PID/timens_offsets before any process enters`,
		Args:  []Arg{ArgNSType},
		Flags: []string{"--map-root", "--map-users", "--map-groups", "--fork", "--mount-proc", "--propagation", "--monotonic", "--boottime"},
		Run:   unshare,
	})
}

func unshare(s *Session, args []string) (*result.Result, error) {
	o, err := parseUnshare(args)
	if err != nil {
		return nil, err
	}
	b, err := s.box()
	if err != nil {
		return nil, err
	}
	var flags uintptr
	var opts []string
	for _, t := range o.types {
		flags |= t.Flag
		opts = append(opts, t.Option)
	}
	before, err := s.links(b.PID)
	if err != nil {
		return nil, err
	}
	r := &result.Result{}
	if seenType(o.types, "mnt") && s.pins == nil {
		// The kernel binds a mount namespace file (ns pin) only into a
		// mount namespace older than it: start the pin holder, which has
		// one of its own, before the box makes its new one.
		from := len(r.Syscalls)
		if h, err := s.pinHolder(r); err == nil {
			r.Fold(from, fmt.Sprintf("hood started its pin holder (PID %d, a mount namespace of its own with a tmpfs for pins) before %s's new mount namespace, so that `ns pin %s mnt` can bind it: the kernel binds a mount namespace file only into a mount namespace it counts as older", h.PID, b.Name, b.Name))
		}
	}
	call, err := b.Unshare(flags)
	if err != nil {
		return nil, err
	}
	r.Add(call)
	if call.Failed() {
		return r, kernelErr(call, "unshare")
	}
	var meaning []string
	for _, t := range o.types {
		switch t.Name {
		case "pid":
			if !o.fork {
				meaning = append(meaning, fmt.Sprintf("%s stays in its PID namespace; the next process it starts (`run ...`) becomes PID 1 of the new one, and when that PID 1 exits the namespace takes no more processes.", b.Name))
			}
		case "time":
			meaning = append(meaning, fmt.Sprintf("%s's clocks are unchanged; the next process it starts enters the new time namespace, with the offsets written before then.", b.Name))
		case "user":
			if !o.mapRoot && o.mapUsers == nil {
				meaning = append(meaning, fmt.Sprintf("%s is in a new user namespace with every capability inside it; until uid_map is written its uid shows as 65534 (nobody) inside.", b.Name))
			}
		default:
			meaning = append(meaning, fmt.Sprintf("%s now has its own %s (%s); the host keeps its own.", b.Name, t.Isolates, t.Name))
		}
	}
	shell := append([]string{"unshare"}, opts...)

	if seenType(o.types, "mnt") && o.propagation != "unchanged" {
		prop := map[string]uintptr{"private": box.MSPrivate, "shared": box.MSShared, "slave": box.MSSlave}[o.propagation]
		m, err := b.Mount("none", "/", "", box.MSRec|prop, "")
		if err != nil {
			return r, err
		}
		r.Add(m)
		if m.Failed() {
			return r, kernelErr(m, "mount")
		}
		if o.propagation != "private" {
			shell = append(shell, "--propagation", o.propagation)
		}
		switch o.propagation {
		case "private":
			meaning = append(meaning, fmt.Sprintf("Every mount in %s's copy of the mount table is now private, so what it mounts does not reach the host (unshare(1) does the same by default).", b.Name))
		case "slave":
			meaning = append(meaning, fmt.Sprintf("Every mount in %s's copy of the mount table is now a slave: mounts made on the host still arrive, but what %s mounts does not reach the host.", b.Name, b.Name))
		case "shared":
			meaning = append(meaning, fmt.Sprintf("Every mount in %s's copy of the mount table is now shared: mounts propagate both ways between it and its peers, which include the host's mounts wherever those were shared already (systemd makes / shared); hood's mount command refuses to mount where the host is a peer.", b.Name))
		}
	} else if seenType(o.types, "mnt") {
		shell = append(shell, "--propagation", "unchanged")
	}

	if o.mapRoot || o.mapUsers != nil || o.mapGroups != nil {
		// The box's own IDs as the host sees them: hood's, or those of a
		// box started with --uid.
		uid, gid := procIDs(s.Proc(), b.PID)
		writes := idWrites(o, uid, gid)
		for _, w := range writes {
			pw, err := ns.WriteProc(s.ProcRoot, b.PID, w.file, w.content)
			r.Add(pw.Calls...)
			if err != nil {
				return r, kernelErr(failedOf(pw.Calls), "procfile")
			}
			r.Changes = append(r.Changes, result.Change{Path: pw.Path, Before: pw.Before, After: pw.After})
		}
		if o.mapRoot {
			shell = append(shell, "--map-root-user")
			meaning = append(meaning, fmt.Sprintf("Inside its user namespace %s is root (uid 0, every capability); to the host it is still uid %d, with no more power than before.", b.Name, uid))
		}
		for _, m := range []struct {
			opt, what string
			r         *ns.IDRange
		}{{"--map-users", "uids", o.mapUsers}, {"--map-groups", "gids", o.mapGroups}} {
			if m.r != nil {
				shell = append(shell, fmt.Sprintf("%s=%d:%d:%d", m.opt, m.r.Inside, m.r.Outside, m.r.Count))
				meaning = append(meaning, fmt.Sprintf("%s %d to %d inside are %d to %d to the host.", m.what, m.r.Inside, m.r.Inside+m.r.Count-1, m.r.Outside, m.r.Outside+m.r.Count-1))
			}
		}
	}

	if o.monotonic != nil || o.boottime != nil {
		var lines []string
		if o.monotonic != nil {
			lines = append(lines, fmt.Sprintf("monotonic %d 0", *o.monotonic))
			shell = append(shell, "--monotonic", strconv.FormatInt(*o.monotonic, 10))
		}
		if o.boottime != nil {
			lines = append(lines, fmt.Sprintf("boottime %d 0", *o.boottime))
			shell = append(shell, "--boottime", strconv.FormatInt(*o.boottime, 10))
		}
		pw, err := ns.WriteProc(s.ProcRoot, b.PID, "timens_offsets", strings.Join(lines, "\n")+"\n")
		r.Add(pw.Calls...)
		if err != nil {
			return r, kernelErr(failedOf(pw.Calls), "procfile")
		}
		r.Changes = append(r.Changes, result.Change{Path: pw.Path, Before: pw.Before, After: pw.After})
	}

	if o.fork {
		pid, calls, err := b.ForkInit(o.mountProc)
		if err != nil {
			return r, err
		}
		r.Add(calls...)
		if calls[0].Failed() {
			return r, s.forkErr(b, calls[0])
		}
		nspid := s.nspid(pid)
		r.Say("PID 1", "%d on the host is %s in the new namespace (NSpid: %s)", pid, last(nspid), strings.Join(nspid, " "))
		shell = append(shell, "--fork")
		if o.mountProc {
			shell = append(shell, "--mount-proc")
			if len(calls) > 1 && calls[1].Failed() {
				return r, kernelErr(calls[1], "mount")
			}
		}
		m := fmt.Sprintf("%s forked a child that is PID 1 of the new PID namespace and stays alive, so processes %s starts next join it as PID 2, 3, ...", b.Name, b.Name)
		if o.mountProc {
			m += " Its fresh /proc, mounted from inside, lists only that namespace's processes: try `run ps -ef`."
		}
		meaning = append(meaning, m)
	}
	// Observe last: pid_for_children shows only once a PID 1 exists.
	after, err := s.links(b.PID)
	if err != nil {
		return r, err
	}
	for _, t := range o.types {
		if t.ForChildren != "" {
			diff(r, b.PID, before, after, []string{t.Name}, "unchanged: unshare(2) of "+t.Name+" changes only what the box's children are born in; the box itself moves only by setns(2) (`enter`)")
			diff(r, b.PID, before, after, []string{t.ForChildren}, "")
			continue
		}
		diff(r, b.PID, before, after, []string{t.Name}, "")
	}
	r.Shell = strings.Join(shell, " ")
	r.Meaning = strings.Join(meaning, " ")
	return r, nil
}

// procIDs reads the effective uid and gid of pid from its status file, as
// hood's user namespace sees them. It falls back to hood's own.
func procIDs(proc procfs.FS, pid int) (uid, gid int) {
	st, err := proc.Status(pid)
	if err != nil {
		return os.Geteuid(), os.Getegid()
	}
	return st.Uid.Effective, st.Gid.Effective
}

func seenType(ts []ns.Type, name string) bool {
	for _, t := range ts {
		if t.Name == name {
			return true
		}
	}
	return false
}

func last(xs []string) string {
	if len(xs) == 0 {
		return "?"
	}
	return xs[len(xs)-1]
}

// failedOf is the call that failed among calls (the last one when none
// did, which cannot happen for an error from the kernel).
func failedOf(calls []result.Syscall) result.Syscall {
	for _, c := range calls {
		if c.Failed() {
			return c
		}
	}
	return calls[len(calls)-1]
}
