package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"hood/internal/kernel/procfs"
	"hood/internal/oci"
	"hood/internal/rootfs"
)

var runcPID = regexp.MustCompile(`(?m)^  container hood-\d+-r: running, PID (\d+) on the host`)

// A runc container outlives a hood killed by SIGKILL (runc's init is no
// child of a box, and has no death signal): hood cleanup finds it by the
// dead hood's --root directory and deletes it, cgroups and all.
func TestRuncContainerCleanedUpAfterSIGKILL(t *testing.T) {
	requireRoot(t)
	if _, err := rootfs.FindBusybox(); err != nil {
		t.Skip(err)
	}
	bin, err := oci.Find()
	if err != nil {
		t.Skip(err)
	}
	state := t.TempDir()
	t.Setenv("XDG_STATE_HOME", state)
	s := startSession(t)
	out := s.run("rootfs make r", "rootfs bundle r", "rootfs runc r")
	m := runcPID.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("rootfs runc did not start a container:\n%s\nstderr %s", out, s.stderr)
	}
	pid, _ := strconv.Atoi(m[1])
	roots, _ := filepath.Glob(filepath.Join(state, "hood", "runc", "*"))
	if len(roots) != 1 {
		t.Fatalf("--root directories: %v", roots)
	}
	cg := cgroupDirs(t, pid)
	t.Cleanup(func() {
		// Whatever failed, the container goes before its state does.
		for _, r := range roots {
			rc := oci.Runc{Bin: bin, Root: r}
			if ids, _ := rc.List(); len(ids) > 0 {
				rc.Delete(ids[0])
			}
		}
	})
	// Not s.end: the reaper, a subreaper, inherits the container's init
	// and waits for it too, until hood cleanup deletes it.
	_ = unix.Kill(s.hood.PID, unix.SIGKILL)
	for t0 := time.Now(); procfs.Host.Alive(s.hood.PID); time.Sleep(20 * time.Millisecond) {
		if time.Since(t0) > 10*time.Second {
			t.Fatalf("hood (PID %d) is still alive 10s after SIGKILL", s.hood.PID)
		}
	}
	if !procfs.Host.Alive(pid) {
		t.Fatalf("the container's process %d died with hood: the test proves nothing", pid)
	}
	res, err := hoodCommand(t, "hood", "cleanup", "-v").CombinedOutput()
	if err != nil {
		t.Fatalf("hood cleanup: %v\n%s", err, res)
	}
	if !strings.Contains(string(res), "removed runc container hood-") {
		t.Errorf("hood cleanup did not name the container:\n%s", res)
	}
	if procfs.Host.Alive(pid) {
		t.Errorf("the container's process %d is still alive", pid)
	}
	if _, err := s.wait(10 * time.Second); err != nil {
		t.Error(err) // the reaper waits for every process below it
	}
	if _, err := os.Stat(roots[0]); !os.IsNotExist(err) {
		t.Errorf("the dead hood's --root %s is still there: %v", roots[0], err)
	}
	if ids, _ := (oci.Runc{Bin: bin, Root: roots[0]}).List(); len(ids) > 0 {
		t.Errorf("runc still lists %v", ids)
	}
	os.Remove(roots[0]) // runc list made it again
	for _, d := range cg {
		if _, err := os.Stat(d); !os.IsNotExist(err) {
			t.Errorf("the container's cgroup %s is still there: %v", d, err)
		}
	}
}

// cgroupDirs are the v1 and v2 directories of pid's cgroups as hood sees
// them (the usual /sys/fs/cgroup mounts).
func cgroupDirs(t *testing.T, pid int) []string {
	lines, err := procfs.Host.Cgroup(pid)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range lines {
		if !strings.Contains(l.Path, "/hood/runc-") {
			continue
		}
		for _, mnt := range []string{"/sys/fs/cgroup", "/sys/fs/cgroup/unified"} {
			if d := filepath.Join(mnt, l.Path); l.V2() && isDir(d) {
				out = append(out, d)
			}
		}
		for _, c := range l.Controllers {
			if d := filepath.Join("/sys/fs/cgroup", strings.TrimPrefix(c, "name="), l.Path); isDir(d) {
				out = append(out, d)
			}
		}
	}
	if len(out) == 0 {
		t.Fatalf("no cgroup directory found for %d: %v", pid, lines)
	}
	return out
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}
