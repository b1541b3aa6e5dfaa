package commands

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"hood/internal/box"
	"hood/internal/kernel/call"
	"hood/internal/kernel/cgroup"
	"hood/internal/kernel/procfs"
	"hood/internal/result"
)

func init() {
	register(
		&Command{UsageLine: "cgroup mode", Short: "how this machine mounts cgroups (v2, v1 or hybrid) and which controllers hood can use where",
			Run: cgroupMode},
		&Command{UsageLine: "cgroup files", Short: "the cgroup files hood knows by their v2 names: format, units, and the v1 file(s) each maps to",
			Run: cgroupFiles},
		&Command{UsageLine: "cgroup attach [TARGET] [GROUP]", Short: "put a box (or a process of one) in a cgroup: its own hood/BOX by default",
			Long: `hood creates hood/BOX below the cgroup hood runs in (on v2, below the nearest
cgroup that offers the controllers), in every mounted hierarchy, and writes
the PID to cgroup.procs there. Programs the box starts later are born in it.
The group is removed when the box ends. Any cgroup command on a box that has
no group yet makes it first.`,
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
	hs, err := s.hierarchies()
	if err != nil {
		return nil, err
	}
	g, ops, err := cgroup.NewGroup(hs, name, s.HoodPID)
	addOps(r, ops)
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

// knownFile accepts a v2 name hood knows, or a file that exists in one of
// the machine's v1 hierarchies (v1 names are taken as they are there).
func (s *Session) knownFile(name string) error {
	if cgroup.Specs[name] != nil {
		return nil
	}
	if hs, err := s.hierarchies(); err == nil && !strings.ContainsAny(name, "/\x00") {
		for _, h := range hs {
			if _, err := os.Stat(filepath.Join(h.Base(), name)); err == nil && !h.V2 {
				return nil
			}
		}
	}
	return &result.UsageError{Msg: cgroup.Unknown(name).Error()}
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
	b, err := s.box()
	if len(args) > 0 {
		b = s.find(args[0])
		if b == nil {
			return nil, result.Usagef(usage, "%q is not a box: hood moves only its own boxes into cgroups (the boxes: %s)", args[0], strings.Join(s.BoxNames(), ", "))
		}
	} else if err != nil {
		return nil, err
	}
	r := &result.Result{}
	if len(args) < 2 {
		if g := s.groups[b.Name]; g != nil {
			return nil, &result.UsageError{Msg: fmt.Sprintf("%s is already in its group (%s); `cgroup show %s` shows it", b.Name, g.Dirs[0], b.Name)}
		}
		g, err := s.boxGroup(r, b)
		if err != nil {
			return r, err
		}
		r.Shell = fmt.Sprintf("mkdir %s && echo %d > %s/cgroup.procs  # and so on for each hierarchy", g.Dirs[0], b.PID, g.Dirs[0])
		r.Meaning = fmt.Sprintf("%s now sits in a cgroup of its own, in every hierarchy; what it starts is born there. Its namespaces did not change: a cgroup is where the kernel accounts and limits, not what a process can see.", b.Name)
		return r, nil
	}
	g, name, err := s.group(r, args[1])
	if err != nil {
		return r, err
	}
	if err := attach(r, g, b.PID); err != nil {
		return r, err
	}
	r.Shell = fmt.Sprintf("echo %d > %s/cgroup.procs  # and so on for each hierarchy", b.PID, g.Dirs[0])
	r.Meaning = fmt.Sprintf("%s moved into %s's group; its children already running stay where they are, new ones are born in %s.", b.Name, name, name)
	return r, nil
}

// attach writes pid to the group's cgroup.procs, narrating into r.
func attach(r *result.Result, g *cgroup.Group, pid int) error {
	ops, err := g.Attach(pid)
	addOps(r, ops)
	if err != nil {
		return cgroupErr(err)
	}
	return nil
}

func addOps(r *result.Result, ops []cgroup.Op) {
	r.Add(ops...)
}

// cgroupErr explains the errnos a cgroup write can meet.
func cgroupErr(err error) error { return errnoErr(err, "cgroup") }

func cgroupMode(s *Session, args []string) (*result.Result, error) {
	if len(args) > 0 {
		return nil, result.Usagef("cgroup mode", "cgroup mode takes no arguments")
	}
	mode := cgroup.Detect("/sys/fs/cgroup")
	hs, err := s.hierarchies()
	if err != nil {
		return nil, err
	}
	t := &result.Table{Header: []string{"hierarchy", "mounted at", "hood's cgroup", "hood's groups go under", "controllers there"}}
	for _, h := range hs {
		ctl := strings.Join(h.Controllers, ",")
		base := h.Base()
		if h.V2 {
			ctl = strings.Join(readWordsFile(filepath.Join(base, "cgroup.subtree_control")), " ")
			if ctl == "" {
				ctl = "(none enabled: membership only)"
			}
		}
		if ctl == "" {
			ctl = "(none: a named hierarchy)"
		}
		t.Rows = append(t.Rows, []string{h.Label(), h.Mount, h.Path, filepath.Join(base, "hood"), ctl})
		t.Mark = append(t.Mark, false)
	}
	r := &result.Result{Table: t}
	r.Say("mode", "%s", mode)
	switch mode {
	case cgroup.Hybrid:
		r.Meaning = "Controllers live in the v1 trees, one per controller; the v2 tree holds membership and pressure (PSI) only. hood speaks v2 file names and writes the v1 files, showing the conversion."
	case cgroup.Legacy:
		r.Meaning = "cgroup v1 only: a tree per controller. hood speaks v2 file names and writes the v1 files, showing the conversion."
	case cgroup.Unified:
		r.Meaning = "cgroup v2: one tree, controllers enabled per subtree with cgroup.subtree_control."
	}
	return r, nil
}

func readWordsFile(path string) []string {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	return strings.Fields(string(data))
}

func cgroupFiles(s *Session, args []string) (*result.Result, error) {
	t := &result.Table{Header: []string{"file (v2)", "rw", "format", "v1"}}
	for _, n := range cgroup.Names() {
		sp := cgroup.Specs[n]
		rw := "r"
		if sp.Writable {
			rw = "rw"
		}
		v1 := strings.Join(sp.V1, " + ")
		if sp.V1Note != "" {
			if v1 != "" {
				v1 += "; "
			}
			v1 += sp.V1Note
		}
		if v1 == "" {
			v1 = "-"
		}
		t.Rows = append(t.Rows, []string{n, rw, sp.Format, v1})
		t.Mark = append(t.Mark, false)
	}
	return &result.Result{Table: t}, nil
}

func cgroupSet(s *Session, args []string) (*result.Result, error) {
	const usage = "cgroup set [GROUP] FILE VALUE"
	name, rest := splitGroup(args, 2)
	if len(rest) < 2 {
		return nil, result.Usagef(usage, "name a file and a value, such as `cgroup set cpu.max 50000`")
	}
	file, value := rest[0], strings.Join(rest[1:], " ")
	// Check the name and value before anything is made or written.
	if err := s.knownFile(file); err != nil {
		return nil, err
	}
	if sp := cgroup.Specs[file]; sp != nil {
		if err := sp.Check(value); err != nil {
			return nil, &result.UsageError{Msg: err.Error()}
		}
	}
	r := &result.Result{}
	g, label, err := s.group(r, name)
	if err != nil {
		return r, err
	}
	before, _, _ := g.Get(file)
	ops, notes, err := g.Set(file, value)
	addOps(r, ops)
	for _, n := range notes {
		r.Say("v1", "%s", n)
	}
	if err != nil {
		return r, cgroupErr(err)
	}
	after, _, _ := g.Get(file)
	if before != "" || after != "" {
		r.Changes = append(r.Changes, result.Change{Path: file + " of " + label, Before: oneLine(before), After: oneLine(after)})
	}
	r.Shell = shellOf(ops)
	if sp := cgroup.Specs[file]; sp != nil {
		r.Meaning = fmt.Sprintf("%s: %s.", file, sp.Format)
	}
	return r, nil
}

// shellOf is the shell commands that make the same changes as the calls
// hood made: echo VALUE > FILE, kill -KILL PID.
func shellOf(ops []cgroup.Op) string { return call.Shells(ops) }

func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " | ")), " ")
}

func cgroupGet(s *Session, args []string) (*result.Result, error) {
	const usage = "cgroup get [GROUP] FILE"
	name, rest := splitGroup(args, 1)
	if len(rest) != 1 {
		return nil, result.Usagef(usage, "name one file, such as `cgroup get memory.max`")
	}
	if err := s.knownFile(rest[0]); err != nil {
		return nil, err
	}
	r := &result.Result{}
	g, label, err := s.group(r, name)
	if err != nil {
		return r, err
	}
	v, notes, err := g.Get(rest[0])
	if err != nil {
		return r, cgroupErr(err)
	}
	r.Text = v
	for _, n := range notes {
		r.Say("v1", "%s", n)
	}
	r.Say("group", "%s", label)
	return r, nil
}

// stat is one line of cgroup stat.
type stat struct{ key, value, from string }

// groupStats reads the numbers a learner watches, by v2 names.
func groupStats(g *cgroup.Group) []stat {
	var out []stat
	get := func(file string) (map[string]int64, string, bool) {
		v, _, err := g.Get(file)
		if err != nil {
			return nil, "", false
		}
		return cgroup.KV(v), v, true
	}
	if kv, _, ok := get("cpu.stat"); ok {
		out = append(out, stat{"cpu used", fmt.Sprintf("%.2f s", float64(kv["usage_usec"])/1e6), "cpu.stat usage_usec"},
			stat{"cpu throttled", fmt.Sprintf("%d of %d periods, %.2f s", kv["nr_throttled"], kv["nr_periods"], float64(kv["throttled_usec"])/1e6), "cpu.stat nr_throttled, nr_periods, throttled_usec"})
	}
	if _, v, ok := get("cpu.max"); ok {
		out = append(out, stat{"cpu limit", v, "cpu.max"})
	}
	if _, v, ok := get("memory.current"); ok {
		lim, _, _ := g.Get("memory.max")
		peak, _, _ := g.Get("memory.peak")
		out = append(out, stat{"memory", fmt.Sprintf("%s now, %s at most, limit %s", human(v), human(peak), human(lim)), "memory.current, memory.peak, memory.max"})
	}
	if kv, _, ok := get("memory.events"); ok {
		out = append(out, stat{"memory events", fmt.Sprintf("limit hit %d, oom %d, oom_kill %d", kv["max"], kv["oom"], kv["oom_kill"]), "memory.events"})
	}
	if _, v, ok := get("pids.current"); ok {
		mx, _, _ := g.Get("pids.max")
		ev, _, _ := g.Get("pids.events")
		out = append(out, stat{"pids", fmt.Sprintf("%s of %s; forks refused: %d", v, mx, cgroup.KV(ev)["max"]), "pids.current, pids.max, pids.events"})
	}
	if _, v, ok := get("io.stat"); ok && strings.TrimSpace(v) != "" {
		out = append(out, stat{"io", oneLine(v), "io.stat"})
	}
	for _, p := range []string{"cpu", "memory", "io"} {
		if v, _, err := g.Get(p + ".pressure"); err == nil {
			out = append(out, stat{p + " pressure", oneLine(v), p + ".pressure (PSI)"})
		}
	}
	return out
}

// human shows a byte count as MiB where it is one.
func human(v string) string {
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil {
		return strings.TrimSpace(v)
	}
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1fG", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1fM", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1fK", float64(n)/(1<<10))
	}
	return strconv.FormatInt(n, 10)
}

// optionalGroup takes the [GROUP] of a command that names at most one ("":
// the current box's).
func optionalGroup(usage string, args []string) (string, error) {
	switch len(args) {
	case 0:
		return "", nil
	case 1:
		return args[0], nil
	}
	return "", result.Usagef(usage, "one group at a time")
}

func cgroupStat(s *Session, args []string) (*result.Result, error) {
	name, err := optionalGroup("cgroup stat [GROUP]", args)
	if err != nil {
		return nil, err
	}
	r := &result.Result{}
	g, label, err := s.group(r, name)
	if err != nil {
		return r, err
	}
	t := &result.Table{Header: []string{label, "now", "from"}}
	for _, st := range groupStats(g) {
		t.Rows = append(t.Rows, []string{st.key, st.value, st.from})
		t.Mark = append(t.Mark, false)
	}
	r.Table = t
	return r, nil
}

func cgroupFreeze(s *Session, args []string) (*result.Result, error) {
	return freezeOrKill(s, "cgroup freeze [GROUP]", args, "cgroup.freeze", "1",
		"Every process in %s is frozen: it stays in memory, takes no CPU and does not run until thawed (cgroup.events shows frozen 1).")
}

func cgroupThaw(s *Session, args []string) (*result.Result, error) {
	return freezeOrKill(s, "cgroup thaw [GROUP]", args, "cgroup.freeze", "0",
		"The processes of %s run again from where they stopped.")
}

func cgroupKill(s *Session, args []string) (*result.Result, error) {
	return freezeOrKill(s, "cgroup kill [GROUP]", args, "cgroup.kill", "1",
		"Every process in %s got SIGKILL from the kernel at once, including any forked while it happened.")
}

func freezeOrKill(s *Session, usage string, args []string, file, value, meaning string) (*result.Result, error) {
	name, err := optionalGroup(usage, args)
	if err != nil {
		return nil, err
	}
	// A box is in its own group, as a container's init is in the
	// container's: freezing the group freezes the box too (hood then
	// refuses commands that need it until thawed), and killing the group
	// ends the box.
	r := &result.Result{}
	g, label, err := s.group(r, name)
	if err != nil {
		return r, err
	}
	members := s.boxesIn(g)
	ops, notes, err := g.Set(file, value)
	addOps(r, ops)
	for _, n := range notes {
		r.Say("v1", "%s", n)
	}
	if err != nil {
		return r, cgroupErr(err)
	}
	if file == "cgroup.freeze" {
		// Freezing completes asynchronously: cgroup.events says frozen
		// once every task has stopped. Wait for it (briefly) so that
		// what hood reports is what is true.
		want := "frozen " + value
		for t0 := time.Now(); time.Since(t0) < 2*time.Second; time.Sleep(10 * time.Millisecond) {
			if ev, _, err := g.Get("cgroup.events"); err != nil || strings.Contains(ev, want) {
				break
			}
		}
	}
	for _, b := range members {
		if file == "cgroup.freeze" {
			b.SetFrozen(value == "1")
			continue
		}
		// The box died with its group: reap it and forget it.
		s.removeBox(b)
		r.Say(b.Name, "was in the group and is gone too; the current box is now %s", s.currentName())
	}
	if ev, _, err := g.Get("cgroup.events"); err == nil {
		r.Say("events", "%s", oneLine(ev))
	}
	r.Shell = shellOf(ops)
	r.Meaning = fmt.Sprintf(meaning, label)
	return r, nil
}

// removeBox reaps a box that is gone (or kills it), drops its group and
// forgets it.
func (s *Session) removeBox(b *box.Box) {
	s.thaw(b)
	_ = b.Kill()
	s.dropGroup(b.Name)
	for i, x := range s.Boxes {
		if x == b {
			s.Boxes = append(s.Boxes[:i], s.Boxes[i+1:]...)
			break
		}
	}
	if s.Current == b {
		s.Current = nil
		if len(s.Boxes) > 0 {
			s.Current = s.Boxes[len(s.Boxes)-1]
		}
	}
}

func (s *Session) currentName() string {
	if s.Current == nil {
		return "none (`box new` starts one)"
	}
	return s.Current.Name
}

// dropGroup removes a group, if there is one by that name, once its
// processes are gone.
func (s *Session) dropGroup(name string) {
	if g := s.groups[name]; g != nil {
		_, _ = g.Remove()
		delete(s.groups, name)
	}
}

// boxesIn lists the boxes whose process is in group g.
func (s *Session) boxesIn(g *cgroup.Group) []*box.Box {
	var out []*box.Box
	for i := range g.Dirs {
		pids, err := g.Procs(i)
		if err != nil {
			continue
		}
		for _, b := range s.Boxes {
			if slices.Contains(pids, b.PID) && !slices.Contains(out, b) {
				out = append(out, b)
			}
		}
		break
	}
	return out
}

// thaw thaws the groups that hold a frozen box, so that it can answer and
// die (a v1 frozen process does not act on SIGKILL until thawed).
func (s *Session) thaw(b *box.Box) {
	if !b.Frozen() {
		return
	}
	for _, g := range s.groups {
		if slices.Contains(s.boxesIn(g), b) {
			_, _, _ = g.Set("cgroup.freeze", "0")
			for _, m := range s.boxesIn(g) {
				m.SetFrozen(false)
			}
		}
	}
	b.SetFrozen(false)
}

func cgroupShow(s *Session, args []string) (*result.Result, error) {
	word := "self"
	if len(args) > 1 {
		return nil, result.Usagef("cgroup show [TARGET]", "one target at a time")
	}
	if len(args) == 1 {
		word = args[0]
	}
	tg, err := s.resolve(word)
	if err != nil {
		return nil, err
	}
	outside, err := s.Proc().Cgroup(tg.PID)
	if err != nil {
		return nil, err
	}
	var inside []procfs.Cgroup
	if b := s.find(tg.Label); b != nil {
		if data, err := b.ReadFile("/proc/self/cgroup"); err == nil {
			if inside, err = procfs.ParseCgroup(bytes.NewReader(data)); err != nil {
				inside = []procfs.Cgroup{} // a column of "?"
			}
		}
	}
	t := &result.Table{Header: []string{"hierarchy", "controllers", "path (host's view)"}}
	if inside != nil {
		t.Header = append(t.Header, "path ("+tg.Label+"'s own view)")
	}
	for i, c := range outside {
		ctl := strings.Join(c.Controllers, ",")
		if c.V2() {
			ctl = "(v2)"
		}
		row := []string{strconv.Itoa(c.ID), ctl, c.Path}
		if inside != nil {
			in := "?"
			if i < len(inside) {
				in = inside[i].Path
			}
			row = append(row, in)
		}
		t.Rows = append(t.Rows, row)
		t.Mark = append(t.Mark, strings.Contains(c.Path, "/hood/"))
	}
	r := &result.Result{Table: t}
	r.Shell = fmt.Sprintf("cat /proc/%d/cgroup", tg.PID)
	if inside != nil {
		r.Meaning = "The host's view is the full path from each hierarchy's root; the box's own view is relative to the root of its cgroup namespace, which is \"/\" where it unshared cgroup."
	}
	return r, nil
}

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
	addOps(r, ops)
	if err != nil {
		return r, fmt.Errorf("%w (a cgroup with processes in it cannot be removed: move or kill them first)", err)
	}
	delete(s.groups, name)
	r.Shell = "rmdir " + g.Dirs[0] + "  # and so on for each hierarchy"
	return r, nil
}
