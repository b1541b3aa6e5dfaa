package commands

import (
	"fmt"
	"slices"
	"strings"

	"hood/internal/doctor"
	"hood/internal/result"
)

// DoctorLabs judges the labs for doctor; package labs sets it (it imports
// commands, so commands cannot import it).
var DoctorLabs doctor.Judge

func init() {
	register(&Command{UsageLine: "doctor [--json]", Short: "what this machine gives hood: kernel, root, cgroups, user namespaces, tools, and which labs run",
		Long: `Checks the machine for a workshop and prints one row per check: kernel and
architecture; root and the capabilities held; the cgroup layout, its
controllers and those delegated to the user; user namespaces (the sysctls
that restrict them, and a real unshare(CLONE_NEWUSER) and uid_map write as
the invoking user, SUDO_UID under sudo); /etc/subuid and /etc/subgid and
newuidmap; time namespaces; seccomp; BPF device programs; nf_tables; veth;
the programs the labs run; WSL2 and containers. Then, for each lab, whether
it runs here as root and as the user, and what it lacks. A failed row says
how to fix it. --json prints the same for scripts (docs/doctor.md); hood
doctor outside the REPL exits 0 only when every lab runs.`,
		Flags: []string{"--json"}, Run: doctorCmd})
}

func doctorCmd(s *Session, args []string) (*result.Result, error) {
	r, _, err := Doctor(args)
	return r, err
}

// Doctor runs the checks: the result to show, and whether every lab runs
// as the user who ran hood.
func Doctor(args []string) (*result.Result, bool, error) {
	asJSON := false
	for _, a := range args {
		if a != "--json" {
			return nil, false, result.Usagef("doctor [--json]", "unknown argument %q (doctor takes only --json)", a)
		}
		asJSON = true
	}
	rep := doctor.Run(doctor.Live(), DoctorLabs)
	if asJSON {
		return &result.Result{JSON: rep}, rep.OK, nil
	}
	return doctorResult(rep), rep.OK, nil
}

// fixOf says how to get a requirement a lab lacks, as root or as the user:
// the row of the table that says it ("see userns"), or the fix itself.
func fixOf(need string, user bool) string {
	switch {
	case need == "root" || strings.HasPrefix(need, "userns"):
		if user {
			return "see userns"
		}
		return "sudo hood"
	case strings.HasPrefix(need, "controller:") || need == "cgroup" || need == "psi" && user || need == "runc" && user:
		if user {
			return "see delegation"
		}
		return "see cgroup"
	case need == "devices" && !user:
		return "see bpf"
	case need == "nf_tables":
		return "see nf_tables"
	case need == "ns:time":
		return "see time-ns"
	case strings.HasPrefix(need, "command:") || need == "busybox-static" || need == "runc":
		return "see programs"
	case need == "static-hood":
		return "build hood with make, which links it statically"
	case need == "seccomp-strict":
		return "run hood without a seccomp filter (not under strace --seccomp-bpf or a container's profile)"
	case need == "cgroup-v2" || need == "psi":
		return "boot with systemd.unified_cgroup_hierarchy=1 (cgroup v2; psi=1 too where PSI is off)"
	}
	return ""
}

func doctorResult(rep *doctor.Report) *result.Result {
	mark := map[string]string{"ok": "ok", "fail": "FAIL", "info": "-"}
	t := &result.Table{Header: []string{"check", "", "found (and how to fix it)"}}
	row := func(name, status, value, fix string) {
		if fix != "" && status != "ok" {
			value += "\nfix: " + fix
		}
		t.Rows = append(t.Rows, []string{name, mark[status], value})
		t.Mark = append(t.Mark, false)
	}
	for _, c := range rep.Checks {
		row(c.ID, c.Status, c.Value, c.Fix)
	}
	runs := 0
	for _, l := range rep.Labs {
		status, value, fix := labRow(rep, l)
		if status == "ok" {
			runs++
		}
		row("lab "+l.ID, status, value, fix)
	}
	r := &result.Result{Table: t}
	who := "root"
	if !rep.Facts.Root {
		who = fmt.Sprintf("uid %d", rep.Facts.User)
	}
	r.Say("labs", "%d of %d run here as %s", runs, len(rep.Labs), who)
	if f := rep.Failed(); f > 0 {
		r.Say("checks", "%d failed: each FAIL row says how to fix it", f)
	}
	return r
}

// says is a verdict in a few words, naming the requirements that fail.
func says(v doctor.Verdict) string {
	switch {
	case !v.Runs && !v.Known:
		return "cannot tell without root (" + strings.Join(v.Lacks, ", ") + ")"
	case !v.Runs:
		return "no, lacks " + strings.Join(v.Lacks, ", ") + ": " + strings.Join(v.Missing, "; ")
	case len(v.Skipped) > 0:
		var skips, unknown []string
		for _, s := range v.Skipped {
			if s.Known {
				skips = append(skips, fmt.Sprint(s.Step))
			} else {
				unknown = append(unknown, fmt.Sprint(s.Step))
			}
		}
		var parts []string
		if len(skips) > 0 {
			parts = append(parts, "skipping "+stepsText(skips))
		}
		if len(unknown) > 0 {
			parts = append(parts, stepsText(unknown)+" unknown without root")
		}
		return "yes, " + strings.Join(parts, ", ")
	}
	return "yes"
}

// labRow is a lab's row: failed when it does not run for the user who ran
// hood; both verdicts, the steps each would skip and why (once per
// reason), and how to get what it lacks.
func labRow(rep *doctor.Report, l doctor.LabRow) (status, value, fix string) {
	v := l.User
	if rep.Facts.Root {
		v = l.Root
	}
	status = "ok"
	if !v.Runs {
		status = "fail"
	}
	value = "root: " + says(l.Root)
	if rep.Facts.User != 0 {
		value += fmt.Sprintf("\nuid %d: %s", rep.Facts.User, says(l.User))
	}
	var fixes, whys []string
	if !rep.Facts.Root && l.Root.Runs && !l.User.Runs {
		fixes = append(fixes, "as root it runs: sudo hood lab "+l.ID)
	}
	steps := map[string][]string{} // why -> the steps it skips
	for i, vv := range []doctor.Verdict{l.Root, l.User} {
		for _, st := range vv.Skipped {
			if !slices.Contains(whys, st.Why) {
				whys = append(whys, st.Why)
			}
			if n := fmt.Sprint(st.Step); !slices.Contains(steps[st.Why], n) {
				steps[st.Why] = append(steps[st.Why], n)
			}
		}
		for _, need := range vv.Lacks {
			if c := fixOf(need, i == 1 && rep.Facts.User != 0); c != "" && !slices.Contains(fixes, c) {
				fixes = append(fixes, c)
			}
		}
	}
	for _, why := range whys {
		value += "\n" + stepsText(steps[why]) + ": " + why
	}
	return status, value, strings.Join(fixes, "; ")
}

// stepsText is "step 3" or "steps 3, 4".
func stepsText(nums []string) string {
	if len(nums) == 1 {
		return "step " + nums[0]
	}
	return "steps " + strings.Join(nums, ", ")
}
