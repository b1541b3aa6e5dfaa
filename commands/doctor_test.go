package commands

import (
	"strings"
	"testing"

	"hood/internal/doctor"
)

// The table: a row per check and per lab, fixes on the failed rows only,
// and the lab rows' verdicts for root and for the user.
func TestDoctorTable(t *testing.T) {
	rep := &doctor.Report{Facts: doctor.Facts{UID: 1000, User: 1000},
		Checks: []doctor.Check{{ID: "kernel", Status: "ok", Value: "6.8.0 x86_64"},
			{ID: "userns", Status: "fail", Value: "AppArmor", Fix: "sudo sysctl -w x=0"},
			{ID: "veth", Status: "ok", Value: "yes", Fix: "never shown"}},
		Labs: []doctor.LabRow{
			{ID: "uts", Root: doctor.Verdict{Runs: true, Known: true}, User: doctor.Verdict{Runs: false, Known: true, Lacks: []string{"root"}, Missing: []string{"no user namespace: AppArmor"}}},
			{ID: "cg-tour", Root: doctor.Verdict{Runs: true, Known: true, Skipped: []doctor.Skip{{Step: 3, Why: "v2 only", Known: true}, {Step: 5, Why: "cannot tell"}}},
				User: doctor.Verdict{Runs: true, Known: true, Skipped: []doctor.Skip{{Step: 3, Why: "v2 only", Known: true}, {Step: 4, Why: "v2 only", Known: true}}}},
			{ID: "devices", Root: doctor.Verdict{Runs: false, Known: false, Lacks: []string{"devices"}, Missing: []string{"cannot tell"}},
				User: doctor.Verdict{Runs: false, Known: true, Lacks: []string{"devices"}, Missing: []string{"need real root"}}},
		}}
	r := doctorResult(rep)
	rows := map[string][]string{}
	for _, row := range r.Table.Rows {
		rows[row[0]] = row
	}
	for name, want := range map[string][2]string{
		"kernel":      {"ok", "6.8.0 x86_64"},
		"userns":      {"FAIL", "AppArmor\nfix: sudo sysctl -w x=0"},
		"veth":        {"ok", "yes"},
		"lab uts":     {"FAIL", "root: yes\nuid 1000: no, lacks root: no user namespace: AppArmor\nfix: as root it runs: sudo hood lab uts; see userns"},
		"lab cg-tour": {"ok", "root: yes, skipping step 3, step 5 unknown without root\nuid 1000: yes, skipping steps 3, 4\nsteps 3, 4: v2 only\nstep 5: cannot tell"},
		"lab devices": {"FAIL", "root: cannot tell without root (devices)\nuid 1000: no, lacks devices: need real root\nfix: see bpf"},
	} {
		if got := rows[name]; got == nil || got[1] != want[0] || got[2] != want[1] {
			t.Errorf("%s: got %q, want %q", name, got, want)
		}
	}
	var said []string
	for _, l := range r.Lines {
		said = append(said, l.Key+" "+l.Value)
	}
	if s := strings.Join(said, "\n"); !strings.Contains(s, "labs 1 of 3 run here as uid 1000") || !strings.Contains(s, "checks 1 failed") {
		t.Errorf("lines:\n%s", s)
	}
	if _, _, err := Doctor([]string{"--yaml"}); err == nil || !strings.Contains(err.Error(), `unknown argument "--yaml"`) {
		t.Errorf("doctor --yaml: %v", err)
	}
}
