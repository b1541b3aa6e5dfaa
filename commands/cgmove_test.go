package commands

import (
	"os"
	osexec "os/exec"
	"path/filepath"
	"strings"
	"testing"

	"hood/internal/kernel/cgroup"
	"hood/internal/kernel/procfs"
)

// These move processes between groups hood made, as root, and read where
// the kernel put them from /proc/PID/cgroup.

// cgroupSession is a session with box1 and the machine's hierarchies.
func cgroupSession(t *testing.T) (*Session, []cgroup.Hierarchy) {
	t.Helper()
	s := newSession(t)
	requireCgroups(t)
	hs, err := s.hierarchies()
	if err != nil {
		t.Fatal(err)
	}
	return s, hs
}

// boxChild starts sleep from the current box: a process hood started.
func boxChild(t *testing.T, s *Session) int {
	t.Helper()
	null := s.Stdin
	sp, err := s.Current.Spawn([]string{"/bin/sleep", "30"}, nil, [3]*os.File{null, null, null}, false)
	if err != nil || sp.Fork.Failed() {
		t.Fatalf("spawn sleep in box1: %v %v", err, sp.Fork)
	}
	t.Cleanup(func() { _ = osexec.Command("kill", "-KILL", itoa(sp.PID)).Run() })
	return sp.PID
}

// inGroup reports whether /proc/PID/cgroup puts pid in group g in the
// hierarchy with that ID. g's directory is hood/NAME, or hood/NAME.PID
// while another hood uses hood/NAME: the name is taken from g.
func inGroup(t *testing.T, pid, id int, g *cgroup.Group) bool {
	t.Helper()
	name := filepath.Base(g.Dirs[0])
	lines, err := procfs.Host.Cgroup(pid)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range lines {
		if l.ID == id {
			return strings.HasSuffix(l.Path, "/hood/"+name)
		}
	}
	return false
}

func TestCgroupSetProcsMovesAProcessABoxStarted(t *testing.T) {
	s := newSession(t)
	requireCgroups(t)
	execOK(t, s, "cgroup new web")
	pid := boxChild(t, s)
	r := execOK(t, s, "cgroup set web cgroup.procs "+itoa(pid))
	g := s.GroupOf("web")
	writes := 0
	for _, c := range r.Syscalls {
		if c.Name == "write" && !c.Failed() && strings.Contains(c.Text(), "/hood/"+filepath.Base(g.Dirs[0])+"/cgroup.procs>") {
			writes++
		}
	}
	if writes != len(g.Dirs) {
		t.Errorf("%d writes to web's cgroup.procs, want one per hierarchy (%d)", writes, len(g.Dirs))
	}
	for _, h := range g.Hier {
		if !inGroup(t, pid, h.ID, g) {
			t.Errorf("PID %d is not in hood/web in %s after cgroup set cgroup.procs", pid, h.Label())
		}
	}
	if strings.Contains(r.Meaning, "read-only") || !strings.Contains(r.Meaning, "how a process moves") {
		t.Errorf("meaning: %s", r.Meaning)
	}
}

func TestCgroupAttachAcceptsABoxChild(t *testing.T) {
	s := newSession(t)
	requireCgroups(t)
	execOK(t, s, "cgroup new web")
	pid := boxChild(t, s)
	execOK(t, s, "cgroup attach "+itoa(pid)+" web")
	g := s.GroupOf("web")
	if !inGroup(t, pid, g.Hier[0].ID, g) {
		t.Errorf("cgroup attach %d web: the box's child is not in hood/web", pid)
	}
	// Without a GROUP, a box's child goes to the box's own group.
	execOK(t, s, "cgroup attach "+itoa(pid))
	if !inGroup(t, pid, g.Hier[0].ID, s.GroupOf("box1")) {
		t.Errorf("cgroup attach %d: the box's child is not in hood/box1", pid)
	}
}

func TestCgroupMovesRefuseAProcessHoodDidNotStart(t *testing.T) {
	s := newSession(t)
	requireCgroups(t)
	execOK(t, s, "cgroup new web")
	other := osexec.Command("sleep", "30") // the test's child, not a box's
	if err := other.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { other.Process.Kill(); other.Wait() }()
	pid := itoa(other.Process.Pid)
	lines := []string{"cgroup set web cgroup.procs " + pid, "cgroup attach " + pid + " web"}
	if hasV1(s) { // tasks is a v1 file: a pure v2 machine refuses it as unknown
		lines = append(lines, "cgroup set web tasks "+pid)
	}
	for _, line := range lines {
		cmds, _ := Split(line)
		_, err := s.Exec(cmds[0])
		if err == nil || !strings.Contains(err.Error(), "hood moves only the processes it started") {
			t.Errorf("%s: %v, want a refusal saying hood moves only what it started", line, err)
		}
	}
	if web := s.GroupOf("web"); inGroup(t, other.Process.Pid, web.Hier[0].ID, web) {
		t.Errorf("a refused move moved the process")
	}
}

func TestCgroupSetTasksWritesEveryV1Hierarchy(t *testing.T) {
	s, hs := cgroupSession(t)
	var v1, v2 []cgroup.Hierarchy
	for _, h := range hs {
		if h.Version() == 1 {
			v1 = append(v1, h)
		} else {
			v2 = append(v2, h)
		}
	}
	if len(v1) < 2 {
		t.Skip("requires two or more cgroup v1 hierarchies (tasks is a v1 file)")
	}
	execOK(t, s, "cgroup new web")
	pid := boxChild(t, s)
	r := execOK(t, s, "cgroup set web tasks "+itoa(pid))
	g := s.GroupOf("web")
	for _, h := range v1 {
		if !inGroup(t, pid, h.ID, g) {
			t.Errorf("after tasks: PID %d is not in hood/web in %s", pid, h.Label())
		}
	}
	for _, h := range v2 {
		if inGroup(t, pid, h.ID, g) {
			t.Errorf("tasks moved PID %d in the v2 tree, which has no tasks file", pid)
		}
		if !strings.Contains(lines(r), "has no tasks file") {
			t.Errorf("the v2 tree left as it was, unsaid:\n%s", lines(r))
		}
	}
}

func TestCgroupTreeFooterNamesTheHierarchyShown(t *testing.T) {
	s, hs := cgroupSession(t)
	for _, h := range hs {
		r := execOK(t, s, "cgroup tree "+h.Mount)
		if want := "hierarchy " + h.Label() + ", mounted at " + h.Mount + "\n"; !strings.Contains(lines(r), want) {
			t.Errorf("cgroup tree %s footer:\n%swant %q", h.Mount, lines(r), want)
		}
	}
}

func TestCgroupModeSaysWhatTheV2TreeGives(t *testing.T) {
	s := newSession(t)
	requireCgroups(t)
	execOK(t, s, "cgroup new web") // a v2 group to look at
	r := execOK(t, s, "cgroup mode")
	seen := false
	for i, h := range s.GroupOf("web").Hier {
		if h.Version() != 2 {
			continue
		}
		seen = true
		dir := s.GroupOf("web").Dirs[i]
		for _, f := range []string{"cgroup.procs", "cgroup.events", "cgroup.freeze", "cgroup.kill"} {
			_, err := os.Stat(filepath.Join(dir, f))
			if listed := strings.Contains(lines(r), f); listed != (err == nil) {
				t.Errorf("%s in %s: exists %v, listed by cgroup mode %v:\n%s", f, dir, err == nil, listed, lines(r))
			}
		}
	}
	if !seen {
		t.Skip("requires a cgroup v2 hierarchy")
	}
	if strings.Contains(r.Meaning, "membership only") {
		t.Errorf("mode meaning: %s", r.Meaning)
	}
}

// hasV1 reports whether the session's hierarchies include a v1 one.
func hasV1(s *Session) bool {
	hs, err := s.hierarchies()
	if err != nil {
		return false
	}
	for _, h := range hs {
		if h.Version() == 1 {
			return true
		}
	}
	return false
}
