package commands

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"hood/internal/kernel/ns"
	"hood/internal/result"
	"hood/internal/testenv"
)

// These tests drive the real kernel as root: what hood narrates must equal
// what readlink(2) on /proc shows from outside.

// requireRoot skips under -short, and unless root (testenv.Root).
func requireRoot(t *testing.T) {
	t.Helper()
	testenv.Root(t)
}

func newSession(t *testing.T) *Session {
	t.Helper()
	requireRoot(t)
	s := NewSession()
	devnull, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	s.Stdin = devnull
	if _, err := s.StartBox("box1"); err != nil {
		t.Fatal(err)
	}
	hostname := readHostname(t)
	t.Cleanup(func() {
		pids := s.pids()
		var boxPIDs []int
		for _, b := range s.Boxes {
			boxPIDs = append(boxPIDs, b.PID)
		}
		s.Close()
		devnull.Close()
		// Close does not wait (hood is exiting); SIGKILL is certain but
		// asynchronous, so give the kernel a moment.
		for _, p := range append(pids, boxPIDs...) {
			deadline := time.Now().Add(5 * time.Second)
			for {
				st, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p))
				if err != nil || strings.Contains(string(st), ") Z ") {
					break
				}
				if time.Now().After(deadline) {
					t.Errorf("process %d still alive 5s after Close", p)
					break
				}
				time.Sleep(time.Millisecond)
			}
		}
		if h := readHostname(t); h != hostname {
			t.Errorf("host hostname changed: %q -> %q", hostname, h)
		}
	})
	return s
}

func readHostname(t *testing.T) string {
	b, err := os.ReadFile("/proc/sys/kernel/hostname")
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

func readlink(t *testing.T, pid int, link string) string {
	t.Helper()
	s, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/%s", pid, link))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func exec(t *testing.T, s *Session, line string) *result.Result {
	t.Helper()
	cmds, err := Split(line)
	if err != nil || len(cmds) != 1 {
		t.Fatalf("split %q: %v", line, err)
	}
	r, err := s.Exec(cmds[0])
	if err != nil {
		t.Fatalf("%s: %v", line, err)
	}
	return r
}

func TestUnshareEveryType(t *testing.T) {
	for _, typ := range ns.Types {
		t.Run(typ.Name, func(t *testing.T) {
			s := newSession(t)
			b := s.Current
			link := typ.Name
			if typ.ForChildren != "" {
				link = typ.ForChildren
			}
			hostOwn := readlink(t, b.PID, typ.Name)
			args := "unshare " + typ.Name
			if typ.Name == "pid" {
				args += " --fork" // pid_for_children is readable once PID 1 exists
			}
			r := exec(t, s, args)
			if c := boxCall(r, b.PID); !strings.HasPrefix(c.Text(), "unshare("+typ.FlagName) {
				t.Fatalf("first syscall %+v, want unshare(%s", r.Syscalls, typ.FlagName)
			}
			outside := readlink(t, b.PID, link)
			var found bool
			for _, c := range r.Changes {
				if c.Path == fmt.Sprintf("/proc/%d/ns/%s", b.PID, link) {
					found = true
					if c.After != outside {
						t.Errorf("hood says %s is %s, readlink says %s", c.Path, c.After, outside)
					}
					if c.Before == c.After {
						t.Errorf("%s did not change: %s", c.Path, c.After)
					}
				}
			}
			if !found {
				t.Fatalf("no change narrated for %s: %+v", link, r.Changes)
			}
			if typ.ForChildren != "" && readlink(t, b.PID, typ.Name) != hostOwn {
				t.Errorf("unshare %s moved the box itself", typ.Name)
			}
			if readlink(t, os.Getpid(), typ.Name) != hostOwn {
				t.Errorf("hood's own %s namespace changed", typ.Name)
			}
		})
	}
}

func TestUnshareAllOneCall(t *testing.T) {
	s := newSession(t)
	r := exec(t, s, "unshare all")
	if c := boxCall(r, s.Current.PID); strings.Count(c.Text(), "CLONE_NEW") != len(ns.Types) || c.Name != "unshare" {
		t.Fatalf("unshare all: the box's first call is %s", c)
	}
	if n := strings.Count(strings.Join(callNames(r), " "), "unshare"); n != 2 {
		t.Errorf("unshare all made %d unshare calls, want the box's one and the pin holder's: %v", n, callNames(r))
	}
	// The box, still the same PID, now differs from the host in every
	// type it can move in itself.
	for _, typ := range ns.Types {
		if typ.ForChildren != "" {
			continue
		}
		if readlink(t, s.Current.PID, typ.Name) == readlink(t, os.Getpid(), typ.Name) {
			t.Errorf("%s still the host's after unshare all", typ.Name)
		}
	}
}

func TestHostnameStaysInBox(t *testing.T) {
	s := newSession(t)
	host := readHostname(t)
	_, err := s.Exec([]string{"hostname", "tupperware"})
	var ue *result.UsageError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "--host") {
		t.Fatalf("hostname in the host's UTS namespace: err = %v, want a refusal naming --host", err)
	}
	exec(t, s, "unshare uts")
	r := exec(t, s, "hostname tupperware")
	if got, _ := s.Current.Hostname(); got != "tupperware" {
		t.Fatalf("box hostname %q", got)
	}
	if readHostname(t) != host {
		t.Fatal("host renamed")
	}
	if r.Syscalls[0].Text() != `sethostname("tupperware", 10)` {
		t.Errorf("narrated %q", r.Syscalls[0].Text())
	}
}

func TestEnterJoinsTarget(t *testing.T) {
	s := newSession(t)
	exec(t, s, "unshare uts net ipc mnt")
	box1 := s.Current
	exec(t, s, "box new box2")
	r := exec(t, s, "enter box1 uts net ipc mnt")
	for _, typ := range []string{"uts", "net", "ipc", "mnt"} {
		a, b := readlink(t, box1.PID, typ), readlink(t, s.Current.PID, typ)
		if a != b {
			t.Errorf("%s: box1 %s, box2 %s after enter", typ, a, b)
		}
	}
	if len(r.Syscalls) != 4 || !strings.HasPrefix(r.Syscalls[0].Text(), "setns(") {
		t.Errorf("syscalls %+v", r.Syscalls)
	}
	// Going back to the host's.
	exec(t, s, "enter host uts")
	if readlink(t, s.Current.PID, "uts") != readlink(t, os.Getpid(), "uts") {
		t.Error("enter host uts did not return to the host's UTS namespace")
	}
	// Already there: skipped, no syscall.
	r = exec(t, s, "enter host uts")
	if len(r.Syscalls) != 0 {
		t.Errorf("entering a namespace already shared made %+v", r.Syscalls)
	}
}

func TestEnterUserAndPid(t *testing.T) {
	s := newSession(t)
	exec(t, s, "unshare user --map-root")
	exec(t, s, "unshare pid --fork")
	box1 := s.Current
	init := box1.Inits[0]
	exec(t, s, "box new box2")
	exec(t, s, fmt.Sprintf("enter %d user pid", init))
	if readlink(t, s.Current.PID, "user") != readlink(t, box1.PID, "user") {
		t.Error("user namespace not joined")
	}
	if readlink(t, s.Current.PID, "pid_for_children") != readlink(t, init, "pid") {
		t.Error("pid_for_children not the init's namespace")
	}
	// The next process of box2 lands in box1's PID namespace, not as PID 1.
	r := exec(t, s, "run true")
	if !strings.Contains(r.Lines[0].Value, "(NSpid: ") || strings.HasSuffix(r.Lines[0].Value, " 1)") {
		t.Errorf("run after enter pid: %q", r.Lines[0].Value)
	}
}

func TestPidNamespaceInitExits(t *testing.T) {
	s := newSession(t)
	exec(t, s, "unshare pid")
	r := exec(t, s, "run true")
	if !strings.Contains(r.Lines[0].Value, "PID 1 in box1's PID namespace") {
		t.Errorf("first process: %q", r.Lines[0].Value)
	}
	_, err := s.Exec([]string{"run", "true"})
	var ke *result.KernelError
	if !errors.As(err, &ke) || ke.ErrName != "ENOMEM" || !strings.Contains(ke.Meaning, "PID 1") {
		t.Fatalf("second run: %v, want ENOMEM explained", err)
	}
}

func TestMountProcShowsOnlyTheNamespace(t *testing.T) {
	s := newSession(t)
	exec(t, s, "unshare pid --mount-proc")
	out, w, _ := os.Pipe()
	s.Stdout = w
	exec(t, s, "run ls /proc")
	w.Close()
	s.Stdout = os.Stdout
	buf := make([]byte, 1<<16)
	n, _ := out.Read(buf)
	var pids []int
	for _, f := range strings.Fields(string(buf[:n])) {
		if p, err := strconv.Atoi(f); err == nil {
			pids = append(pids, p)
		}
	}
	// PID 1 (the init hood forked) and ls itself, nothing of the host's.
	if len(pids) != 2 || pids[0] != 1 {
		t.Fatalf("/proc inside lists PIDs %v, want [1 2]", pids)
	}
	if _, err := os.Stat(fmt.Sprintf("/proc/%d", os.Getpid())); err != nil {
		t.Fatal("hood's own /proc was changed")
	}
}

func TestUserMapRoot(t *testing.T) {
	s := newSession(t)
	exec(t, s, "unshare user --map-root")
	m, err := os.ReadFile(fmt.Sprintf("/proc/%d/uid_map", s.Current.PID))
	if err != nil {
		t.Fatal(err)
	}
	if f := strings.Fields(string(m)); len(f) != 3 || f[0] != "0" || f[1] != strconv.Itoa(os.Geteuid()) || f[2] != "1" {
		t.Fatalf("uid_map %q", m)
	}
	if sg, _ := os.ReadFile(fmt.Sprintf("/proc/%d/setgroups", s.Current.PID)); strings.TrimSpace(string(sg)) != "deny" {
		t.Fatalf("setgroups %q", sg)
	}
}

func TestTimeOffsets(t *testing.T) {
	s := newSession(t)
	exec(t, s, "unshare time --monotonic 86400 --boottime 172800")
	off, err := os.ReadFile(fmt.Sprintf("/proc/%d/timens_offsets", s.Current.PID))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(off), "86400") || !strings.Contains(string(off), "172800") {
		t.Fatalf("timens_offsets %q", off)
	}
}

func TestCompareAndShowAgreeWithReadlink(t *testing.T) {
	s := newSession(t)
	exec(t, s, "unshare net")
	r := exec(t, s, "ns compare box1 host")
	for _, row := range r.Table.Rows {
		if row[1] != readlink(t, s.Current.PID, row[0]) || row[2] != readlink(t, os.Getpid(), row[0]) {
			t.Errorf("row %q disagrees with readlink", row)
		}
		if (row[3] == "same") != (row[0] != "net") {
			t.Errorf("row %q marked wrong", row)
		}
	}
}

func TestErrorsNameWhatExists(t *testing.T) {
	s := newSession(t)
	for line, want := range map[string]string{
		"unshare bogus":        "user cgroup ipc uts net pid mnt time",
		"box use nope":         "box1",
		"ns compare box1 nope": "box1",
		"unshar uts":           "unshare",
		"enter 999999999 uts":  "no process",
		"box new host":         "cannot name a box",
		"run":                  "usage: run",
	} {
		cmds, _ := Split(line)
		_, err := s.Exec(cmds[0])
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want it to mention %q", line, err, want)
		}
	}
}

// boxCall is the first call the process pid made (hood's own calls, and
// its pin holder's before a first mount namespace, come around it).
func boxCall(r *result.Result, pid int) result.Syscall {
	for _, c := range r.Syscalls {
		if c.PID == pid {
			return c
		}
	}
	return result.Syscall{}
}

func callNames(r *result.Result) []string {
	var out []string
	for _, c := range r.Syscalls {
		out = append(out, c.Name)
	}
	return out
}
