package commands

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hood/internal/kernel/cgroup"
	"hood/internal/oci"
	"hood/internal/result"
)

// runcLines are the program lines a result shows, in order.
func runcLines(r *result.Result) []string {
	var out []string
	for _, l := range r.Lines {
		if l.Key == "program" {
			out = append(out, l.Value)
		}
	}
	return out
}

func TestBundleAndRuncRefuseBadInput(t *testing.T) {
	s, dir := rootfsSession(t)
	state := os.Getenv("XDG_STATE_HOME")
	for line, want := range map[string]string{
		"rootfs bundle":          "name one root filesystem",
		"rootfs bundle nosuch":   "there is no root filesystem nosuch",
		"rootfs bundle ../x":     "rootfs bundle NAME",
		"rootfs runc":            "name the root filesystem",
		"rootfs runc t --now":    `unknown option "--now"`,
		"rootfs runc t u":        "one NAME at a time",
		"rootfs runc t":          "has no bundle",
		"rootfs runc t --delete": "no runc container of rootfs t",
		"rootfs compare":         "name a box",
		"rootfs compare nobox":   `no box "nobox"`,
		"rootfs compare box1 t":  "no runc container of rootfs t runs",
		"caps runc":              "no runc container of this hood runs",
		"ns compare box1 runc:t": "no runc container of this hood runs",
	} {
		err := execErr(s, line)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want one containing %q", line, err, want)
		}
	}
	// Nothing half-made: no bundle was written for the missing rootfs.
	if _, err := os.Stat(filepath.Join(state, "hood", "bundles", "nosuch")); !os.IsNotExist(err) {
		t.Errorf("a bundle directory for a missing rootfs: %v", err)
	}
	// A bundle whose root filesystem went: refused before runc runs.
	exec(t, s, "rootfs bundle t")
	sh := filepath.Join(dir, "bin", "sh")
	if err := os.Rename(sh, sh+".away"); err != nil {
		t.Fatal(err)
	}
	err := execErr(s, "rootfs runc t")
	os.Rename(sh+".away", sh)
	if err == nil || !strings.Contains(err.Error(), "holds no bin/sh") {
		t.Errorf("rootfs runc of a bundle without its rootfs: %v", err)
	}
	if _, err := os.Stat(filepath.Join(state, "hood", "runc")); !os.IsNotExist(err) {
		t.Errorf("runc state was made for a container never started: %v", err)
	}
}

func TestBundleHoldsTheLabsSettings(t *testing.T) {
	s, dir := rootfsSession(t)
	r := exec(t, s, "rootfs bundle t")
	if len(r.Syscalls) != 0 {
		t.Errorf("rootfs bundle narrates calls it did not make in a box: %v", callNames(r))
	}
	b, err := bundleDir("t")
	if err != nil {
		t.Fatal(err)
	}
	sp, err := oci.Load(b)
	if err != nil {
		t.Fatal(err)
	}
	if sp.Root.Path != dir || sp.Hostname != "t" || !sp.Process.NoNewPrivileges {
		t.Errorf("root %q hostname %q noNewPrivileges %v", sp.Root.Path, sp.Hostname, sp.Process.NoNewPrivileges)
	}
	if got := strings.Join(sp.Process.Capabilities.Bounding, " "); got != strings.Join(oci.DockerCaps, " ") || len(oci.DockerCaps) != 14 {
		t.Errorf("bounding set %s", got)
	}
	if *sp.Linux.Resources.Memory.Limit != 64<<20 || sp.Linux.Resources.Pids.Limit != 64 || *sp.Linux.Resources.CPU.Quota != 50000 {
		t.Errorf("limits %+v", sp.Linux.Resources)
	}
	if sp.Linux.Seccomp == nil || strings.Join(sp.Linux.Seccomp.Syscalls[0].Names, " ") != "keyctl add_key request_key" {
		t.Errorf("seccomp %+v", sp.Linux.Seccomp)
	}
	if want := s.runcCgroup("t"); sp.Linux.CgroupsPath != want {
		t.Errorf("cgroupsPath %q, want %q", sp.Linux.CgroupsPath, want)
	}
	// rootfs rm takes the bundle with it.
	exec(t, s, "rootfs rm t")
	if _, err := os.Stat(b); !os.IsNotExist(err) {
		t.Errorf("the bundle outlived its rootfs: %v", err)
	}
}

// TestRuncContainerLifecycle starts a container with runc from a bundle,
// reads it with hood's commands, compares it with a box, and checks that
// --delete and Close leave no container, cgroup or --root directory.
func TestRuncContainerLifecycle(t *testing.T) {
	s, dir := rootfsSession(t)
	hostMounts(t, dir)
	if _, err := oci.Find(); err != nil {
		t.Skip(err)
	}
	exec(t, s, "rootfs bundle t")
	r := exec(t, s, "rootfs runc t")
	lines := runcLines(r)
	if len(lines) != 3 || !strings.Contains(lines[0], " create --bundle ") || !strings.HasSuffix(lines[2], "-> exit status 0") {
		t.Fatalf("runc runs: %q", lines)
	}
	pid := s.RuncPID("t")
	if pid == 0 || !s.Proc().Alive(pid) {
		t.Fatalf("no live container PID: %d", pid)
	}
	st, err := s.Proc().Status(pid)
	if err != nil {
		t.Fatal(err)
	}
	if st.CapEff != 0xa80425fb || !st.NoNewPrivs || st.Seccomp != 2 {
		t.Errorf("the container: CapEff %x NoNewPrivs %v Seccomp %d", st.CapEff, st.NoNewPrivs, st.Seccomp)
	}
	if err := execErr(s, "rootfs runc t"); err == nil || !strings.Contains(err.Error(), "runs already") {
		t.Errorf("a second rootfs runc t: %v", err)
	}
	if err := execErr(s, "rootfs rm t"); err == nil || !strings.Contains(err.Error(), "--delete first") {
		t.Errorf("rootfs rm under a runc container: %v", err)
	}
	// Another session (another hood, as far as rootfs rm can tell) is
	// refused too: it finds the container under the --root directories.
	other := newSession(t)
	if err := execErr(other, "rootfs rm t"); err == nil || !strings.Contains(err.Error(), "of another hood runs from") {
		t.Errorf("rootfs rm from another session: %v", err)
	}
	r = exec(t, s, "caps runc")
	if !strings.Contains(r.Shell, "/proc/"+itoa(pid)+"/status") {
		t.Errorf("caps runc read another process: %s", r.Shell)
	}
	// The container's cgroup is hood/runc-PID-t, with the bundle's limits.
	if got := s.limitOf(pid, "pids.max"); got != "64" {
		t.Errorf("the container's pids.max: %q", got)
	}
	dirs := s.RuncCgroupDirs("t")
	if len(dirs) == 0 {
		t.Fatal("no cgroup directories for the container")
	}
	for _, d := range dirs {
		if _, err := os.Stat(d); err != nil {
			t.Errorf("the container's cgroup: %v", err)
		}
	}
	exec(t, s, "unshare pid ipc net mnt uts cgroup --fork")
	exec(t, s, "pivot_root t")
	r = exec(t, s, "rootfs compare box1 t")
	var only []string
	for _, l := range r.Lines {
		if l.Key == "runc only" {
			only = append(only, l.Value)
		}
	}
	if !strings.Contains(strings.Join(only, "\n"), "/proc/sys: read-only") {
		t.Errorf("runc's extras seen: %q", only)
	}
	if len(r.Table.Header) != 4 {
		t.Errorf("columns %q", r.Table.Header)
	}
	id, root, _ := s.RuncID("t")
	r = exec(t, s, "rootfs runc t --delete")
	if lines := runcLines(r); len(lines) != 2 || !strings.Contains(lines[0], " kill "+id+" KILL") {
		t.Errorf("delete runs: %q", lines)
	}
	for _, d := range dirs {
		if _, err := os.Stat(d); !os.IsNotExist(err) {
			t.Errorf("%s is still there after --delete: %v", d, err)
		}
	}
	// hood, a child subreaper, inherited the container's init: reaped,
	// it leaves no zombie.
	if s.Proc().Exists(pid) {
		t.Errorf("the container's process %d is still there (a zombie?) after --delete", pid)
	}
	if _, err := os.Stat(root); !os.IsNotExist(err) {
		t.Errorf("the --root %s is still there: %v", root, err)
	}
	// Close deletes a container still running.
	exec(t, s, "rootfs runc t")
	pid = s.RuncPID("t")
	s.Close()
	if s.Proc().Exists(pid) {
		t.Errorf("the container's process %d outlived Close", pid)
	}
	for _, d := range dirs {
		if _, err := os.Stat(d); !os.IsNotExist(err) {
			t.Errorf("%s is still there after Close: %v", d, err)
		}
	}
	if hs, err := cgroup.Hierarchies("/proc", os.Getpid()); err == nil {
		if left := cgroup.Owned(hs, os.Getpid()); len(left) > 0 {
			t.Errorf("cgroups left: %v", left)
		}
	}
}
