package procfs

import (
	"os"
	"slices"
	"testing"

	"hood/internal/testenv"
)

// requireProc skips under -short (testenv.Kernel) and where no proc is
// mounted at /proc (a bare build sandbox): the live tests need the
// kernel's own files.
func requireProc(t *testing.T) {
	t.Helper()
	testenv.Kernel(t)
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skipf("no proc mounted at /proc: %v", err)
	}
}

// TestLiveSelf reads this test process's own files and checks them against
// what the process knows of itself through other syscalls.
func TestLiveSelf(t *testing.T) {
	requireProc(t)
	pid := os.Getpid()
	st, err := Host.Stat(pid)
	if err != nil {
		t.Fatal(err)
	}
	if st.PID != pid || st.PPID != os.Getppid() || st.State.Dead() || st.KernelThread() || st.Threads < 1 || st.StartTime == 0 {
		t.Errorf("Stat(self) = %+v; want pid %d, ppid %d, alive, a user process", st, pid, os.Getppid())
	}
	if !Host.Alive(pid) || !Host.Exists(pid) {
		t.Error("this process is not alive")
	}
	status, err := Host.Status(pid)
	if err != nil {
		t.Fatal(err)
	}
	if status.PID != pid || status.Tgid != pid || status.PPid != os.Getppid() ||
		status.Uid.Real != os.Getuid() || status.Uid.Effective != os.Geteuid() ||
		status.Gid.Real != os.Getgid() || status.Gid.Effective != os.Getegid() {
		t.Errorf("Status(self) = %+v; want pid %d uid %d gid %d", status, pid, os.Getuid(), os.Getgid())
	}
	if len(status.NSpid) > 0 && status.NSpid[0] != pid {
		t.Errorf("NSpid %v does not start with %d", status.NSpid, pid)
	}
	comm, err := Host.Comm(pid)
	if err != nil || comm != st.Comm {
		t.Errorf("Comm = %q, %v; stat says %q", comm, err, st.Comm)
	}
	if cs, err := Host.Cgroup(pid); err != nil || len(cs) == 0 {
		t.Errorf("Cgroup(self) = %v, %v", cs, err)
	}
	if ms, err := Host.Mountinfo(pid, nil); err != nil || MountOf(ms, "/proc/self") == nil {
		t.Errorf("Mountinfo(self): %d mounts, %v; no mount holds /proc/self", len(ms), err)
	}
	l, err := Host.NS(pid, "pid")
	if err != nil || l.Type != "pid" || l.Inode == 0 {
		t.Errorf("NS(self, pid) = %v, %v", l, err)
	}
	if target, _ := os.Readlink("/proc/self/ns/pid"); target != l.String() {
		t.Errorf("NS(self, pid) = %s; readlink says %s", l, target)
	}
	pids, err := Host.PIDs()
	if err != nil || !slices.Contains(pids, pid) {
		t.Errorf("PIDs() lacks this process %d: %v", pid, err)
	}
	if !slices.Contains(Host.Descendants(os.Getppid()), pid) {
		t.Errorf("this process is not among its parent's descendants")
	}
}
