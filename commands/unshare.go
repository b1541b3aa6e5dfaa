package commands

import (
	"fmt"
	"os"
	"strings"

	"hood/internal/box"
	"hood/internal/kernel/ns"
	"hood/internal/kernel/procfs"
	"hood/internal/result"

	"golang.org/x/sys/unix"
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
	u := &unshareRun{s: s, b: b, o: o, r: &result.Result{}, shell: append([]string{"unshare"}, opts...)}
	if seenType(o.types, "mnt") && s.pins == nil {
		u.startPinHolder()
	}
	if s.userns != nil && seenType(o.types, "user") {
		// Without root hood is not in the parent of the box's new user
		// namespace, so the box writes its own maps (idMaps), with its
		// IDs as it sees them now, in that parent.
		u.selfMap = true
		u.uid, u.gid = boxIDs(b)
	}
	c, err := b.Unshare(flags)
	if err != nil {
		return nil, err
	}
	u.r.Add(c)
	if c.Failed() {
		if flags&^unix.CLONE_NEWUSER != 0 {
			return u.r, s.capErr(b, c, "unshare", "CAP_SYS_ADMIN")
		}
		return u.r, kernelErr(c, "unshare")
	}
	u.typeMeanings()
	s.markMade(b, o.types)
	if flags&unix.CLONE_NEWNET != 0 {
		s.netAfterLeave(b, u.r)
	}
	// Then what the options ask for, in the order unshare(1) does it.
	for _, step := range []func() error{u.propagation, u.idMaps, u.timeOffsets, u.forkInit} {
		if err := step(); err != nil {
			return u.r, err
		}
	}
	if err := u.observe(before); err != nil {
		return u.r, err
	}
	u.r.Shell = strings.Join(u.shell, " ")
	u.r.Meaning = strings.Join(u.meaning, " ")
	return u.r, nil
}

// markMade records the namespaces b has just unshared as this hood's own:
// the commands that change a namespace (net, mount) change only those.
func (s *Session) markMade(b *box.Box, types []ns.Type) {
	l, err := s.links(b.PID)
	if err != nil {
		return
	}
	if s.made == nil {
		s.made = map[string]bool{}
	}
	for _, t := range types {
		s.made[l[t.Name]] = true
	}
}

// notMade refuses a change in b's namespace of type typ (net, mnt) when
// this hood did not make it: b entered it (setns) from a process hood does
// not own, another hood's box or a container. mine are b's links.
func (s *Session) notMade(b *box.Box, typ string, mine links) error {
	if s.made[mine[typ]] {
		return nil
	}
	word := map[string]string{"net": "network", "mnt": "mount"}[typ]
	return &result.UsageError{Msg: fmt.Sprintf("%s is in %s, a %s namespace this hood did not make (it was joined with enter): hood changes only the namespaces its own boxes unshared, so that it never alters another program's; `unshare %s` gives %s one of its own", b.Name, mine[typ], word, typ, b.Name)}
}

// notMadeNow is notMade with b's links read now.
func (s *Session) notMadeNow(b *box.Box, typ string) error {
	mine, err := s.links(b.PID)
	if err != nil {
		return err
	}
	return s.notMade(b, typ, mine)
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
