package commands

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/moby/sys/mountinfo"

	"hood/internal/kernel/procfs"
	"hood/internal/result"
)

// hostMountsUnchanged fails the test when the test process's mount table
// (the host's) differs at the end from what it is now. Call it before
// newSession, so that it runs after the session's boxes are gone. The
// machine is shared: mounts under /run/netns, which other hoods' network
// tests make and remove meanwhile, are left out.
func hostMountsUnchanged(t *testing.T) {
	t.Helper()
	requireRoot(t)
	read := func() []*mountinfo.Info {
		ms, err := procfs.New("/proc").Mountinfo(os.Getpid(), func(m *mountinfo.Info) (skip, stop bool) {
			return m.Mountpoint == "/run/netns" || strings.HasPrefix(m.Mountpoint, "/run/netns/"), false
		})
		if err != nil {
			t.Fatal(err)
		}
		return ms
	}
	before := read()
	t.Cleanup(func() {
		for _, c := range procfs.DiffMounts(before, read()) {
			t.Errorf("the host's mount table changed: %s %s (%s %s) %s", c.Kind, c.Mount().Mountpoint, c.Mount().FSType, c.Mount().Source, strings.Join(c.What, "; "))
		}
	})
}

// mountinfoOf is pid's mount table as the kernel writes it.
func mountinfoOf(t *testing.T, pid int) string {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/mountinfo", pid))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// execErr runs line and returns its error (nil when it succeeded).
func execErr(s *Session, line string) error {
	cmds, err := Split(line)
	if err != nil {
		return err
	}
	_, err = s.Exec(cmds[0])
	return err
}

// tableHas tells whether a row of r's table has every one of cells.
func tableHas(r *result.Result, cells ...string) bool {
	if r.Table == nil {
		return false
	}
rows:
	for _, row := range r.Table.Rows {
		for _, c := range cells {
			found := false
			for _, x := range row {
				if strings.Contains(x, c) {
					found = true
				}
			}
			if !found {
				continue rows
			}
		}
		return true
	}
	return false
}

// mounts, mounts --diff and umount on a tmpfs the box mounts, agreeing with
// /proc/PID/mountinfo read here; the host's table is the same afterwards.
func TestMountsDiffUmount(t *testing.T) {
	hostMountsUnchanged(t)
	s := newSession(t)
	dir := t.TempDir()
	if err := execErr(s, "umount "+dir); err == nil || !strings.Contains(err.Error(), "shares the host's mount namespace") {
		t.Fatalf("umount in the host's mount namespace: %v", err)
	}
	exec(t, s, "unshare mnt")
	pid := s.Current.PID
	exec(t, s, "mount -t tmpfs -o size=1m hood-test-mnt "+dir)
	if !strings.Contains(mountinfoOf(t, pid), " "+dir+" ") || strings.Contains(mountinfoOf(t, os.Getpid()), "hood-test-mnt") {
		t.Fatalf("the tmpfs is not in the box's table only:\n%s", mountinfoOf(t, pid))
	}
	r := exec(t, s, "mounts")
	if !tableHas(r, dir, "hood-test-mnt", "private") {
		t.Errorf("mounts has no private row for %s: %+v", dir, r.Table)
	}
	r = exec(t, s, "mounts --diff")
	if !tableHas(r, "added", dir, "hood-test-mnt") {
		t.Errorf("mounts --diff has no added row for %s: %+v", dir, r.Table)
	}
	for _, row := range r.Table.Rows {
		if row[0] != "changed" && row[1] != dir {
			t.Errorf("mounts --diff: %v, besides %s", row, dir)
		}
	}
	r = exec(t, s, "mount --make-shared "+dir)
	if len(r.Changes) == 0 || !strings.Contains(r.Changes[0].After, "shared:") {
		t.Errorf("--make-shared: changes %+v", r.Changes)
	}
	r = exec(t, s, "mount --make-private --rec "+dir)
	if c := boxCall(r, pid); !strings.Contains(c.Text(), "MS_REC|MS_PRIVATE") {
		t.Errorf("--make-private --rec made %s", c.Text())
	}
	// A mount on the tmpfs makes it busy.
	exec(t, s, "run mkdir "+dir+"/sub")
	exec(t, s, "mount -t tmpfs hood-test-sub "+dir+"/sub")
	if err := execErr(s, "umount "+dir); err == nil || !strings.Contains(err.Error(), "EBUSY") || !strings.Contains(err.Error(), dir+"/sub") {
		t.Errorf("umount of a tmpfs with a mount on it: %v", err)
	}
	r = exec(t, s, "umount -l "+dir)
	if c := boxCall(r, pid); c.Text() != fmt.Sprintf("umount2(%q, MNT_DETACH)", dir) {
		t.Errorf("umount -l made %s", c.Text())
	}
	if mi := mountinfoOf(t, pid); strings.Contains(mi, "hood-test-mnt") || strings.Contains(mi, "hood-test-sub") {
		t.Errorf("after umount -l the box still has the tree:\n%s", mi)
	}
	if err := execErr(s, "umount "+dir); err == nil || !strings.Contains(err.Error(), "EINVAL") || !strings.Contains(err.Error(), "not a mount point") {
		t.Errorf("umount of a plain directory: %v", err)
	}
}

// The bad input of mount: each a clear error, the REPL goes on.
func TestMountBadInput(t *testing.T) {
	hostMountsUnchanged(t)
	s := newSession(t)
	exec(t, s, "unshare mnt")
	dir := t.TempDir()
	for line, want := range map[string]string{
		"mount -t tmpfs -o size=1m,bogus tmpfs " + dir: "bogus is neither a mount(8) flag",
		"mount -t tmpfs tmpfs " + dir + "/nope":        "looks the path up in box1's mount namespace",
		"mount --bind -o size=1 " + dir + " " + dir:    "takes no filesystem options",
		"mount --rec -t tmpfs tmpfs " + dir:            "--rec modifies a propagation change",
		"mount --move-into nope " + dir:                "no box named",
		"mount --move-into box1 " + dir:                "same mount namespace",
		"umount -x " + dir:                             "unknown option",
		"mounts nope":                                  "unknown target",
	} {
		if err := execErr(s, line); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want it to say %q", line, err, want)
		}
	}
}

// mount --move-into: box1 clones its tmpfs with open_tree, hood copies the
// descriptor with pidfd_getfd, box2 attaches it with move_mount.
func TestMountMoveInto(t *testing.T) {
	hostMountsUnchanged(t)
	s := newSession(t)
	dir := t.TempDir()
	exec(t, s, "unshare mnt")
	one := s.Current.PID
	exec(t, s, "mount -t tmpfs hood-test-move "+dir)
	exec(t, s, "box new box2")
	if err := execErr(s, "box use box1"); err != nil {
		t.Fatal(err)
	}
	if err := execErr(s, "mount --move-into box2 "+dir); err == nil || !strings.Contains(err.Error(), "shares the host's mount namespace") {
		t.Fatalf("move into a box in the host's mount namespace: %v", err)
	}
	exec(t, s, "box use box2")
	exec(t, s, "unshare mnt")
	two := s.Current.PID
	exec(t, s, "box use box1")
	r := exec(t, s, "mount --move-into box2 "+dir)
	names := strings.Join(callNames(r), " ")
	if !strings.Contains(names, "open_tree pidfd_open pidfd_getfd move_mount close") {
		t.Errorf("calls: %s", names)
	}
	for _, c := range r.Syscalls {
		if c.Failed() {
			t.Errorf("%s failed", c.Text())
		}
	}
	for _, pid := range []int{one, two} {
		if mi := mountinfoOf(t, pid); !strings.Contains(mi, " "+dir+" ") || !strings.Contains(mi, "hood-test-move") {
			t.Errorf("PID %d has no hood-test-move at %s:\n%s", pid, dir, mi)
		}
	}
}

func TestFindmntPropagation(t *testing.T) {
	for in, want := range map[string]string{"": "private", "shared:1": "shared", "master:2": "private,slave",
		"shared:3 master:2": "shared,slave", "unbindable": "unbindable", "bogus": "?"} {
		if got := findmntPropagation(in); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}

// What would reach the host's table is refused. The host here is private,
// so box1 stands in for it: b2 copies box1's mount namespace, its copy of a
// shared tmpfs is a peer of box1's, and with HoodPID set to box1 hood must
// treat box1's table as it treats the host's.
func TestRefusesWhatReachesTheHost(t *testing.T) {
	hostMountsUnchanged(t)
	s := newSession(t)
	dir := t.TempDir()
	exec(t, s, "unshare mnt")
	one := s.Current
	exec(t, s, "mount -t tmpfs hood-test-peer "+dir)
	exec(t, s, "mount --make-shared "+dir)
	exec(t, s, "run mkdir "+dir+"/sub "+dir+"/other")
	exec(t, s, "box new b2")
	exec(t, s, "enter box1 mnt")
	exec(t, s, "unshare mnt --propagation unchanged")
	exec(t, s, "mount -t tmpfs hood-test-sub "+dir+"/sub")
	if !strings.Contains(mountinfoOf(t, one.PID), "hood-test-sub") {
		t.Fatalf("the mount did not propagate to box1:\n%s", mountinfoOf(t, one.PID))
	}
	exec(t, s, "box new b3")
	exec(t, s, "unshare mnt")
	exec(t, s, "mount -t tmpfs hood-test-gift "+dir)
	real := s.HoodPID
	s.HoodPID = one.PID
	defer func() { s.HoodPID = real }()
	exec(t, s, "box use b2")
	for line, want := range map[string]string{
		"umount " + dir + "/sub":                       "unmounting it would unmount the host's copy too",
		"umount -l " + dir:                             "unmounting it would unmount the host's copy too",
		"umount " + dir + "/other":                     "hood cannot tell which mount umount2 would remove",
		"mount -t tmpfs hood-test-x " + dir + "/other": "shared with the host's mount table",
		"mount -t tmpfs hood-test-x tmp":               "not a clean absolute path",
	} {
		if err := execErr(s, line); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want it refused with %q", line, err, want)
		}
	}
	exec(t, s, "box use b3")
	if err := execErr(s, "mount --move-into b2 "+dir); err == nil || !strings.Contains(err.Error(), "could propagate to the host") {
		t.Errorf("move into a box with mounts the host shares: %v", err)
	}
	if mi := mountinfoOf(t, one.PID); !strings.Contains(mi, "hood-test-sub") || strings.Contains(mi, "hood-test-x") || strings.Contains(mi, "hood-test-gift") {
		t.Errorf("box1's table changed:\n%s", mi)
	}
}
