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

type unshareOpts struct {
	types       []ns.Type
	mapRoot     bool
	mapUsers    *ns.IDRange // --map-users INNER:OUTER:COUNT
	mapGroups   *ns.IDRange
	fork        bool
	mountProc   bool
	propagation string
	monotonic   *int64
	boottime    *int64
}

func parseUnshare(args []string) (unshareOpts, error) {
	o := unshareOpts{propagation: "private"}
	seen := map[string]bool{}
	add := func(t ns.Type) {
		if !seen[t.Name] {
			seen[t.Name] = true
			o.types = append(o.types, t)
		}
	}
	bad := func(format string, a ...any) error { return result.Usagef(unshareUsage, format, a...) }
	for i := 0; i < len(args); i++ {
		a := args[i]
		value := func() (string, error) {
			if k, v, ok := strings.Cut(a, "="); ok {
				a = k
				return v, nil
			}
			if i+1 >= len(args) {
				return "", bad("%s needs a value", a)
			}
			i++
			return args[i], nil
		}
		switch {
		case a == "--map-root" || a == "-r" || a == "--map-root-user":
			o.mapRoot = true
		case strings.HasPrefix(a, "--map-users") || strings.HasPrefix(a, "--map-groups"):
			v, err := value()
			if err != nil {
				return o, err
			}
			rg, ok := parseIDRange(v)
			if !ok {
				return o, bad("%s takes INNER:OUTER:COUNT, such as 0:10000:2000 (uids 0-1999 inside are 10000-11999 outside), not %q", a, v)
			}
			if a == "--map-users" {
				o.mapUsers = &rg
			} else {
				o.mapGroups = &rg
			}
		case a == "--fork" || a == "-f":
			o.fork = true
		case a == "--mount-proc":
			o.mountProc, o.fork = true, true
		case strings.HasPrefix(a, "--propagation"):
			v, err := value()
			if err != nil {
				return o, err
			}
			switch v {
			case "private", "shared", "slave", "unchanged":
				o.propagation = v
			default:
				return o, bad("--propagation takes private, shared, slave or unchanged, not %q", v)
			}
		case strings.HasPrefix(a, "--monotonic") || strings.HasPrefix(a, "--boottime"):
			v, err := value()
			if err != nil {
				return o, err
			}
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return o, bad("%s takes whole seconds, such as 86400, not %q", a, v)
			}
			if a == "--monotonic" {
				o.monotonic = &n
			} else {
				o.boottime = &n
			}
		case a == "all":
			for _, t := range ns.Types {
				add(t)
			}
		case strings.HasPrefix(a, "-"):
			return o, bad("unknown option %q", a)
		default:
			t, ok := ns.Lookup(a)
			if !ok {
				return o, bad("unknown namespace type %q: the types are %s, or all", a, strings.Join(ns.Names(), " "))
			}
			add(t)
		}
	}
	// Options imply the types they act on, as in unshare(1).
	if o.mapRoot || o.mapUsers != nil || o.mapGroups != nil {
		add(mustType("user"))
	}
	if o.mapRoot && (o.mapUsers != nil || o.mapGroups != nil) {
		return o, bad("--map-root maps uid and gid 0 only: use it or --map-users/--map-groups, not both")
	}
	if o.mountProc {
		add(mustType("mnt"))
	}
	if o.monotonic != nil || o.boottime != nil {
		add(mustType("time"))
	}
	if len(o.types) == 0 {
		return o, bad("name at least one namespace type: %s, or all", strings.Join(ns.Names(), " "))
	}
	if o.fork && !seen["pid"] {
		return o, bad("--fork and --mount-proc go with pid: they keep a PID 1 alive in the new PID namespace")
	}
	return o, nil
}

func mustType(name string) ns.Type {
	t, _ := ns.Lookup(name)
	return t
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

// parseIDRange reads INNER:OUTER:COUNT.
func parseIDRange(v string) (ns.IDRange, bool) {
	f := strings.Split(v, ":")
	if len(f) != 3 {
		return ns.IDRange{}, false
	}
	var n [3]uint32
	for i, x := range f {
		u, err := strconv.ParseUint(x, 10, 32)
		if err != nil {
			return ns.IDRange{}, false
		}
		n[i] = uint32(u)
	}
	if n[2] == 0 || uint64(n[0])+uint64(n[2]) > 1<<32-1 || uint64(n[1])+uint64(n[2]) > 1<<32-1 {
		return ns.IDRange{}, false
	}
	return ns.IDRange{Inside: n[0], Outside: n[1], Count: n[2]}, true
}

type idWrite struct{ file, content string }

// idWrites are the files to write, in the order the kernel needs: setgroups
// before gid_map (an unprivileged writer must deny setgroups first).
func idWrites(o unshareOpts, uid, gid int) []idWrite {
	if o.mapRoot {
		return []idWrite{{"setgroups", "deny"}, {"uid_map", fmt.Sprintf("0 %d 1", uid)}, {"gid_map", fmt.Sprintf("0 %d 1", gid)}}
	}
	var w []idWrite
	if o.mapUsers != nil {
		w = append(w, idWrite{"uid_map", ns.MapLines([]ns.IDRange{*o.mapUsers})})
	}
	if o.mapGroups != nil {
		w = append(w, idWrite{"gid_map", ns.MapLines([]ns.IDRange{*o.mapGroups})})
	}
	return w
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
