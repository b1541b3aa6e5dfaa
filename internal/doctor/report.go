package doctor

import "fmt"

// Schema is the version of the JSON `hood doctor --json` prints; it goes
// up only when a field changes meaning or goes away (docs/doctor.md).
const Schema = 1

// Report is everything doctor says; its JSON is `hood doctor --json`.
type Report struct {
	Schema int      `json:"schema"`
	OK     bool     `json:"ok"` // every lab runs as the user who ran hood (root if root)
	As     string   `json:"as"` // "root" or "user": whose verdicts OK is about
	Facts  Facts    `json:"machine"`
	Checks []Check  `json:"checks"`
	Labs   []LabRow `json:"labs"`
}

// Check is one row of the table.
type Check struct {
	ID     string `json:"id"`     // stable: kernel, user, caps, cgroup, delegation, ...
	Status string `json:"status"` // "ok", "fail" or "info"
	Value  string `json:"value"`  // what was found
	Fix    string `json:"fix,omitempty"`
}

// LabRow is one lab's verdicts.
type LabRow struct {
	ID    string  `json:"id"`
	Title string  `json:"title"`
	Root  Verdict `json:"root"` // as root
	User  Verdict `json:"user"` // as the invoking user, without root (rootless)
}

// Verdict is whether a lab runs for someone, and what it lacks.
type Verdict struct {
	Runs    bool     `json:"runs"`                    // the lab starts: its own needs hold
	Known   bool     `json:"known"`                   // false: doctor could not tell without root
	Lacks   []string `json:"lacks,omitempty"`         // the requirements (labs' needs:) that do not hold
	Missing []string `json:"missing,omitempty"`       // what each lacks, in a sentence
	Skipped []Skip   `json:"skipped_steps,omitempty"` // steps it would skip
}

// Skip is a step a lab would skip, and why.
type Skip struct {
	Step  int    `json:"step"`
	Title string `json:"title"`
	Why   string `json:"why"`
	Known bool   `json:"known"` // false: doctor could not tell without root, so the step may run
}

// Context is what judging a lab for root and for the user needs to know
// of the machine besides each requirement's own probe (labs.Judge).
type Context struct {
	Root        bool     // hood runs as root: probes answer for root
	User        int      // the invoking user's uid
	UserNS      string   // "" when the user can make a user namespace and map itself; else why not
	V2          bool     // a cgroup v2 tree is mounted
	Delegated   []string // v2 controllers delegated to the user; nil when nothing is
	DelegatedAt string
	NFTables    string // "" when the kernel has nf_tables
	IDs         string // "" when the user's subordinate ranges can be mapped (subuid, subgid, newuidmap); else why not
}

// Judge gives each lab's verdicts for a context (labs.Judge).
type Judge func(Context) []LabRow

// Run reads the machine and judges the labs.
func Run(m *Machine, judge Judge) *Report {
	f := m.Read()
	rep := &Report{Schema: Schema, Facts: f, As: "user"}
	if f.Root {
		rep.As = "root"
	}
	ctx := Context{Root: f.Root, User: f.User, UserNS: f.UserNS.Why, V2: f.Cgroup.Mode == "v2" || f.Cgroup.Mode == "hybrid",
		Delegated: f.Cgroup.Delegated, DelegatedAt: f.Cgroup.DelegatedAt, NFTables: f.NFTables}
	switch {
	case len(f.Subuid) == 0 || len(f.Subgid) == 0:
		ctx.IDs = fmt.Sprintf("uid %d has no range in /etc/subuid and /etc/subgid, so a box maps only the user's own uid", f.User)
	case f.Newuidmap == "" || f.Newgidmap == "":
		ctx.IDs = "newuidmap and newgidmap are not installed (apt-get install uidmap), so a box maps only the user's own uid"
	}
	if judge != nil {
		rep.Labs = judge(ctx)
	}
	// No lab judged (none could be loaded) is not "every lab runs".
	rep.OK = len(rep.Labs) > 0
	if rep.Labs == nil {
		rep.Labs = []LabRow{}
	}
	for _, l := range rep.Labs {
		v := l.User
		if f.Root {
			v = l.Root
		}
		if !v.Runs {
			rep.OK = false
		}
	}
	rep.Checks = checks(m, f)
	return rep
}

// Failed counts the rows that failed.
func (r *Report) Failed() int {
	n := 0
	for _, c := range r.Checks {
		if c.Status == "fail" {
			n++
		}
	}
	return n
}
