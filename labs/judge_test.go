package labs

import (
	"strings"
	"testing"

	"hood/internal/doctor"
	"hood/internal/testenv"
)

const judgeLab = `
id: judged
title: Judged
minutes: 1
needs: [ns-caps, "controller:cpu"]
intro: A lab for the judge.
steps:
  - title: one
    text: t
    hints: [h]
    solution: [box ls]
    checks: [{say: s, hostname: {box: any, is: x}}]
  - title: devices
    text: t
    hints: [h]
    solution: [box ls]
    checks: [{say: s, hostname: {box: any, is: x}}]
    needs: [devices]
`

// What an unprivileged user needs comes from the context alone for these
// requirements: no probe of the machine runs.
func TestJudgeAsUser(t *testing.T) {
	l, err := Parse([]byte(judgeLab), "judged.yaml")
	if err != nil {
		t.Fatal(err)
	}
	delegated := doctor.Context{User: 1000, V2: true, Delegated: []string{"cpu", "memory", "pids"}, DelegatedAt: "/sys/fs/cgroup/user.slice/user-1000.slice/user@1000.service"}
	noCPU := delegated
	noCPU.Delegated = []string{"memory", "pids"}
	noUserNS := delegated
	noUserNS.UserNS = "AppArmor denies it"
	hybrid := doctor.Context{User: 1000, V2: true}
	v1 := doctor.Context{User: 1000}
	for _, tc := range []struct {
		name  string
		ctx   doctor.Context
		runs  bool
		lacks string
		why   string
	}{
		{"delegated", delegated, true, "", ""},
		{"cpu not delegated", noCPU, false, "controller:cpu", "the cpu controller is not delegated to uid 1000"},
		{"no user namespace", noUserNS, false, "ns-caps", "no user namespace: AppArmor denies it"},
		{"nothing delegated", hybrid, false, "controller:cpu", "no cgroup v2 subtree is delegated to uid 1000"},
		{"v1", v1, false, "controller:cpu", "no cgroup v2 tree"},
	} {
		j := &judging{ctx: tc.ctx, seen: map[string]answer{}}
		v := j.verdict(l, asUser)
		if v.Runs != tc.runs || strings.Join(v.Lacks, ",") != tc.lacks || !strings.Contains(strings.Join(v.Missing, ";"), tc.why) {
			t.Errorf("%s: %+v, want runs %v lacking %q (%q)", tc.name, v, tc.runs, tc.lacks, tc.why)
		}
		// Device programs need real root, whatever is delegated.
		if len(v.Skipped) != 1 || v.Skipped[0].Step != 2 || !strings.Contains(v.Skipped[0].Why, "need real root") {
			t.Errorf("%s: skipped %+v, want step 2 for device programs", tc.name, v.Skipped)
		}
		if len(j.seen) != 0 {
			t.Errorf("%s: probed %v, which the context answers", tc.name, j.seen)
		}
	}
}

// As rootless mode has them: root is real root, which no user has;
// userns-ids needs the user's subordinate ranges and newuidmap.
func TestJudgeRealRootAndIDs(t *testing.T) {
	ctx := doctor.Context{User: 1000, V2: true}
	j := &judging{ctx: ctx, seen: map[string]answer{}}
	if ok, why, _ := j.asUser("root"); ok || !strings.Contains(why, "needs real root") {
		t.Errorf("root as a user: %v %q", ok, why)
	}
	if ok, _, _ := j.asUser("userns-ids"); !ok {
		t.Error("userns-ids refused with the ranges mapped")
	}
	ctx.IDs = "uid 1000 has no range in /etc/subuid"
	j = &judging{ctx: ctx, seen: map[string]answer{}}
	if ok, why, _ := j.asUser("userns-ids"); ok || why != ctx.IDs {
		t.Errorf("userns-ids without ranges: %v %q", ok, why)
	}
}

// Root's verdict when hood is not root: what only root's probe can say is
// unknown, not missing.
func TestJudgeRootUnknown(t *testing.T) {
	j := &judging{ctx: doctor.Context{User: 1000}, seen: map[string]answer{"devices": {false, "EPERM"}, "nf_tables": {false, "EPERM"}}}
	if ok, _, known := j.holds("root", asRoot); !ok || !known {
		t.Errorf("root as root: %v %v", ok, known)
	}
	if ok, why, known := j.holds("devices", asRoot); ok || known || !strings.Contains(why, "cannot tell without root") {
		t.Errorf("devices as root, judged by a user: %v %q %v", ok, why, known)
	}
	// The kernel's symbols answer for nf_tables.
	if ok, _, known := j.holds("nf_tables", asRoot); !ok || !known {
		t.Errorf("nf_tables as root, judged by a user: %v %v", ok, known)
	}
	// A step that needs device programs may run as root: unknown, not skipped.
	l, err := Parse([]byte(judgeLab), "judged.yaml")
	if err != nil {
		t.Fatal(err)
	}
	j.seen["controller:cpu"] = answer{true, ""}
	if v := j.verdict(l, asRoot); !v.Runs || len(v.Skipped) != 1 || v.Skipped[0].Known {
		t.Errorf("as root, judged by a user: %+v, want step 2 unknown", v)
	}
	j.ctx.Root = true // as root, the probe's answer is root's
	if v := j.verdict(l, asRoot); len(v.Skipped) != 1 || !v.Skipped[0].Known {
		t.Errorf("as root, judged by root: %+v, want step 2 skipped", v)
	}
	if ok, why, known := j.holds("devices", asRoot); ok || !known || why != "EPERM" {
		t.Errorf("devices as root, judged by root: %v %q %v", ok, why, known)
	}
}

// Judge covers every built-in lab, and the user is root when hood runs as
// root without sudo.
func TestJudgeBuiltin(t *testing.T) {
	testenv.Kernel(t) // the requirements' probes read this machine
	all, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	rows := Judge(doctor.Context{Root: true, User: 0, V2: true})
	if len(rows) != len(all) {
		t.Fatalf("%d rows for %d labs", len(rows), len(all))
	}
	for _, r := range rows {
		if r.ID == "" || r.Title == "" || len(r.Root.Lacks) > 0 && len(r.Root.Missing) == 0 || r.Root.Runs != (len(r.Root.Lacks) == 0) {
			t.Errorf("row %+v", r)
		}
		if r.Root.Runs != r.User.Runs || len(r.Root.Lacks) != len(r.User.Lacks) {
			t.Errorf("%s: uid 0's verdict %+v differs from root's %+v", r.ID, r.User, r.Root)
		}
	}
}
