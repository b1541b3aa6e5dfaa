package labs

import (
	"fmt"
	"slices"
	"strings"

	"hood/commands"
	"hood/internal/doctor"
)

func init() {
	commands.DoctorLabs = Judge
}

// who a lab is judged for by hood doctor.
type who int

const (
	asRoot who = iota // root on this machine
	asUser            // the invoking user, without root (rootless)
)

// Judge says, for every built-in lab, whether it runs here as root and as
// the invoking user, and what it lacks. Each requirement's probe runs once.
func Judge(ctx doctor.Context) []doctor.LabRow {
	all, err := Builtin()
	if err != nil {
		return nil
	}
	j := &judging{ctx: ctx, seen: map[string]answer{}}
	var rows []doctor.LabRow
	for _, l := range all {
		row := doctor.LabRow{ID: l.ID, Title: l.Title, Root: j.verdict(l, asRoot)}
		if ctx.User == 0 {
			row.User = row.Root // the user is root
		} else {
			row.User = j.verdict(l, asUser)
		}
		rows = append(rows, row)
	}
	return rows
}

type answer struct {
	ok  bool
	why string
}

type judging struct {
	ctx  doctor.Context
	seen map[string]answer // requirement probes as hood runs now
}

// probe is requirement name's own answer, for the process hood is.
func (j *judging) probe(name string) (bool, string) {
	if a, ok := j.seen[name]; ok {
		return a.ok, a.why
	}
	f, err := requirement(name)
	a := answer{false, ""}
	if err != nil {
		a.why = err.Error()
	} else {
		a.ok, a.why = f()
	}
	j.seen[name] = a
	return a.ok, a.why
}

func (j *judging) verdict(l *Lab, w who) doctor.Verdict {
	v := doctor.Verdict{Runs: true, Known: true}
	for _, n := range l.Needs {
		if ok, why, known := j.holds(n, w); !ok {
			v.Runs, v.Known = false, v.Known && known
			v.Lacks = append(v.Lacks, n)
			if !slices.Contains(v.Missing, why) {
				v.Missing = append(v.Missing, why)
			}
		}
	}
	for i, st := range l.Steps {
		var whys []string
		known := true
		for _, n := range st.Needs {
			if ok, why, k := j.holds(n, w); !ok && !slices.Contains(whys, why) {
				whys, known = append(whys, why), known && k
			}
		}
		if len(whys) > 0 {
			v.Skipped = append(v.Skipped, doctor.Skip{Step: i + 1, Title: st.Title, Why: strings.Join(whys, "; "), Known: known})
		}
	}
	if v.Runs {
		v.Known = true
	}
	return v
}

// holds is whether requirement name holds for w. known is false when hood,
// not being root, cannot tell what root would get.
func (j *judging) holds(name string, w who) (ok bool, why string, known bool) {
	if w == asUser {
		return j.asUser(name)
	}
	switch name { // root has them, whoever hood runs as now
	case "root", "ns-caps", "userns-ids":
		return true, "", true
	}
	ok, why = j.probe(name)
	if ok || j.ctx.Root {
		return ok, why, true
	}
	switch name { // probes that answer for this process, not for root
	case "nf_tables":
		return j.ctx.NFTables == "", j.ctx.NFTables, true
	case "devices", "file-caps":
		return false, "cannot tell without root (" + why + ")", false
	}
	return ok, why, true
}

// asUser is what an unprivileged user needs for requirement name: the one
// place that says it, for rootless mode to refine. hood without root works
// in a user namespace it owns, so "ns-caps" means a user namespace the user
// can make and map itself into, "userns-ids" also the user's subordinate
// ranges, and "root" real root, which no user has; cgroups mean a delegated v2 subtree with
// the controller; v1 hierarchies and device programs stay root's.
func (j *judging) asUser(name string) (bool, string, bool) {
	ctx := j.ctx
	subtree := func() (bool, string) {
		switch {
		case !ctx.V2:
			return false, fmt.Sprintf("no cgroup v2 tree, so nothing is delegated to uid %d (v1 hierarchies are root's)", ctx.User)
		case ctx.Delegated == nil:
			return false, fmt.Sprintf("no cgroup v2 subtree is delegated to uid %d", ctx.User)
		}
		return true, ""
	}
	switch {
	case name == "root" || name == "runc":
		// As hood's rootless mode (labs/needs.go) has it: root is real
		// root, capabilities in the host's user namespace.
		return false, "needs real root: capabilities in the host's user namespace, which the user namespace hood makes for its boxes does not give", true
	case name == "ns-caps" || name == "userns" || name == "userns-unprivileged":
		if ctx.UserNS != "" {
			return false, "no user namespace: " + ctx.UserNS, true
		}
		return true, "", true
	case name == "userns-ids":
		if ctx.UserNS != "" {
			return false, "no user namespace: " + ctx.UserNS, true
		}
		if ctx.IDs != "" {
			return false, ctx.IDs, true
		}
		return true, "", true
	case strings.HasPrefix(name, "controller:"):
		if ok, why := subtree(); !ok {
			return false, why, true
		}
		ctl := strings.TrimPrefix(name, "controller:")
		for _, d := range ctx.Delegated {
			if d == ctl {
				return true, "", true
			}
		}
		return false, fmt.Sprintf("the %s controller is not delegated to uid %d (%s has: %s)", ctl, ctx.User, ctx.DelegatedAt, strings.Join(ctx.Delegated, " ")), true
	case name == "cgroup" || name == "cgroup-v2" || name == "psi":
		if ok, why := subtree(); !ok {
			return false, why, true
		}
	case name == "cgroup-v1" || name == "devices-v1":
		return false, "v1 cgroup hierarchies belong to root: an unprivileged user has no v1 group of its own", true
	case name == "devices":
		return false, "device programs need real root: bpf(BPF_PROG_LOAD) of a cgroup_device program needs CAP_SYS_ADMIN or CAP_BPF in the initial user namespace, which a user namespace does not give", true
	case name == "nf_tables":
		return ctx.NFTables == "", ctx.NFTables, true // in the box's own network namespace
	}
	ok, why := j.probe(name)
	return ok, why, true
}
