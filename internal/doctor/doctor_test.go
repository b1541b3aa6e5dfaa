package doctor

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// fixture is a machine under testdata/NAME with fake probes: every
// program but those in lack is installed, and the userns probe answers
// unshare and uidMap.
func fixture(name string, env map[string]string, unshare, uidMap string, lack ...string) *Machine {
	root := filepath.Join("testdata", name)
	return &Machine{Root: root, Exe: "/usr/local/bin/hood", Getenv: func(k string) string { return env[k] }, Probes: Probes{
		LookPath: func(p string) (string, error) {
			if slices.Contains(lack, p) {
				return "", exec.ErrNotFound
			}
			return "/usr/bin/" + p, nil
		},
		UserNS:   func(uid, gid int) (string, string, error) { return unshare, uidMap, nil },
		BPF:      func() error { return nil },
		NFTables: func() error { return nil },
		// The user@1000.service groups are ada's, as systemd makes them.
		Owner: func(path string) int {
			if strings.Contains(path, "user@1000.service") {
				return 1000
			}
			return 0
		},
	}}
}

func check(t *testing.T, rep *Report, id string) Check {
	t.Helper()
	for _, c := range rep.Checks {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("no check %s in %+v", id, rep.Checks)
	return Check{}
}

func wantCheck(t *testing.T, rep *Report, id, status, value, fix string) {
	t.Helper()
	c := check(t, rep, id)
	if c.Status != status || !strings.Contains(c.Value, value) || !strings.Contains(c.Fix, fix) {
		t.Errorf("%s: got %s %q (fix %q), want %s containing %q (fix containing %q)", id, c.Status, c.Value, c.Fix, status, value, fix)
	}
	if c.Status == "fail" && c.Fix == "" {
		t.Errorf("%s failed and says no fix: %q", id, c.Value)
	}
}

func TestHybridRoot(t *testing.T) {
	rep := Run(fixture("hybrid", nil, "", ""), nil)
	f := rep.Facts
	if f.Kernel != "6.18.44" || f.Arch != "x86_64" || !f.Root || f.User != 0 || f.Cgroup.Mode != "hybrid" {
		t.Fatalf("facts: %+v", f)
	}
	if want := []string{"cpu", "cpuset", "hugetlb", "memory", "pids"}; !slices.Equal(f.Cgroup.Controllers, want) {
		t.Errorf("controllers %v, want %v", f.Cgroup.Controllers, want)
	}
	if !slices.Equal(f.Cgroup.V2, []string{"hugetlb"}) || f.Cgroup.Delegated != nil {
		t.Errorf("v2 %v, delegated %v", f.Cgroup.V2, f.Cgroup.Delegated)
	}
	wantCheck(t, rep, "caps", "ok", "all 41", "")
	wantCheck(t, rep, "cgroup", "ok", "hybrid: v1 cpu cpuset memory pids", "")
	wantCheck(t, rep, "delegation", "info", "root", "")
	wantCheck(t, rep, "userns", "ok", "uid 0: unshare(CLONE_NEWUSER) and uid_map worked", "")
	wantCheck(t, rep, "veth", "ok", "yes", "")
	wantCheck(t, rep, "container", "ok", "none", "")
	wantCheck(t, rep, "programs", "ok", "busybox ip runc", "")
}

func TestV2Delegated(t *testing.T) {
	rep := Run(fixture("v2", nil, "", "", "runc", "getcap"), nil)
	f := rep.Facts
	if f.Root || f.User != 1000 || f.Cgroup.Mode != "v2" || !slices.Equal(f.Cgroup.Delegated, []string{"cpu", "memory", "pids"}) {
		t.Fatalf("facts: %+v", f)
	}
	if f.Cgroup.DelegatedAt != "/sys/fs/cgroup/user.slice/user-1000.slice/user@1000.service" {
		t.Errorf("delegated at %q", f.Cgroup.DelegatedAt)
	}
	// cpuset and io are not delegated by default: the drop-in gives them.
	wantCheck(t, rep, "delegation", "fail", "uid 1000: cpu memory pids; not cpuset io", "Delegate=cpu cpuset io memory pids")
	wantCheck(t, rep, "subuid", "ok", "subuid 100000-165535, subgid 100000-165535", "")
	wantCheck(t, rep, "programs", "fail", "missing: runc getcap", "sudo apt-get install libcap2-bin runc")
	wantCheck(t, rep, "user", "info", "uid 1000 (ada), not root", "sudo /usr/local/bin/hood doctor")
	wantCheck(t, rep, "bpf", "info", "not tried", "sudo")
	wantCheck(t, rep, "caps", "info", "none", "")
}

func TestV2NotOwned(t *testing.T) {
	m := fixture("v2", nil, "", "")
	m.Probes.Owner = func(string) int { return 0 } // systemd without Delegate
	rep := Run(m, nil)
	if rep.Facts.Cgroup.Delegated != nil {
		t.Fatalf("delegated %v from a group root owns", rep.Facts.Cgroup.Delegated)
	}
	wantCheck(t, rep, "delegation", "fail", "is not owned by uid 1000", "systemctl daemon-reload")
}

func TestV1OldDebian(t *testing.T) {
	rep := Run(fixture("v1", map[string]string{"SUDO_UID": "1000", "SUDO_GID": "1000"}, "EPERM", ""), nil)
	f := rep.Facts
	if f.Cgroup.Mode != "v1" || !f.Root || !f.Sudo || f.User != 1000 || f.TimeNS {
		t.Fatalf("facts: %+v", f)
	}
	wantCheck(t, rep, "user", "ok", "root, by sudo for uid 1000", "")
	wantCheck(t, rep, "caps", "fail", "all 41 but", "")
	wantCheck(t, rep, "cgroup", "ok", "v1: cpu cpuacct memory", "")
	wantCheck(t, rep, "delegation", "fail", "cgroup v1", "systemd.unified_cgroup_hierarchy=1")
	wantCheck(t, rep, "userns", "fail", "unshare(CLONE_NEWUSER) as uid 1000 failed with EPERM", "sudo sysctl -w kernel.unprivileged_userns_clone=1")
	wantCheck(t, rep, "time-ns", "fail", "Linux 5.6", "")
	wantCheck(t, rep, "subuid", "fail", "uid 1000 has no range", "usermod --add-subuids 100000-165535 --add-subgids 100000-165535 ada")
}

func TestWSL2(t *testing.T) {
	rep := Run(fixture("wsl2", map[string]string{"WSL_DISTRO_NAME": "Ubuntu"}, "", "", "newuidmap", "newgidmap"), nil)
	f := rep.Facts
	if f.WSL != "WSL2" || f.Cgroup.Mode != "hybrid" || f.Container != "" {
		t.Fatalf("facts: %+v", f)
	}
	wantCheck(t, rep, "wsl", "info", "WSL2", "")
	wantCheck(t, rep, "cgroup", "ok", "v2 controllers: none", "")
	wantCheck(t, rep, "delegation", "fail", "user@1000.service", "kernelCommandLine = cgroup_no_v1=all")
	wantCheck(t, rep, "newuidmap", "fail", "not installed", "sudo apt-get install uidmap")
	// No kallsyms to read, no module list: doctor says the kernel lacks them.
	wantCheck(t, rep, "veth", "fail", "no veth", "modprobe veth")
	wantCheck(t, rep, "nf_tables", "fail", "no nf_tables", "modprobe nf_tables")
}

func TestDocker(t *testing.T) {
	m := fixture("docker", nil, "EPERM", "")
	m.Probes.BPF = func() error { return errors.New("operation not permitted") }
	rep := Run(m, nil)
	f := rep.Facts
	if f.Container != "docker" || f.Cgroup.Mode != "v2" || !f.Root {
		t.Fatalf("facts: %+v", f)
	}
	if slices.Contains(f.Caps, "CAP_SYS_ADMIN") || !slices.Contains(f.Caps, "CAP_CHOWN") {
		t.Errorf("caps %v: Docker's default set has CAP_CHOWN, not CAP_SYS_ADMIN", f.Caps)
	}
	wantCheck(t, rep, "container", "info", "inside docker", "run hood on the host or in a VM")
	wantCheck(t, rep, "caps", "fail", "root without every capability", "--privileged")
	wantCheck(t, rep, "userns", "fail", "failed with EPERM (no sysctl here forbids it", "the container forbids it")
	wantCheck(t, rep, "bpf", "fail", "operation not permitted", "outside a container")
	wantCheck(t, rep, "seccomp", "ok", "hood itself runs under a filter", "")
	// Without the marker file, the overlay root still gives it away.
	m.Root = t.TempDir()
	if err := exec.Command("cp", "-a", "testdata/docker/.", m.Root).Run(); err != nil {
		t.Fatal(err)
	}
	if err := exec.Command("rm", m.Root+"/.dockerenv").Run(); err != nil {
		t.Fatal(err)
	}
	if c := m.Read().Container; !strings.Contains(c, "overlay") {
		t.Errorf("container %q without /.dockerenv, want the overlay root named", c)
	}
}

func TestUbuntuAppArmor(t *testing.T) {
	rep := Run(fixture("ubuntu", nil, "", "EPERM"), nil)
	u := rep.Facts.UserNS
	if u.AppArmorRestrict != 1 || u.Usable || u.UIDMap != "EPERM" || !rep.Facts.Apparmor {
		t.Fatalf("userns: %+v", u)
	}
	wantCheck(t, rep, "userns", "fail", "unshare(CLONE_NEWUSER) as uid 1000 worked, but writing its uid_map failed with EPERM", "profile hood /usr/local/bin/hood flags=(unconfined)")
	wantCheck(t, rep, "userns", "fail", "", "apparmor_parser -r /etc/apparmor.d/hood")
	wantCheck(t, rep, "delegation", "fail", "memory pids; not cpu cpuset io", "Delegate=")
}

// The sysctls alone, when the probe cannot run.
func TestSysctlsWithoutProbe(t *testing.T) {
	m := fixture("ubuntu", nil, "", "")
	m.Probes.UserNS = nil
	rep := Run(m, nil)
	if rep.Facts.UserNS.Tried || rep.Facts.UserNS.Usable {
		t.Fatalf("userns %+v", rep.Facts.UserNS)
	}
	wantCheck(t, rep, "userns", "fail", "kernel.apparmor_restrict_unprivileged_userns is 1", "apparmor")
}

// OK is about the verdicts of the user who ran hood: root's when root.
func TestOK(t *testing.T) {
	judge := func(rootRuns, userRuns bool) Judge {
		return func(Context) []LabRow {
			return []LabRow{{ID: "a", Root: Verdict{Runs: true, Known: true}, User: Verdict{Runs: true, Known: true}},
				{ID: "b", Root: Verdict{Runs: rootRuns, Known: true}, User: Verdict{Runs: userRuns, Known: true}}}
		}
	}
	for _, tc := range []struct {
		tree               string
		rootRuns, userRuns bool
		ok                 bool
	}{
		{"hybrid", true, false, true}, {"hybrid", false, true, false},
		{"v2", true, false, false}, {"v2", false, true, true},
	} {
		rep := Run(fixture(tc.tree, nil, "", ""), judge(tc.rootRuns, tc.userRuns))
		if rep.OK != tc.ok {
			t.Errorf("%s, root runs %v, user runs %v: OK %v, want %v", tc.tree, tc.rootRuns, tc.userRuns, rep.OK, tc.ok)
		}
	}
	if rep := Run(fixture("hybrid", nil, "", ""), func(Context) []LabRow { return nil }); rep.OK || rep.Labs == nil {
		t.Errorf("no lab judged: OK %v, labs %v", rep.OK, rep.Labs)
	}
}

// The context labs are judged in comes from the facts.
func TestContext(t *testing.T) {
	var got Context
	Run(fixture("ubuntu", nil, "", "EPERM"), func(c Context) []LabRow { got = c; return nil })
	if got.Root || got.User != 1000 || !got.V2 || !slices.Equal(got.Delegated, []string{"memory", "pids"}) || !strings.Contains(got.UserNS, "EPERM") {
		t.Errorf("context %+v", got)
	}
}

// The JSON fields docs/doctor.md promises.
func TestJSONShape(t *testing.T) {
	rep := Run(fixture("v2", nil, "", ""), func(Context) []LabRow {
		return []LabRow{{ID: "uts", Title: "t", Root: Verdict{Runs: true, Known: true},
			User: Verdict{Runs: false, Known: true, Lacks: []string{"root"}, Missing: []string{"why"}, Skipped: []Skip{{Step: 2, Title: "s", Why: "w"}}}}}
	})
	b, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	var top map[string]any
	if err := json.Unmarshal(b, &top); err != nil {
		t.Fatal(err)
	}
	keys := func(m any, want ...string) {
		t.Helper()
		obj, ok := m.(map[string]any)
		if !ok {
			t.Fatalf("%v is not an object", m)
		}
		for _, k := range want {
			if _, ok := obj[k]; !ok {
				t.Errorf("no field %q in %v", k, obj)
			}
		}
	}
	keys(top, "schema", "ok", "as", "machine", "checks", "labs")
	// Empty lists are [], not null; only cgroup.delegated may be null.
	empty, _ := json.Marshal(Run(fixture("wsl2", nil, "", ""), nil).Facts)
	for _, f := range []string{`"caps":[]`, `"v2":[]`, `"subuid":[]`, `"subgid":[]`, `"delegated":null`} {
		if !strings.Contains(string(empty), f) {
			t.Errorf("no %s in %s", f, empty)
		}
	}
	if top["schema"] != float64(1) || top["as"] != "user" {
		t.Errorf("schema %v as %v", top["schema"], top["as"])
	}
	mach := top["machine"]
	keys(mach, "kernel", "arch", "uid", "root", "user", "user_gid", "sudo", "cap_eff", "caps", "cgroup", "userns", "subuid", "subgid",
		"newuidmap", "newgidmap", "time_ns", "seccomp", "bpf", "nf_tables", "veth", "tools", "wsl", "container", "apparmor")
	keys(mach.(map[string]any)["cgroup"], "mode", "controllers", "v1", "v2", "delegated_at", "delegated")
	keys(mach.(map[string]any)["userns"], "max", "unprivileged_clone", "apparmor_restrict", "tried", "unshare", "uid_map", "usable", "why")
	keys(mach.(map[string]any)["tools"].([]any)[0], "name", "path", "package")
	keys(mach.(map[string]any)["subuid"].([]any)[0], "start", "count")
	keys(top["checks"].([]any)[0], "id", "status", "value")
	lab := top["labs"].([]any)[0]
	keys(lab, "id", "title", "root", "user")
	keys(lab.(map[string]any)["user"], "runs", "known", "lacks", "missing", "skipped_steps")
	keys(lab.(map[string]any)["user"].(map[string]any)["skipped_steps"].([]any)[0], "step", "title", "why", "known")
	var ids []string
	for _, c := range rep.Checks {
		ids = append(ids, c.ID)
	}
	want := []string{"kernel", "user", "caps", "cgroup", "delegation", "userns", "subuid", "newuidmap", "time-ns", "seccomp", "bpf", "nf_tables", "veth", "programs", "wsl", "container"}
	if !slices.Equal(ids, want) {
		t.Errorf("check ids %v, want %v (docs/doctor.md lists them)", ids, want)
	}
}

// Every failed row of every fixture says how to fix it.
func TestEveryFailHasAFix(t *testing.T) {
	for _, tree := range []string{"hybrid", "v2", "v1", "wsl2", "docker", "ubuntu"} {
		for _, probe := range []string{"", "EPERM"} {
			rep := Run(fixture(tree, map[string]string{"SUDO_UID": "1000"}, probe, "", "runc", "newuidmap"), nil)
			for _, c := range rep.Checks {
				if c.Status == "fail" && c.Fix == "" {
					t.Errorf("%s (unshare %q): %s failed with no fix: %s", tree, probe, c.ID, c.Value)
				}
				if c.Status != "ok" && c.Status != "fail" && c.Status != "info" {
					t.Errorf("%s: %s has status %q", tree, c.ID, c.Status)
				}
			}
		}
	}
}

// user.max_user_namespaces=0 switches them off for everyone.
func TestUserNSOff(t *testing.T) {
	m := fixture("v2", nil, "ENOSPC", "")
	m.Root = t.TempDir()
	if err := exec.Command("cp", "-a", "testdata/v2/.", m.Root).Run(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(m.Root+"/proc/sys/user/max_user_namespaces", []byte("0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rep := Run(m, nil)
	wantCheck(t, rep, "userns", "fail", "unshare(CLONE_NEWUSER) as uid 1000 failed with ENOSPC", "sudo sysctl -w user.max_user_namespaces=15000")
	if u := rep.Facts.UserNS; u.Max != 0 || u.Usable || u.Unshare != "ENOSPC" {
		t.Errorf("userns %+v", u)
	}
}

// TestV2OwnScope: hood runs (moved into its leaf hood-self) in a cgroup
// delegated to ada by hand, which hands down only memory and pids: that
// cgroup, where hood makes its groups, is the delegation doctor reports,
// not user@1000.service.
func TestV2OwnScope(t *testing.T) {
	root := t.TempDir()
	if err := os.CopyFS(root, os.DirFS(filepath.Join("testdata", "v2"))); err != nil {
		t.Fatal(err)
	}
	scope := filepath.Join(root, "sys/fs/cgroup/user-deleg")
	if err := os.MkdirAll(filepath.Join(scope, "hood-self"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string]string{
		"proc/self/cgroup": "0::/user-deleg/hood-self\n",
		"sys/fs/cgroup/user-deleg/cgroup.controllers":     "memory pids\n",
		"sys/fs/cgroup/user-deleg/cgroup.procs":           "",
		"sys/fs/cgroup/user-deleg/cgroup.subtree_control": "",
	} {
		if err := os.WriteFile(filepath.Join(root, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	m := fixture("v2", nil, "", "")
	m.Root = root
	owner := m.Probes.Owner
	m.Probes.Owner = func(p string) int {
		if strings.Contains(p, "/user-deleg") {
			return 1000
		}
		return owner(p)
	}
	rep := Run(m, nil)
	c := rep.Facts.Cgroup
	if c.DelegatedAt != "/sys/fs/cgroup/user-deleg" || !slices.Equal(c.Delegated, []string{"memory", "pids"}) {
		t.Fatalf("delegated at %q: %v; want /sys/fs/cgroup/user-deleg: [memory pids]", c.DelegatedAt, c.Delegated)
	}
	wantCheck(t, rep, "delegation", "fail", "uid 1000: memory pids; not cpu", "Delegate=")

	// the same cgroup, root's: doctor falls back to user@1000.service
	m.Probes.Owner = owner
	if c := Run(m, nil).Facts.Cgroup; c.DelegatedAt != "/sys/fs/cgroup/user.slice/user-1000.slice/user@1000.service" {
		t.Errorf("with the scope root's, delegated at %q, want user@1000.service", c.DelegatedAt)
	}
}
