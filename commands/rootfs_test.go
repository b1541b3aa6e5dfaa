package commands

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hood/internal/kernel/procfs"
	"hood/internal/result"
	"hood/internal/rootfs"
)

// rootfsSession is a root session with its state directory in a temporary
// directory and a busybox rootfs named t made there.
func rootfsSession(t *testing.T) (*Session, string) {
	t.Helper()
	requireRoot(t)
	if _, err := rootfs.FindBusybox(); err != nil {
		t.Skip(err)
	}
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	s := newSession(t)
	exec(t, s, "rootfs make t")
	st, err := rootfs.Open()
	if err != nil {
		t.Fatal(err)
	}
	p, _ := st.Path("t")
	return s, p
}

// hostMounts checks, at the end of the test, that every mount the host had
// is still there, unchanged, and that no host mount is under dir (other
// hoods on the machine may add mounts of their own meanwhile, and remove
// their names under /run/netns).
func hostMounts(t *testing.T, dir string) {
	before, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		after, _ := os.ReadFile("/proc/self/mountinfo")
		for _, l := range strings.Split(strings.TrimSpace(string(before)), "\n") {
			if !strings.Contains(string(after), l+"\n") && !strings.Contains(l, " /run/netns/") {
				t.Errorf("the host's mount changed or went: %s", l)
			}
		}
		if strings.Contains(string(after), dir) {
			t.Errorf("a host mount under %s:\n%s", dir, after)
		}
	})
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func kernelErrOf(t *testing.T, err error, errno string) *result.KernelError {
	t.Helper()
	var ke *result.KernelError
	if !errors.As(err, &ke) || ke.ErrName != errno {
		t.Fatalf("error %v, want %s", err, errno)
	}
	return ke
}

func TestChrootAndItsEscape(t *testing.T) {
	s, dir := rootfsSession(t)
	hostMounts(t, dir)
	b := s.Current
	if _, err := s.Exec([]string{"chroot", "t"}); err == nil || !strings.Contains(err.Error(), "shares the host's mount namespace") {
		t.Fatalf("chroot in the host's mount namespace: %v", err)
	}
	exec(t, s, "unshare mnt")
	if _, err := s.Exec([]string{"chroot", "nosuch"}); err == nil || !strings.Contains(err.Error(), "no root filesystem named nosuch") {
		t.Fatalf("chroot nosuch: %v", err)
	}
	r := exec(t, s, "chroot t")
	if got := callNames(r); strings.Join(got, " ") != "chroot chdir" {
		t.Fatalf("calls %v", got)
	}
	if root, _ := os.Readlink(s.Proc().Path(b.PID, "root")); root != dir {
		t.Fatalf("box root %q, want %q", root, dir)
	}
	rel, err := s.Proc().ReadInRoot(b.PID, "/etc/os-release")
	if err != nil || !strings.Contains(string(rel), "hood busybox rootfs") {
		t.Fatalf("os-release in the chroot: %q %v", rel, err)
	}
	exec(t, s, "run true") // /bin/true is busybox's, found in the chroot
	if _, err := s.Exec([]string{"pivot_root", "/"}); err == nil || !strings.Contains(err.Error(), "is in a chroot") {
		t.Fatalf("pivot_root in a chroot: %v", err)
	}
	r = exec(t, s, "chroot --escape")
	names := strings.Join(callNames(r), " ")
	if !strings.HasPrefix(names, "chdir chroot chdir chdir") || !strings.HasSuffix(names, "chroot chdir") {
		t.Fatalf("escape calls: %s", names)
	}
	mine, _ := s.Proc().RootID(b.PID)
	host, _ := s.Proc().RootID(os.Getpid())
	if mine != host {
		t.Fatalf("after the escape the box's root is %v, the host's %v", mine, host)
	}
}

func TestPivotRoot(t *testing.T) {
	s, dir := rootfsSession(t)
	hostMounts(t, dir)
	b := s.Current
	if _, err := s.Exec([]string{"pivot_root", "t"}); err == nil || !strings.Contains(err.Error(), "shares the host's mount namespace") {
		t.Fatalf("pivot_root in the host's mount namespace: %v", err)
	}
	exec(t, s, "unshare mnt")
	// Not a mount point: EBUSY when the directory is on the root's own
	// mount (the kernel compares mounts first), EINVAL on another mount.
	_, err := s.Exec([]string{"pivot_root", "t", "--no-bind"})
	errno := "EINVAL"
	if m := procfs.MountOf(must(s.Proc().Mountinfo(b.PID, nil)), dir); m != nil && m.Mountpoint == "/" {
		errno = "EBUSY"
	}
	if ke := kernelErrOf(t, err, errno); !strings.Contains(ke.Meaning, "is not a mount point") {
		t.Fatalf("--no-bind: %s", ke.Meaning)
	}
	// PUT_OLD outside the new root: /proc is a mount of its own, so the
	// kernel gets as far as EINVAL; /etc, on the root's mount, is EBUSY.
	_, err = s.Exec([]string{"pivot_root", "t", "--put-old", "/proc"})
	if ke := kernelErrOf(t, err, "EINVAL"); !strings.Contains(ke.Meaning, "is not at or under the new root") {
		t.Fatalf("--put-old /proc: %s", ke.Meaning)
	}
	_, err = s.Exec([]string{"pivot_root", "t", "--put-old", "/etc"})
	if ke := kernelErrOf(t, err, "EBUSY"); !strings.Contains(ke.Meaning, "is not under the new root") {
		t.Fatalf("--put-old /etc: %s", ke.Meaning)
	}
	if _, err := s.Exec([]string{"pivot_root", filepath.Join(dir, "etc")}); err == nil || !strings.Contains(err.Error(), "no bin/sh") {
		t.Fatalf("pivot_root into etc: %v", err)
	}
	r := exec(t, s, "pivot_root t")
	want := "mount mount openat openat fchdir pivot_root fchdir mount umount2 close close chdir"
	if got := strings.Join(callNames(r), " "); got != want {
		t.Fatalf("calls %s, want %s", got, want)
	}
	hostRoot := s.Proc().MountAt(os.Getpid(), "/")
	ms, err := s.Proc().Mountinfo(b.PID, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.Major == hostRoot.Major && m.Minor == hostRoot.Minor && m.Root == hostRoot.Root {
			t.Fatalf("the old root is still mounted in the box at %s", m.Mountpoint)
		}
	}
	if len(ms) != 1 || ms[0].Mountpoint != "/" {
		t.Fatalf("box mounts after pivot_root: %d", len(ms))
	}
	rel, _ := s.Proc().ReadInRoot(b.PID, "/etc/os-release")
	if !strings.Contains(string(rel), "hood busybox rootfs") {
		t.Fatalf("os-release after pivot_root: %q", rel)
	}
	exec(t, s, "mount -t proc proc /proc")
	exec(t, s, "run true")
	// The climb out now ends where it began.
	exec(t, s, "chroot --escape")
	mine, _ := s.Proc().RootID(b.PID)
	if top, _ := procfs.FileIDOf(dir); mine != top {
		t.Fatalf("after pivot_root the escape left the rootfs: root %v, rootfs %v", mine, top)
	}
	if _, err := s.Exec([]string{"rootfs", "rm", "t"}); err == nil || !strings.Contains(err.Error(), "leave it first") {
		t.Fatalf("rootfs rm under a box: %v", err)
	}
}

// pivot_root moves only the processes whose root or cwd is the old root:
// the box's PID 1 (unshare --fork) must be one of them, holding nothing of
// the old tree afterwards.
func TestPivotRootMovesPID1(t *testing.T) {
	s, dir := rootfsSession(t)
	hostMounts(t, dir)
	b := s.Current
	exec(t, s, "unshare pid mnt --fork")
	init := s.liveInit(b)
	if init == 0 {
		t.Fatal("no PID 1")
	}
	r := exec(t, s, "pivot_root t")
	for _, l := range r.Lines {
		if l.Key == "still" {
			t.Fatalf("%s", l.Value)
		}
	}
	ms, _ := s.Proc().Mountinfo(b.PID, nil)
	ids := map[uint64]bool{}
	for _, m := range ms {
		ids[uint64(m.ID)] = true
	}
	root, cwd, err := s.Proc().MountIDs(init)
	if err != nil || !ids[root] || !ids[cwd] {
		t.Fatalf("PID 1's root and cwd are on mounts %d, %d; the box's table has %v (%v)", root, cwd, ids, err)
	}
}
