package main

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"hood/internal/doctor"
	"hood/internal/kernel/cgroup"
	"hood/internal/testenv"
	"hood/labs"
)

// runDoctor runs cmd (hood doctor ...) and returns its stdout and exit status.
func runDoctor(t *testing.T, cmd *exec.Cmd) (string, int) {
	t.Helper()
	out, err := cmd.Output()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		return string(out), ee.ExitCode()
	case err != nil:
		t.Fatalf("%v: %v", cmd.Args, err)
	}
	return string(out), 0
}

func decode(t *testing.T, out string) doctor.Report {
	t.Helper()
	var rep doctor.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("hood doctor --json: %v\n%s", err, out)
	}
	return rep
}

// The exit status is 0 exactly when every lab runs as the user who ran
// hood, as the JSON's ok says and its verdicts show.
func checkStatus(t *testing.T, rep doctor.Report, status int) {
	t.Helper()
	all := true
	for _, l := range rep.Labs {
		v := l.User
		if rep.Facts.Root {
			v = l.Root
		}
		all = all && v.Runs
	}
	if rep.OK != all || (status == 0) != all || (status != 0 && status != 1) {
		t.Errorf("exit status %d, ok %v, every lab runs: %v", status, rep.OK, all)
	}
}

func TestDoctorRoot(t *testing.T) {
	testenv.Root(t)
	out, status := runDoctor(t, hoodCommand(t, "hood", "doctor", "--json"))
	rep := decode(t, out)
	checkStatus(t, rep, status)
	f := rep.Facts
	release, _ := os.ReadFile("/proc/sys/kernel/osrelease")
	if f.Kernel != strings.TrimSpace(string(release)) || !f.Root || f.UID != 0 {
		t.Errorf("kernel %q root %v uid %d", f.Kernel, f.Root, f.UID)
	}
	mode := map[cgroup.Mode]string{cgroup.Unified: "v2", cgroup.Hybrid: "hybrid", cgroup.Legacy: "v1", cgroup.Unavailable: "none"}[cgroup.Detect("/sys/fs/cgroup")]
	if f.Cgroup.Mode != mode {
		t.Errorf("cgroup mode %q, statfs says %q", f.Cgroup.Mode, mode)
	}
	if !f.UserNS.Tried {
		t.Errorf("the userns probe did not run: %+v", f.UserNS)
	}
	// Root's try is checked against unshare(1).
	if _, err := exec.LookPath("unshare"); err == nil {
		worked := exec.Command("unshare", "--user", "--map-root-user", "true").Run() == nil
		if f.User == 0 && worked != f.UserNS.Usable {
			t.Errorf("unshare -r worked: %v; doctor says usable: %v (%s)", worked, f.UserNS.Usable, f.UserNS.Why)
		}
	}
	all, _ := labs.Builtin()
	if len(rep.Labs) != len(all) {
		t.Errorf("%d labs judged, %d built in", len(rep.Labs), len(all))
	}
	// The table fits 80 columns.
	text, status2 := runDoctor(t, hoodCommand(t, "hood", "doctor"))
	if status2 != status {
		t.Errorf("exit status %d without --json, %d with", status2, status)
	}
	for _, line := range strings.Split(text, "\n") {
		if utf8.RuneCountInString(line) > 80 {
			t.Errorf("line wider than 80 columns: %q", line)
		}
	}
	for _, want := range []string{"kernel ", "userns ", "lab uts ", "labs "} {
		if !strings.Contains(text, want) {
			t.Errorf("no %q row in\n%s", want, text)
		}
	}
}

// hood doctor as nobody, through setpriv, from a copy of this binary that
// nobody may run.
func TestDoctorUnprivileged(t *testing.T) {
	testenv.Root(t)
	setpriv, err := exec.LookPath("setpriv")
	if err != nil {
		t.Skip("needs setpriv (util-linux) to run hood as nobody")
	}
	dir, err := os.MkdirTemp("", "hood-doctor-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "hood") // TestMain runs hood under this name
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	copyFile(t, exe, bin)
	home := filepath.Join(dir, "home")
	if err := os.Mkdir(home, 0o755); err != nil || os.Chown(home, 65534, 65534) != nil {
		t.Fatal("home for nobody:", err)
	}
	asNobody := func(args ...string) *exec.Cmd {
		cmd := exec.Command(setpriv, append([]string{"--reuid", "65534", "--regid", "65534", "--clear-groups"}, args...)...)
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home}
		return cmd
	}
	out, status := runDoctor(t, asNobody(bin, "doctor", "--json"))
	rep := decode(t, out)
	checkStatus(t, rep, status)
	f := rep.Facts
	if f.Root || f.UID != 65534 || f.User != 65534 || len(f.Caps) != 0 || rep.As != "user" {
		t.Errorf("uid %d user %d root %v caps %v as %q", f.UID, f.User, f.Root, f.Caps, rep.As)
	}
	// The try agrees with unshare -r run as nobody.
	if _, err := exec.LookPath("unshare"); err == nil {
		worked := asNobody("unshare", "--user", "--map-root-user", "true").Run() == nil
		if !f.UserNS.Tried || worked != f.UserNS.Usable {
			t.Errorf("unshare -r as nobody worked: %v; doctor: %+v", worked, f.UserNS)
		}
	}
	for _, l := range rep.Labs {
		if l.ID == "uts" && l.User.Runs != f.UserNS.Usable {
			t.Errorf("uts as nobody runs %v, but user namespaces usable %v", l.User.Runs, f.UserNS.Usable)
		}
		if l.ID == "devices" && l.User.Runs {
			t.Errorf("devices runs as nobody: %+v", l.User)
		}
	}
	if c := findCheck(rep, "bpf"); c.Status != "info" {
		t.Errorf("bpf as nobody: %+v, want not tried", c)
	}
}

func findCheck(rep doctor.Report, id string) doctor.Check {
	i := slices.IndexFunc(rep.Checks, func(c doctor.Check) bool { return c.ID == id })
	if i < 0 {
		return doctor.Check{}
	}
	return rep.Checks[i]
}

func TestDoctorBadArgument(t *testing.T) {
	testenv.Binary(t)
	cmd := hoodCommand(t, "hood", "doctor", "--jsn")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	_, status := runDoctor(t, cmd)
	if status != 2 || !strings.Contains(stderr.String(), `unknown argument "--jsn"`) {
		t.Errorf("status %d, stderr %q", status, stderr.String())
	}
}
