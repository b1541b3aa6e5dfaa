package cgroup

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"hood/internal/testenv"
)

// delegateUID is the user the delegation test hands a cgroup to.
const delegateUID = 65534

// TestDelegate does by hand what systemd's Delegate= does: as root it makes
// a v2 cgroup, gives it and its cgroup.procs, cgroup.subtree_control and
// cgroup.threads to uid 65534, and runs this test binary as that user
// inside it (TestDelegateChild), which readies the scope as hood does
// without root, makes a group and gives everything back.
func TestDelegate(t *testing.T) {
	testenv.Root(t)
	h := v2Of(t, os.Getpid())
	scope := filepath.Join(h.Base(), "hood-deleg-test."+strconv.Itoa(os.Getpid()))
	if err := os.Mkdir(scope, 0o755); err != nil {
		t.Skipf("no cgroup for the test: %v", err)
	}
	defer os.Remove(scope)
	for _, f := range []string{"", "cgroup.procs", "cgroup.subtree_control", "cgroup.threads"} {
		if err := os.Chown(filepath.Join(scope, f), delegateUID, delegateUID); err != nil {
			t.Fatal(err)
		}
	}
	// a copy of this binary the user may run
	dir, err := os.MkdirTemp("", "hood-deleg-test.")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "cgroup.test")
	copyFile(t, os.Args[0], bin)
	cmd := exec.Command(bin, "-test.run=^TestDelegateChild$", "-test.v")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "HOOD_DELEG_SCOPE="+scope)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: delegateUID, Gid: delegateUID}}
	pr, pw, _ := os.Pipe()
	cmd.Stdin = pr
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pr.Close()
	// as systemd-run --scope does: the process goes in first, then runs
	err = os.WriteFile(filepath.Join(scope, "cgroup.procs"), []byte(strconv.Itoa(cmd.Process.Pid)), 0)
	pw.Close()
	if err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("as uid %d in %s: %v\n%s", delegateUID, scope, err, out.String())
	}
	if !strings.Contains(out.String(), "--- PASS: TestDelegateChild") {
		t.Fatalf("the child did not run:\n%s", out.String())
	}
	t.Log(out.String())
	if ents, _ := os.ReadDir(scope); slices.ContainsFunc(ents, func(e os.DirEntry) bool { return e.IsDir() }) {
		t.Errorf("%s still has child cgroups: %v", scope, ents)
	}
	if got := readWords(scope, "cgroup.subtree_control"); len(got) > 0 {
		t.Errorf("%s/cgroup.subtree_control is %v after Undo, want it empty, as before", scope, got)
	}
}

// TestDelegateChild is TestDelegate's half that runs as the user.
func TestDelegateChild(t *testing.T) {
	scope := os.Getenv("HOOD_DELEG_SCOPE")
	if scope == "" {
		t.Skip("run by TestDelegate")
	}
	_, _ = io.Copy(io.Discard, os.Stdin) // until the parent moved us in
	h := v2Of(t, os.Getpid())
	if h.Scope() != scope || h.Base() != scope {
		t.Fatalf("Scope %s, Base %s: want %s", h.Scope(), h.Base(), scope)
	}
	if !Writable(scope) {
		t.Fatalf("%s is not writable by uid %d", scope, os.Geteuid())
	}
	d, ops, err := Delegate(h, os.Getpid())
	for _, o := range ops {
		t.Log(o.Text())
	}
	if err != nil {
		t.Fatal(err)
	}
	if got := v2Of(t, os.Getpid()).Dir(); got != filepath.Join(scope, SelfLeaf) {
		t.Errorf("after Delegate hood is in %s, want %s/%s", got, scope, SelfLeaf)
	}
	want := Delegable(scope)
	if got := readWords(scope, "cgroup.subtree_control"); !slices.Equal(got, want) {
		t.Errorf("%s/cgroup.subtree_control is %v, want what its cgroup.controllers delegates, %v", scope, got, want)
	}
	g, ops, err := NewGroup([]Hierarchy{h}, "deleg", os.Getpid())
	for _, o := range ops {
		t.Log(o.Text())
	}
	if err != nil {
		t.Fatal(err)
	}
	if g.Dirs[0] != filepath.Join(scope, parentDir, "deleg") {
		t.Errorf("group at %s, want it below %s", g.Dirs[0], scope)
	}
	if got := readWords(g.Dirs[0], "cgroup.controllers"); !slices.Equal(got, wantedOf(want)) {
		t.Errorf("the group has %v, want %v", got, wantedOf(want))
	}
	sleep := exec.Command("sleep", "5")
	if err := sleep.Start(); err == nil {
		if _, err := g.Attach(sleep.Process.Pid); err != nil {
			t.Errorf("attach to the group: %v", err)
		}
		_ = sleep.Process.Kill()
		_ = sleep.Wait()
	}
	time.Sleep(20 * time.Millisecond)
	if _, err := g.Remove(); err != nil {
		t.Error(err)
	}
	ops, err = d.Undo()
	for _, o := range ops {
		t.Log(o.Text())
	}
	if err != nil {
		t.Fatal(err)
	}
	if got := v2Of(t, os.Getpid()).Dir(); got != scope {
		t.Errorf("after Undo hood is in %s, want %s", got, scope)
	}
}

// wantedOf is those of Wanted in ctls, in the kernel's order.
func wantedOf(ctls []string) []string {
	var out []string
	for _, c := range ctls {
		if slices.Contains(Wanted, c) {
			out = append(out, c)
		}
	}
	return out
}

// v2Of is pid's v2 hierarchy, or the test skips.
func v2Of(t *testing.T, pid int) Hierarchy {
	t.Helper()
	hs, err := Hierarchies("/proc", pid)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hs {
		if h.Version() == 2 {
			return h
		}
	}
	t.Skip("no cgroup v2 hierarchy is mounted")
	return Hierarchy{}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o755); err != nil {
		t.Fatal(err)
	}
}
