package commands

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"hood/internal/result"
)

// These run as root against the machine's cgroups: hybrid here, pure v2 in
// the VM lane (make vmtest). What `cgroup get` reads back after `cgroup set`
// comes from the kernel's files.

func execOK(t *testing.T, s *Session, line string) *result.Result {
	t.Helper()
	cmds, err := Split(line)
	if err != nil {
		t.Fatal(err)
	}
	var r *result.Result
	for _, w := range cmds {
		if r, err = s.Exec(w); err != nil {
			t.Fatalf("%s: %v", line, err)
		}
	}
	return r
}

func requireCgroups(t *testing.T) {
	t.Helper()
	if _, err := os.Stat("/sys/fs/cgroup"); err != nil {
		t.Skip("requires a cgroup filesystem at /sys/fs/cgroup")
	}
}

func TestCgroupSetGetRoundTrip(t *testing.T) {
	s := newSession(t)
	requireCgroups(t)
	for _, c := range []struct{ file, set, want string }{
		{"cpu.max", "50000", "50000 100000"},
		{"cpu.max", "max", "max 100000"},
		{"memory.max", "50M", "52428800"},
		{"memory.max", "max", "max"},
		{"pids.max", "20", "20"},
		{"pids.max", "max", "max"},
	} {
		execOK(t, s, "cgroup set "+c.file+" "+c.set)
		r := execOK(t, s, "cgroup get "+c.file)
		if strings.TrimSpace(r.Text) != c.want {
			t.Errorf("cgroup set %s %s, then get: %q, want %q", c.file, c.set, r.Text, c.want)
		}
	}
	// The group is the box's: its PID is in cgroup.procs.
	r := execOK(t, s, "cgroup get cgroup.procs")
	if !strings.Contains(" "+strings.Join(strings.Fields(r.Text), " ")+" ", " "+itoa(s.Current.PID)+" ") {
		t.Errorf("box1 (PID %d) is not in its group's cgroup.procs: %q", s.Current.PID, r.Text)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestCgroupBadInput(t *testing.T) {
	s := newSession(t)
	requireCgroups(t)
	for line, want := range map[string]string{
		"cgroup set cpu.max abc":        "cpu.max \"abc\"",
		"cgroup set memory.max 12XB":    "not a size",
		"cgroup set cpu.mx 5":           "did you mean cpu.max",
		"cgroup get nosuch.file":        "unknown cgroup file",
		"cgroup set memory.current 5":   "read-only",
		"cgroup set nobox cpu.max 5000": "unknown group \"nobox\"",
		"cgroup new ../escape":          "usage",
		"cgroup rm box1":                "not a group made with `cgroup new`",
	} {
		cmds, _ := Split(line)
		_, err := s.Exec(cmds[0])
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want one containing %q", line, err, want)
		}
	}
	// Nothing was made by a refused value: box1 has no group yet.
	if s.GroupOf("box1") != nil {
		t.Errorf("a refused value made box1's group")
	}
}

func TestCgroupFreezeThawKill(t *testing.T) {
	s := newSession(t)
	requireCgroups(t)
	execOK(t, s, "cgroup attach")
	r := execOK(t, s, "cgroup freeze")
	if !strings.Contains(lines(r), "frozen 1") {
		t.Errorf("after freeze: %s", lines(r))
	}
	if _, err := s.Exec([]string{"run", "true"}); err == nil || !strings.Contains(err.Error(), "frozen") {
		t.Errorf("run in a frozen box: %v, want a refusal naming frozen", err)
	}
	r = execOK(t, s, "cgroup thaw")
	if !strings.Contains(lines(r), "frozen 0") {
		t.Errorf("after thaw: %s", lines(r))
	}
	dirs := s.GroupOf("box1").Dirs
	execOK(t, s, "cgroup kill")
	if s.Box("box1") != nil {
		t.Errorf("box1 survived cgroup kill")
	}
	for _, d := range dirs {
		if _, err := os.Stat(d); err == nil {
			t.Errorf("%s is left after the group was killed", d)
		}
	}
}

func TestCgroupNewAttachRm(t *testing.T) {
	s := newSession(t)
	requireCgroups(t)
	execOK(t, s, "cgroup new web")
	g := s.GroupOf("web")
	if g == nil {
		t.Fatal("no group web")
	}
	execOK(t, s, "cgroup attach box1 web")
	data, _ := os.ReadFile(filepath.Join("/proc", itoa(s.Current.PID), "cgroup"))
	if !strings.Contains(string(data), "/hood/web") {
		t.Errorf("/proc/PID/cgroup after attach:\n%s", data)
	}
	if _, err := s.Exec([]string{"cgroup", "rm", "web"}); err == nil {
		t.Errorf("rm of a group with a process in it succeeded")
	}
	// Close removes every group hood made.
	s.Close()
	for _, d := range g.Dirs {
		if _, err := os.Stat(d); err == nil {
			t.Errorf("%s is left after Close", d)
		}
	}
}

func lines(r *result.Result) string {
	var b strings.Builder
	for _, l := range r.Lines {
		b.WriteString(l.Key + " " + l.Value + "\n")
	}
	return b.String()
}
