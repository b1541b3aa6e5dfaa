package box

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"hood/internal/kernel/call"
	"hood/internal/kernel/procfs"
	"hood/internal/kernel/seccomp"
	"hood/internal/result"
)

// must fails the test unless the call was made and succeeded.
func must(t *testing.T) func(result.Syscall, error) result.Syscall {
	return func(c result.Syscall, err error) result.Syscall {
		t.Helper()
		if err != nil || c.Failed() {
			t.Fatalf("%s: %v", c.String(), err)
		}
		return c
	}
}

// A box in its own mount namespace makes a directory on a tmpfs, moves a
// clone of it into a second box with open_tree and move_mount, and pivots
// its root into the tmpfs: the calls are the box's own, on the real kernel.
func TestBoxFilesystemOps(t *testing.T) {
	requireRoot(t)
	ok := must(t)
	a, err := Start("fsa")
	if err != nil {
		t.Fatal(err)
	}
	defer a.Kill()
	b, err := Start("fsb")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Kill()
	for _, x := range []*Box{a, b} {
		ok(x.Unshare(unix.CLONE_NEWNS))
		ok(x.Mount("none", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""))
	}
	dir, err := os.MkdirTemp("", "hood-fsops-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	ok(a.Mount("tmpfs", dir, "tmpfs", 0, "size=1m"))
	c := ok(a.Mkdir(dir+"/sub", 0o755))
	if c.Name != "mkdirat" {
		t.Fatalf("mkdir narrated as %s", c.Name)
	}
	if _, err := os.Stat(dir + "/sub"); err == nil {
		t.Fatal("the box's tmpfs is visible on the host")
	}
	tree := ok(a.OpenTree(dir, unix.OPEN_TREE_CLONE|unix.OPEN_TREE_CLOEXEC))
	fd := int(tree.Ret)
	// hood takes a copy of the box's descriptor and sends it to box b.
	pidfd, err := unix.PidfdOpen(a.PID, 0)
	if err != nil {
		t.Fatal(err)
	}
	mine, err := unix.PidfdGetfd(pidfd, fd, 0)
	unix.Close(pidfd)
	if err != nil {
		t.Fatal(err)
	}
	mv := ok(b.MoveMount(mine, -1, dir, "the tree"))
	unix.Close(mine)
	if !strings.Contains(mv.String(), "MOVE_MOUNT_F_EMPTY_PATH") {
		t.Fatalf("move_mount narration: %s", mv.String())
	}
	ok(a.Close(fd, "the tree"))
	inB, err := b.ReadFile("/proc/self/mountinfo")
	if err != nil || !strings.Contains(string(inB), " "+dir+" ") {
		t.Fatalf("box b has no mount at %s: %v\n%s", dir, err, inB)
	}
	// pivot_root as runc does it, into a's tmpfs.
	ok(a.Mkdir(dir+"/proc", 0o555))
	ok(a.Mount(dir, dir, "", unix.MS_BIND|unix.MS_REC, ""))
	ok(a.Chdir(dir))
	ok(a.PivotRoot(".", "."))
	ok(a.Mount("", ".", "", unix.MS_SLAVE|unix.MS_REC, ""))
	ok(a.Umount2(".", unix.MNT_DETACH))
	ok(a.Chdir("/"))
	// The old root is gone from a's table: / is the tmpfs, alone (proc is
	// not mounted yet, so the box reads its table from hood's side).
	mi, err := os.ReadFile("/proc/" + strconv.Itoa(a.PID) + "/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(strings.TrimSpace(string(mi)), "\n"); len(lines) != 1 || !strings.Contains(lines[0], " / / ") || !strings.Contains(lines[0], " - tmpfs ") {
		t.Fatalf("box a's mount table after pivot_root:\n%s", mi)
	}
	if c, _ := a.Chroot("/nonexistent"); c.Errno != unix.ENOENT {
		t.Fatalf("chroot of a missing directory: %s", c.String())
	}
	ok(a.Chroot("/sub"))
	if c, _ := a.Umount2("/nonexistent", 0); c.Errno == 0 || !strings.Contains(c.String(), `umount2("/nonexistent", 0)`) {
		t.Fatalf("umount2: %s", c.String())
	}
}

// prctl(PR_SET_NO_NEW_PRIVS) on the box shows in its status file.
func TestBoxPrctl(t *testing.T) {
	requireRoot(t)
	b, err := Start("prctl")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Kill()
	c, err := b.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, call.F(unix.PR_SET_NO_NEW_PRIVS, "PR_SET_NO_NEW_PRIVS"), call.I(1), call.I(0), call.I(0), call.I(0))
	if err != nil || c.Failed() {
		t.Fatalf("%s: %v", c.String(), err)
	}
	st, err := os.ReadFile("/proc/" + strconv.Itoa(b.PID) + "/status")
	if err != nil || !strings.Contains(string(st), "NoNewPrivs:\t1") {
		t.Fatalf("NoNewPrivs not set: %v\n%s", err, st)
	}
}

// A filter the box installs on itself answers its own mkdirat EPERM, and
// its status file says mode 2 with one filter. Without no_new_privs (and
// with CAP_SYS_ADMIN, as root here) the kernel accepts it too; the mode
// and count are the kernel's.
func TestBoxSeccomp(t *testing.T) {
	requireRoot(t)
	b, err := Start("seccomp")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Kill()
	if c, err := b.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0); err != nil || c.Failed() {
		t.Fatalf("%s: %v", c.String(), err)
	}
	f := seccomp.Filter{Rules: []seccomp.Rule{{Syscall: "mkdirat", Nr: unix.SYS_MKDIRAT, Action: seccomp.Errno(unix.EPERM)}}, Default: seccomp.Allow}
	prog, err := f.Program()
	if err != nil {
		t.Fatal(err)
	}
	c, err := b.Seccomp(0, prog)
	if err != nil || c.Failed() || !strings.Contains(c.String(), "seccomp(SECCOMP_SET_MODE_FILTER, 0, {len=7, filter=0x") {
		t.Fatalf("%s: %v", c.String(), err)
	}
	dir := t.TempDir() + "/x"
	if c, _ := b.Mkdir(dir, 0o755); c.Errno != unix.EPERM {
		t.Fatalf("mkdirat under the filter: %s", c.String())
	}
	if _, err := os.Stat(dir); err == nil {
		t.Fatal("the directory was made")
	}
	st, err := os.ReadFile("/proc/" + strconv.Itoa(b.PID) + "/status")
	if err != nil || !strings.Contains(string(st), "Seccomp:\t2") || !strings.Contains(string(st), "Seccomp_filters:\t1") {
		t.Fatalf("status: %v\n%s", err, st)
	}
}

// In strict mode the probe's openat is answered with SIGKILL.
func TestBoxStrict(t *testing.T) {
	requireRoot(t)
	b, err := Start("strict")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Kill()
	s, err := b.RunStrict()
	if err != nil {
		t.Fatal(err)
	}
	if s.Prctl.Failed() || s.Prctl.Name != "prctl" || !s.Status.Signaled() || s.Status.Signal() != unix.SIGKILL || s.Survived {
		t.Fatalf("prctl %s, status %v, survived %v", s.Prctl.String(), s.Status, s.Survived)
	}
}

// capset(2) and PR_CAPBSET_DROP made by the box show in its status file.
func TestBoxCapset(t *testing.T) {
	requireRoot(t)
	b, err := Start("capset")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Kill()
	c, err := b.Prctl(unix.PR_CAPBSET_DROP, unix.CAP_NET_ADMIN, 0, 0, call.F(unix.PR_CAPBSET_DROP, "PR_CAPBSET_DROP"), call.F(unix.CAP_NET_ADMIN, "CAP_NET_ADMIN"))
	if err != nil || c.Failed() {
		t.Fatalf("%s: %v", c.String(), err)
	}
	const keep = 1<<unix.CAP_CHOWN | 1<<unix.CAP_BPF
	c, err = b.Capset(keep, keep, 0)
	if err != nil || c.Failed() {
		t.Fatalf("%s: %v", c.String(), err)
	}
	if !strings.Contains(c.String(), "{effective=1<<CAP_CHOWN|1<<CAP_BPF, permitted=1<<CAP_CHOWN|1<<CAP_BPF, inheritable=0}") {
		t.Errorf("narrated %s", c.String())
	}
	st, err := procfs.New("/proc").Status(b.PID)
	if err != nil || st.CapEff != keep || st.CapPrm != keep || st.CapInh != 0 || st.CapBnd&(1<<unix.CAP_NET_ADMIN) != 0 || st.CapBnd == 0 {
		t.Fatalf("sets not as set: %v %+v", err, st)
	}
	// Raising a capability not in the permitted set any more is refused.
	if c, _ := b.Capset(keep|1<<unix.CAP_KILL, keep|1<<unix.CAP_KILL, 0); c.ErrName() != "EPERM" {
		t.Errorf("raising permitted: %s", c.String())
	}
}
