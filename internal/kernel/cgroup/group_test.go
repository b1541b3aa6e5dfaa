package cgroup

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"hood/internal/testenv"
)

// The first tests drive the group logic on plain directories, which behave
// like cgroupfs for mkdir and rmdir; they need no root. The tests after
// them use the real cgroup filesystem.

// fakeHier is a hierarchy "mounted" at a fresh temporary directory.
func fakeHier(t *testing.T) Hierarchy {
	return Hierarchy{ID: 8, Controllers: []string{"pids"}, Mount: t.TempDir(), Path: "/"}
}

func calls(ops []Op) []string {
	var s []string
	for _, op := range ops {
		s = append(s, op.Text())
	}
	return s
}

// loud is calls without the quiet ones (the parent directories' opens
// and closes around mkdirat and unlinkat, the opens of files written).
func loud(ops []Op) []string {
	var s []string
	for _, op := range ops {
		if !op.Quiet {
			s = append(s, op.Text())
		}
	}
	return s
}

// at is mkdirat's or unlinkat's first two arguments for path as hood
// makes the call: relative to the parent's descriptor.
func at(path string) string {
	return fmt.Sprintf("%d<%s>, %q", 7, filepath.Dir(path), filepath.Base(path))
}

// fdsAs7 writes every descriptor number as 7, which is the number the
// kernel gives is not the test's business.
func fdsAs7(s []string) []string {
	out := make([]string, len(s))
	for i, t := range s {
		out[i] = fdNum.ReplaceAllString(t, "${1}7<")
	}
	return out
}

var fdNum = regexp.MustCompile(`(^|[(, ])\d+<`)

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func TestNewGroupMakesDirs(t *testing.T) {
	hs := []Hierarchy{fakeHier(t), fakeHier(t)}
	g, ops, err := NewGroup(hs, "box1", 4242)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, h := range hs {
		want = append(want,
			fmt.Sprintf("mkdirat(%s, 0755)", at(h.Mount+"/hood")),
			fmt.Sprintf("mkdirat(%s, 0755)", at(h.Mount+"/hood/box1")))
	}
	if got := fdsAs7(loud(ops)); !slices.Equal(got, want) {
		t.Errorf("ops\n%q\nwant\n%q", got, want)
	}
	for i, dir := range g.Dirs {
		if dir != hs[i].Mount+"/hood/box1" || !exists(dir) {
			t.Errorf("Dirs[%d] = %s, want existing %s/hood/box1", i, dir, hs[i].Mount)
		}
	}

	ops, err = g.Remove()
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hs {
		if exists(h.Mount + "/hood") {
			t.Errorf("%s/hood left behind; ops %q", h.Mount, calls(ops))
		}
	}
}

func TestNewGroupUndoesOnFailure(t *testing.T) {
	good := fakeHier(t)
	bad := fakeHier(t)
	// A hierarchy unmounted since it was read: mkdir fails there.
	bad.Mount = filepath.Join(bad.Mount, "gone")
	g, ops, err := NewGroup([]Hierarchy{good, bad}, "box1", 4242)
	if err == nil {
		t.Fatalf("no error; group %+v", g)
	}
	if want := "mkdir " + bad.Mount + "/hood: no such file or directory (ENOENT)"; !errors.Is(err, unix.ENOENT) || err.Error() != want {
		t.Errorf("error %q, want %q wrapping ENOENT", err, want)
	}
	if exists(good.Mount + "/hood") {
		t.Errorf("%s/hood not undone", good.Mount)
	}
	want := []string{
		fmt.Sprintf("mkdirat(%s, 0755)", at(good.Mount+"/hood")),
		fmt.Sprintf("mkdirat(%s, 0755)", at(good.Mount+"/hood/box1")),
		// fails: the directory to make it in is not there
		fmt.Sprintf("openat2(AT_FDCWD, %q, {flags=O_PATH|O_DIRECTORY|O_CLOEXEC, resolve=RESOLVE_NO_SYMLINKS}, 24)", bad.Mount),
		fmt.Sprintf("unlinkat(%s, AT_REMOVEDIR)", at(good.Mount+"/hood/box1")), // the undo, newest first
		fmt.Sprintf("unlinkat(%s, AT_REMOVEDIR)", at(good.Mount+"/hood")),
	}
	var shown []Op
	for _, op := range ops {
		if !op.Quiet {
			shown = append(shown, op)
		}
	}
	ops = shown
	if got := fdsAs7(loud(ops)); !slices.Equal(got, want) {
		t.Errorf("ops\n%q\nwant\n%q", got, want)
	}
	if len(ops) == len(want) && (!ops[2].Failed() || ops[3].Failed() || ops[4].Failed()) {
		t.Errorf("op errors %v %v %v, want only the third mkdir to fail", ops[2].Result(), ops[3].Result(), ops[4].Result())
	}
}

func TestNewGroupReusesLeftoverAvoidsBusy(t *testing.T) {
	h := fakeHier(t)
	for _, d := range []string{"hood/left", "hood/busy"} {
		if err := os.MkdirAll(filepath.Join(h.Mount, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(h.Mount, "hood/busy/cgroup.procs"), []byte("1\n77\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	g, ops, err := NewGroup([]Hierarchy{h}, "left", 4242)
	if err != nil {
		t.Fatal(err)
	}
	if g.Dirs[0] != h.Mount+"/hood/left" || len(ops) != 0 {
		t.Errorf("leftover: Dirs %q ops %q, want reuse of hood/left with no ops", g.Dirs, calls(ops))
	}

	g, _, err = NewGroup([]Hierarchy{h}, "busy", 4242)
	if err != nil {
		t.Fatal(err)
	}
	if g.Dirs[0] != h.Mount+"/hood/busy.4242" || !exists(g.Dirs[0]) {
		t.Errorf("busy: Dirs %q, want new hood/busy.4242", g.Dirs)
	}
	pids, err := (&Group{Dirs: []string{h.Mount + "/hood/busy"}}).Procs(0)
	if err != nil || !slices.Equal(pids, []int{1, 77}) {
		t.Errorf("Procs = %v, %v; want [1 77]", pids, err)
	}
}

func TestNewGroupRejectsBadNames(t *testing.T) {
	h := fakeHier(t)
	for _, box := range []string{"", ".", "..", "a/b", "../x"} {
		if _, _, err := NewGroup([]Hierarchy{h}, box, 1); err == nil {
			t.Errorf("NewGroup(%q) accepted", box)
		}
	}
	if exists(h.Mount + "/hood") {
		t.Error("a rejected name created hood/")
	}
}

func TestCleanupStaleFake(t *testing.T) {
	h := fakeHier(t)
	for _, d := range []string{"hood/empty", "hood/busy", "hood/nested/child"} {
		if err := os.MkdirAll(filepath.Join(h.Mount, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(h.Mount, "hood/busy/cgroup.procs"), []byte("77\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	removed, err := CleanupStale([]Hierarchy{h}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{h.Mount + "/hood/empty"}; !slices.Equal(removed, want) {
		t.Errorf("removed %q, want %q", removed, want)
	}
	if !exists(h.Mount+"/hood/busy") || !exists(h.Mount+"/hood/nested/child") {
		t.Error("a group in use was removed")
	}
}

// --- Against the kernel. ---

// realHierarchies returns the hierarchies this test process runs in,
// skipping the test when it cannot create cgroups.
func realHierarchies(t *testing.T) []Hierarchy {
	t.Helper()
	testenv.Root(t)
	hs, err := Hierarchies("/proc", os.Getpid())
	if err != nil {
		t.Skipf("cannot read this process's cgroups: %v", err)
	}
	if len(hs) == 0 {
		t.Skip("no cgroup filesystem is mounted")
	}
	return hs
}

// boxName is unique per test and per test process, so concurrent runs of
// these tests (or a hood in use) never share a group.
func boxName(t *testing.T) string {
	return fmt.Sprintf("test%d-%s", os.Getpid(), strings.ToLower(strings.TrimPrefix(t.Name(), "Test")))
}

// startSleep starts a child this test owns and kills it at cleanup.
func startSleep(t *testing.T) *exec.Cmd {
	t.Helper()
	cmd := exec.Command("sleep", "30")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stop(cmd) })
	return cmd
}

func stop(cmd *exec.Cmd) {
	if cmd.ProcessState == nil {
		cmd.Process.Kill()
		cmd.Wait()
	}
}

// newGroup makes a group and removes it at cleanup, whatever the test did.
func newGroup(t *testing.T, hs []Hierarchy, box string) *Group {
	t.Helper()
	g, ops, err := NewGroup(hs, box, os.Getpid())
	if err != nil {
		t.Fatalf("NewGroup: %v\nops %q", err, calls(ops))
	}
	t.Cleanup(func() { g.Remove() })
	return g
}

func TestGroupLifecycle(t *testing.T) {
	hs := realHierarchies(t)
	box := boxName(t)
	g := newGroup(t, hs, box)
	child := startSleep(t)
	pid := child.Process.Pid

	// On a v1 cpuset hierarchy this only works because NewGroup filled
	// cpuset.cpus and cpuset.mems: an empty cpuset refuses with ENOSPC.
	if ops, err := g.Attach(pid); err != nil {
		t.Fatalf("Attach: %v\nops %q", err, calls(ops))
	}
	for i := range g.Dirs {
		if pids, err := g.Procs(i); err != nil || !slices.Contains(pids, pid) {
			t.Errorf("%s: Procs = %v, %v; want %d", g.Hier[i].Label(), pids, err, pid)
		}
	}
	// The kernel's own view: /proc/<child>/cgroup names hood/<box> everywhere.
	seen, err := Hierarchies("/proc", pid)
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != len(hs) {
		t.Fatalf("child is in %d hierarchies, hood in %d", len(seen), len(hs))
	}
	for i, h := range seen {
		if want := path.Join(hs[i].Path, "hood", box); h.ID != hs[i].ID || h.Path != want {
			t.Errorf("/proc/%d/cgroup: %d:%s:%s, want %d:%s:%s", pid, h.ID, h.Label(), h.Path, hs[i].ID, hs[i].Label(), want)
		}
	}

	stop(child)
	ops, err := g.Remove()
	if err != nil {
		t.Fatalf("Remove: %v\nops %q", err, calls(ops))
	}
	for _, op := range ops {
		t.Logf("%s", op)
	}
	for _, dir := range g.Dirs {
		if exists(dir) {
			t.Errorf("%s still exists after Remove", dir)
		}
	}
}

func TestRemoveRefusesPopulated(t *testing.T) {
	hs := realHierarchies(t)
	g := newGroup(t, hs, boxName(t))
	if ops, err := g.Attach(startSleep(t).Process.Pid); err != nil {
		t.Fatalf("Attach: %v\nops %q", err, calls(ops))
	}
	start := time.Now()
	ops, err := g.Remove()
	if !errors.Is(err, unix.EBUSY) {
		t.Fatalf("Remove of a group with a live process: %v, want EBUSY\nops %q", err, calls(ops))
	}
	if took := time.Since(start); took < time.Second || took > 3*time.Second {
		t.Errorf("Remove gave up after %v, want about 1s of retries in all", took)
	}
	for _, dir := range g.Dirs {
		if !exists(dir) {
			t.Errorf("%s removed while its process runs", dir)
		}
	}
}

func TestGroupBusyAndLeftover(t *testing.T) {
	hs := realHierarchies(t)
	box := boxName(t)
	first := newGroup(t, hs, box)
	if ops, err := first.Attach(startSleep(t).Process.Pid); err != nil {
		t.Fatalf("Attach: %v\nops %q", err, calls(ops))
	}

	// hood/<box> holds a process: another hood's, as far as NewGroup knows.
	second := newGroup(t, hs, box)
	want := fmt.Sprintf("%s.%d", box, os.Getpid())
	for i, dir := range second.Dirs {
		if dir != filepath.Join(hs[i].Dir(), "hood", want) || !exists(dir) {
			t.Errorf("second group dir %s, want existing .../hood/%s", dir, want)
		}
	}

	// hood/<box>.<pid> is empty: a leftover, reused without a mkdir.
	g, ops, err := NewGroup(hs, box, os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(g.Dirs, second.Dirs) || slices.ContainsFunc(ops, func(op Op) bool { return op.Name == "mkdirat" }) {
		t.Errorf("leftover not reused: dirs %q ops %q", g.Dirs, calls(ops))
	}
}

func TestCleanupStaleReal(t *testing.T) {
	hs := realHierarchies(t)
	// Run CleanupStale as if hood lived in a scratch group of ours, so it
	// never sees (and never removes) the groups of another hood running now.
	scratch := newGroup(t, hs, boxName(t))
	inner := slices.Clone(hs)
	for i := range inner {
		inner[i].Path = path.Join(inner[i].Path, "hood", filepath.Base(scratch.Dirs[i]))
	}

	busy := newGroup(t, inner, "busy")
	if ops, err := busy.Attach(startSleep(t).Process.Pid); err != nil {
		t.Fatalf("Attach: %v\nops %q", err, calls(ops))
	}
	empty := newGroup(t, inner, "empty")
	// A group of this (live) process is kept even when empty: it is a
	// running hood's. Mark "empty" as left by a hood that is gone.
	for _, d := range empty.Dirs {
		if err := unix.Setxattr(d, ownerAttr, []byte("999999999:1"), 0); err != nil {
			t.Logf("no owner mark on %s (%v): the age rule applies", d, err)
		}
	}
	mine := newGroup(t, inner, "mine")

	removed, err := CleanupStale(inner, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(removed, empty.Dirs) {
		t.Errorf("removed %q, want %q", removed, empty.Dirs)
	}
	for i := range hs {
		if !exists(mine.Dirs[i]) {
			t.Errorf("%s: the empty group of a running hood was removed", hs[i].Label())
		}
		if exists(empty.Dirs[i]) || !exists(busy.Dirs[i]) {
			t.Errorf("%s: empty group exists=%v, populated group exists=%v; want false, true",
				hs[i].Label(), exists(empty.Dirs[i]), exists(busy.Dirs[i]))
		}
	}
}

// A group made moments ago by a running hood, not yet attached to, is not a
// leftover: start-up cleanup keeps it.
func TestCleanupStaleKeepsYoungGroups(t *testing.T) {
	hs := realHierarchies(t)
	scratch := newGroup(t, hs, boxName(t))
	inner := slices.Clone(hs)
	for i := range inner {
		inner[i].Path = path.Join(inner[i].Path, "hood", filepath.Base(scratch.Dirs[i]))
	}
	fresh := newGroup(t, inner, "fresh")
	removed, err := CleanupStale(inner, StaleAge)
	if err != nil {
		t.Fatal(err)
	}
	if len(removed) != 0 {
		t.Errorf("a group made just now was removed: %q", removed)
	}
	for _, d := range fresh.Dirs {
		if !exists(d) {
			t.Errorf("%s is gone", d)
		}
	}
}

// Owned finds this process's groups, and forgets them once removed: the
// leftover checks of other tests rely on it.
func TestOwned(t *testing.T) {
	hs := realHierarchies(t)
	g := newGroup(t, hs, boxName(t))
	owned := Owned(hs, os.Getpid())
	for _, d := range g.Dirs {
		if !slices.Contains(owned, d) {
			t.Errorf("Owned misses %s (owned: %q)", d, owned)
		}
	}
	if _, err := g.Remove(); err != nil {
		t.Fatal(err)
	}
	for _, d := range Owned(hs, os.Getpid()) {
		if slices.Contains(g.Dirs, d) {
			t.Errorf("Owned still lists removed %s", d)
		}
	}
}

// An empty group of another running hood is not taken over: the second
// hood gets a group of its own name.
func TestNewGroupLeavesALiveHoodsEmptyGroup(t *testing.T) {
	testenv.Root(t) // trusted.* extended attributes need CAP_SYS_ADMIN
	h := fakeHier(t)
	other := exec.Command("sleep", "30")
	if err := other.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = other.Process.Kill(); _ = other.Wait() }()
	first, _, err := NewGroup([]Hierarchy{h}, "box1", other.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	if markOf(first.Dirs[0]) != token(other.Process.Pid) {
		t.Skip("requires extended attributes on the test's temporary directory")
	}
	second, _, err := NewGroup([]Hierarchy{h}, "box1", os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if second.Dirs[0] == first.Dirs[0] {
		t.Fatalf("the second hood took the first one's empty group %s", first.Dirs[0])
	}
	if want := fmt.Sprintf("box1.%d", os.Getpid()); filepath.Base(second.Dirs[0]) != want {
		t.Errorf("second group %s, want %s", second.Dirs[0], want)
	}
}
