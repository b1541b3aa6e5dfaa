package commands

import (
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"hood/internal/box"
	"hood/internal/kernel/cgroup"
	"hood/internal/result"
	"hood/internal/rootless"
)

func init() {
	register(
		&Command{UsageLine: "cgroup mode", Short: "how this machine mounts cgroups (v2, v1 or hybrid) and which controllers hood can use where",
			Run: cgroupMode},
		&Command{UsageLine: "cgroup files", Short: "the cgroup files hood knows by their v2 names: format, units, and the v1 file(s) each maps to",
			Run: cgroupFiles},
		&Command{UsageLine: "cgroup attach [TARGET] [GROUP]", Short: "put a box, or a process a box started, in a cgroup: the box's own hood/BOX by default",
			Long: `hood creates hood/BOX below the cgroup hood runs in (on v2, below the nearest
cgroup that offers the controllers), in every mounted hierarchy, and writes
the PID to cgroup.procs there. Programs the box starts later are born in it.
The group is removed when the box ends. Any cgroup command on a box that has
no group yet makes it first. TARGET is a box or the PID of a process a box
started (its descendant, by the process tree): hood moves only processes it
started. cgroup set GROUP cgroup.procs PID makes the same move.`,
			Args: []Arg{ArgTarget, ArgBox}, Run: cgroupAttach},
		&Command{UsageLine: "cgroup show [TARGET]", Short: "a box's or PID's cgroups, from /proc/PID/cgroup: as the host sees them and as the box itself does",
			Args: []Arg{ArgTarget}, Run: cgroupShow},
		&Command{UsageLine: "cgroup set [GROUP] FILE VALUE", Short: "write a cgroup file of the current box's group (v2 names; on v1 hood translates)",
			Long: `FILE is a v2 name (cgroup files lists them): cpu.max, cpu.weight,
memory.max, memory.high, memory.low, memory.min, memory.swap.max,
memory.oom.group, memory.reclaim, pids.max, cpuset.cpus, cpuset.mems,
io.max, io.weight, cgroup.freeze, cgroup.kill. Where the controller is in a
v1 hierarchy hood writes the v1 file(s) and shows the conversion; v1 names
are accepted as they are. GROUP is a box or a group made with cgroup new.
Examples: cgroup set cpu.max 50000; cgroup set memory.max 50M`,
			Args: []Arg{ArgBox}, Run: cgroupSet},
		&Command{UsageLine: "cgroup get [GROUP] FILE", Short: "read a cgroup file of the current box's group (v2 names; on v1 hood translates)",
			Args: []Arg{ArgBox}, Run: cgroupGet},
		&Command{UsageLine: "cgroup stat [GROUP]", Short: "usage, limits and events of a group: CPU, throttling, memory, OOM kills, pids, I/O, pressure",
			Args: []Arg{ArgBox}, Run: cgroupStat},
		&Command{UsageLine: "cgroup freeze [GROUP]", Short: "freeze every process in the group (cgroup.freeze 1; v1 freezer.state FROZEN)", Args: []Arg{ArgBox}, Run: cgroupFreeze},
		&Command{UsageLine: "cgroup thaw [GROUP]", Short: "thaw a frozen group", Args: []Arg{ArgBox}, Run: cgroupThaw},
		&Command{UsageLine: "cgroup kill [GROUP]", Short: "kill every process in the group at once (cgroup.kill; on v1 one by one)", Args: []Arg{ArgBox}, Run: cgroupKill},
		&Command{UsageLine: "cgroup new NAME", Short: "make a group hood/NAME in every hierarchy (removed when hood exits)", Run: cgroupNew},
		&Command{UsageLine: "cgroup rm NAME", Short: "remove a group made with cgroup new (it must be empty)", Run: cgroupRm},
	)
}

// hierarchies are hood's own cgroup hierarchies, read once per session.
func (s *Session) hierarchies() ([]cgroup.Hierarchy, error) {
	if s.hier == nil {
		hs, err := cgroup.Hierarchies(s.ProcRoot, s.HoodPID)
		if err != nil {
			return nil, err
		}
		if len(hs) == 0 {
			return nil, errors.New("no cgroup hierarchy is mounted (nothing under /sys/fs/cgroup): hood cannot make cgroups on this machine")
		}
		s.hier = hs
	}
	return s.hier, nil
}

// newGroup makes hood/NAME, narrating into r.
func (s *Session) newGroup(r *result.Result, name string) (*cgroup.Group, error) {
	if rootless.Active() {
		if ok, why := rootless.CgroupDelegated(""); !ok {
			return nil, &result.UsageError{Msg: "no cgroup for " + name + ": " + why}
		}
	}
	hs, err := s.hierarchies()
	if err != nil {
		return nil, err
	}
	if rootless.Active() {
		if err := s.delegate(r, hs); err != nil {
			return nil, err
		}
	}
	g, ops, err := cgroup.NewGroup(hs, name, s.HoodPID)
	r.Add(ops...)
	if err != nil {
		return nil, cgroupErr(err)
	}
	if s.groups == nil {
		s.groups = map[string]*cgroup.Group{}
	}
	s.groups[name] = g
	return g, nil
}

// boxGroup is b's group, made and joined on first use.
func (s *Session) boxGroup(r *result.Result, b *box.Box) (*cgroup.Group, error) {
	if g := s.groups[b.Name]; g != nil {
		return g, nil
	}
	from := len(r.Syscalls)
	g, err := s.newGroup(r, b.Name)
	if err != nil {
		return nil, err
	}
	if err := attach(r, g, b.PID); err != nil {
		return nil, err
	}
	r.Fold(from, groupFold(g, r.Syscalls[from:]))
	r.Say("group", "%s is now in its own cgroup, hood/%s, in every hierarchy (first use)", b.Name, filepath.Base(g.Dirs[0]))
	return g, nil
}

// GroupOf is the group a lab check reads for a box, or nil before one
// exists (checks never create one).
func (s *Session) GroupOf(name string) *cgroup.Group { return s.groups[name] }

// group resolves GROUP (a box or a group made by cgroup new), or the
// current box's group.
func (s *Session) group(r *result.Result, name string) (*cgroup.Group, string, error) {
	if name == "" {
		b, err := s.box()
		if err != nil {
			return nil, "", err
		}
		g, err := s.boxGroup(r, b)
		return g, b.Name, err
	}
	if b := s.find(name); b != nil {
		g, err := s.boxGroup(r, b)
		return g, b.Name, err
	}
	if g := s.groups[name]; g != nil {
		return g, name, nil
	}
	var known []string
	for n := range s.groups {
		known = append(known, n)
	}
	known = append(known, s.BoxNames()...)
	sort.Strings(known)
	return nil, "", &result.UsageError{Msg: fmt.Sprintf("unknown group %q: name a box or a group made with `cgroup new` (%s)", name, strings.Join(known, ", "))}
}

// groupResult starts a result with the group named, made on first use
// (narrated in the result).
func (s *Session) groupResult(name string) (*result.Result, *cgroup.Group, string, error) {
	r := &result.Result{}
	g, label, err := s.group(r, name)
	return r, g, label, err
}

// splitGroup takes an optional GROUP off the front: a word that is not a
// file name (file names have a dot).
func splitGroup(args []string, min int) (group string, rest []string) {
	if len(args) > min && !strings.Contains(args[0], ".") {
		return args[0], args[1:]
	}
	return "", args
}

func cgroupAttach(s *Session, args []string) (*result.Result, error) {
	const usage = "cgroup attach [TARGET] [GROUP]"
	if len(args) > 2 {
		return nil, result.Usagef(usage, "a target and a group at most")
	}
	var m mover
	if len(args) > 0 {
		var err error
		if m, err = s.startedBy(usage, args[0]); err != nil {
			return nil, err
		}
	} else {
		b, err := s.box()
		if err != nil {
			return nil, err
		}
		m = mover{b, b.PID, b.Name}
	}
	r := &result.Result{}
	if len(args) < 2 && m.pid == m.box.PID {
		return r, s.attachBox(r, m.box)
	}
	group := m.box.Name // a process a box started goes to the box's group by default
	if len(args) == 2 {
		group = args[1]
	}
	g, name, err := s.group(r, group)
	if err != nil {
		return r, err
	}
	if err := attach(r, g, m.pid); err != nil {
		return r, err
	}
	r.Shell = fmt.Sprintf("echo %d > %s/cgroup.procs  # and so on for each hierarchy", m.pid, g.Dirs[0])
	r.Meaning = fmt.Sprintf("%s moved into %s's group; its children already running stay where they are, new ones are born in %s.", m.label, name, name)
	return r, nil
}

// attachBox is `cgroup attach BOX`: the box into a group of its own.
func (s *Session) attachBox(r *result.Result, b *box.Box) error {
	if g := s.groups[b.Name]; g != nil {
		return &result.UsageError{Msg: fmt.Sprintf("%s is already in its group (%s); `cgroup show %s` shows it", b.Name, g.Dirs[0], b.Name)}
	}
	g, err := s.boxGroup(r, b)
	if err != nil {
		return err
	}
	r.Shell = fmt.Sprintf("mkdir %s && echo %d > %s/cgroup.procs  # and so on for each hierarchy", g.Dirs[0], b.PID, g.Dirs[0])
	r.Meaning = fmt.Sprintf("%s now sits in a cgroup of its own, in every hierarchy; what it starts is born there. Its namespaces did not change: a cgroup is where the kernel accounts and limits, not what a process can see.", b.Name)
	return nil
}

// attach writes pid to the group's cgroup.procs, narrating into r.
func attach(r *result.Result, g *cgroup.Group, pid int) error {
	ops, err := g.Attach(pid)
	r.Add(ops...)
	if err != nil {
		return cgroupErr(err)
	}
	return nil
}

// cgroupErr explains the errnos a cgroup write can meet.
func cgroupErr(err error) error { return errnoErr(err, "cgroup") }

func cgroupNew(s *Session, args []string) (*result.Result, error) {
	if len(args) != 1 || !validBoxName(args[0]) {
		return nil, result.Usagef("cgroup new NAME", "name the group with a letter, then letters, digits, - or _ (it becomes hood/NAME)")
	}
	name := args[0]
	if s.groups[name] != nil || s.find(name) != nil {
		return nil, &result.UsageError{Msg: fmt.Sprintf("%s is already a group or a box", name)}
	}
	r := &result.Result{}
	g, err := s.newGroup(r, name)
	if err != nil {
		return r, err
	}
	r.Shell = "mkdir " + g.Dirs[0] + "  # and so on for each hierarchy"
	r.Meaning = fmt.Sprintf("An empty group: put boxes in it with `cgroup attach BOX %s`; hood removes it when it exits.", name)
	return r, nil
}

func cgroupRm(s *Session, args []string) (*result.Result, error) {
	if len(args) != 1 {
		return nil, result.Usagef("cgroup rm NAME", "name one group made with cgroup new")
	}
	name := args[0]
	g := s.groups[name]
	if g == nil || s.find(name) != nil {
		return nil, &result.UsageError{Msg: fmt.Sprintf("%q is not a group made with `cgroup new` (a box's group goes with the box: box kill)", name)}
	}
	r := &result.Result{}
	ops, err := g.Remove()
	r.Add(ops...)
	if err != nil {
		return r, fmt.Errorf("%w (a cgroup with processes in it cannot be removed: move or kill them first)", err)
	}
	delete(s.groups, name)
	r.Shell = "rmdir " + g.Dirs[0] + "  # and so on for each hierarchy"
	return r, nil
}
