package commands

import (
	"fmt"
	"strconv"
	"strings"

	"hood/internal/kernel/call"
	"hood/internal/kernel/cgroup"
	"hood/internal/result"
)

// knownFile accepts a v2 name hood knows, or a file that exists in one of
// the machine's v1 hierarchies (v1 names are taken as they are there).
func (s *Session) knownFile(name string) error {
	if cgroup.Lookup(name) != nil {
		return nil
	}
	if hs, err := s.hierarchies(); err == nil && cgroup.HasV1File(hs, name) {
		return nil
	}
	return &result.UsageError{Msg: cgroup.Unknown(name).Error()}
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
	if isMove(file) {
		m, err := s.moveTarget(file, value)
		if err != nil {
			return nil, err
		}
		r, g, label, err := s.groupResult(name)
		if err != nil {
			return r, err
		}
		return r, s.move(r, g, label, file, m)
	}
	if sp := cgroup.Lookup(file); sp != nil {
		if err := sp.Check(value); err != nil {
			return nil, &result.UsageError{Msg: err.Error()}
		}
	}
	r, g, label, err := s.groupResult(name)
	if err != nil {
		return r, err
	}
	before, _, _ := g.Get(file)
	from := len(r.Syscalls)
	if err := setFile(r, g, file, value); err != nil {
		return r, err
	}
	after, _, _ := g.Get(file)
	if before != "" || after != "" {
		r.Changes = append(r.Changes, result.Change{Path: file + " of " + label, Before: oneLine(before), After: oneLine(after)})
	}
	r.Shell = call.Shells(r.Syscalls[from:])
	if sp := cgroup.Lookup(file); sp != nil {
		r.Meaning = fmt.Sprintf("%s: %s.", file, sp.Format)
	}
	return r, nil
}

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
	r, g, label, err := s.groupResult(name)
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
	r, g, label, err := s.groupResult(name)
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

// setFile writes a v2-named file of group g (the v1 file(s) on v1), narrating
// the calls and the v1 translation into r.
func setFile(r *result.Result, g *cgroup.Group, file, value string) error {
	ops, notes, err := g.Set(file, value)
	r.Add(ops...)
	for _, n := range notes {
		r.Say("v1", "%s", n)
	}
	if err != nil {
		return cgroupErr(err)
	}
	return nil
}
