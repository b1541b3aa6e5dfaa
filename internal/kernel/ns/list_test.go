package ns

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// usePasswd points List at a passwd file with the given lines.
func usePasswd(t *testing.T, lines ...string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "passwd")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	old := passwdPath
	passwdPath = path
	t.Cleanup(func() { passwdPath = old })
}

// listFixture is a fake /proc with the host's namespaces at inodes 1000
// (user) to 1007 (time), a uts namespace 2003 and a net namespace 3004, and
// entries List must step over.
func listFixture(t *testing.T) string {
	pid7 := nsLinks("7", 1000)
	pid7["7/ns/net"] = "->net:[3004]"
	pid300 := nsLinks("300", 1000)
	pid300["300/ns/uts"] = "->uts:[2003]"
	pid300["300/ns/net"] = "->net:[3004]"
	pid301 := nsLinks("301", 1000)
	pid301["301/ns/uts"] = "->uts:[2003]"
	delete(pid301, "301/ns/time") // as if the kernel had no time namespaces
	delete(pid301, "301/ns/time_for_children")
	pid56 := nsLinks("56", 1000)
	pid56["56/ns/uts"] = "->ipc:[5000]" // names the wrong type: skipped
	pid56["56/ns/net"] = "->net:[x]"    // malformed: skipped

	return fakeProc(t, merge(
		nsLinks("2", 1000), map[string]string{"2/cmdline": "", "2/comm": "kthreadd\n"},
		pid7, map[string]string{"7/cmdline": "init\x00--flag\x00\x00x\x00", "7/comm": "init\n"},
		pid300, map[string]string{"300/cmdline": "sh\x00-c\x00sleep 1\x00"},
		pid301, map[string]string{"301/cmdline": "sleep\x001\x00"},
		pid56, map[string]string{"56/cmdline": "broken\x00"},
		nsLinks("0123", 9000), // not a pid: leading zero
		map[string]string{
			"1/ns/":       "", // links gone: as if pid 1 exited mid-scan
			"1/comm":      "init\n",
			"55/":         "", // no ns directory at all
			"99":          "a file, not a process directory",
			"self":        "->7",
			"sys/":        "",
			"version":     "Linux version 6.1",
			"4294967296/": "", // beyond int32
		},
	))
}

func TestList(t *testing.T) {
	root := listFixture(t)
	me := "me"
	if os.Getuid() == 0 {
		me = "root"
	}
	usePasswd(t,
		"root:x:0:0:root:/root:/bin/bash",
		"toor:x:0:0:second entry for uid 0, ignored:/root:/bin/sh",
		"# a comment",
		"not a passwd line",
		"me:x:"+strconv.Itoa(os.Getuid())+":0::/:/bin/sh",
		"daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin",
	)
	user300 := me
	if os.Geteuid() == 0 {
		// A uid with no passwd entry is shown as a number.
		if err := os.Lchown(filepath.Join(root, "300"), 4242, 4242); err != nil {
			t.Fatal(err)
		}
		user300 = "4242"
	}

	got, err := List(root)
	if err != nil {
		t.Fatal(err)
	}
	want := []Namespace{
		{1000, "user", 5, 2, me, "kthreadd"},
		{1001, "cgroup", 5, 2, me, "kthreadd"},
		{1002, "ipc", 5, 2, me, "kthreadd"},
		{1003, "uts", 2, 2, me, "kthreadd"}, // 300 and 301 moved out, 56's link is bad
		{1004, "net", 2, 2, me, "kthreadd"}, // 7 and 300 moved out, 56's link is bad
		{1005, "pid", 5, 2, me, "kthreadd"},
		{1006, "mnt", 5, 2, me, "kthreadd"},
		{1007, "time", 4, 2, me, "kthreadd"}, // 301 has no time link
		{2003, "uts", 2, 300, user300, "sh -c sleep 1"},
		{3004, "net", 2, 7, me, "init --flag  x"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("List:\n got %s\nwant %s", dump(got), dump(want))
	}
}

func dump(nss []Namespace) string {
	var b strings.Builder
	for _, n := range nss {
		fmt.Fprintf(&b, "\n  %+v", n)
	}
	return b.String()
}

func TestListNoPasswd(t *testing.T) {
	old := passwdPath
	passwdPath = filepath.Join(t.TempDir(), "missing")
	t.Cleanup(func() { passwdPath = old })
	got, err := List(fakeProc(t, nsLinks("5", 1000)))
	if err != nil {
		t.Fatal(err)
	}
	if want := strconv.Itoa(os.Getuid()); len(got) != 8 || got[0].User != want {
		t.Errorf("List without /etc/passwd: %s\nwant 8 namespaces of user %s", dump(got), want)
	}
	if got[0].Command != "" {
		t.Errorf("command of a process without cmdline or comm: %q, want empty", got[0].Command)
	}
}

func TestListNoProc(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "proc")
	if _, err := List(missing); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("List(%s) error %v; want one naming the path", missing, err)
	}
}

// TestListManyPIDs makes /proc bigger than one getdents64 buffer.
func TestListManyPIDs(t *testing.T) {
	root := t.TempDir()
	const n = 3000
	for pid := 1; pid <= n; pid++ {
		dir := filepath.Join(root, strconv.Itoa(pid), "ns")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink("uts:["+strconv.Itoa(5000+pid%3)+"]", filepath.Join(dir, "uts")); err != nil {
			t.Fatal(err)
		}
	}
	got, err := List(root)
	if err != nil {
		t.Fatal(err)
	}
	want := []Namespace{{5000, "uts", n / 3, 3, "", ""}, {5001, "uts", n / 3, 1, "", ""}, {5002, "uts", n / 3, 2, "", ""}}
	for i := range got {
		got[i].User = ""
	}
	if !slices.Equal(got, want) {
		t.Errorf("List:%s\nwant%s", dump(got), dump(want))
	}
}

// lsnsEntry is one namespace in `lsns --json`; lsns 2.38 nests namespaces
// under the one whose process is their process's parent.
type lsnsEntry struct {
	Namespace
	Children []lsnsEntry `json:"children"`
}

type nsKey struct {
	inode uint64
	typ   string
}

func runLsns(t *testing.T) map[nsKey]Namespace {
	t.Helper()
	out, err := exec.Command("lsns", "--json").Output()
	if err != nil {
		t.Fatalf("lsns --json: %v", err)
	}
	var doc struct{ Namespaces []lsnsEntry }
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatalf("lsns --json: %v", err)
	}
	m := make(map[nsKey]Namespace)
	var walk func([]lsnsEntry)
	walk = func(es []lsnsEntry) {
		for _, e := range es {
			m[nsKey{e.Inode, e.Type}] = e.Namespace
			walk(e.Children)
		}
	}
	walk(doc.Namespaces)
	if len(m) == 0 {
		t.Fatalf("lsns --json listed nothing:\n%s", out)
	}
	return m
}

// TestListMatchesLsns compares List with lsns(8) on the real /proc. lsns
// runs before and after List, and List again after that; a namespace that
// both lsns runs and both List runs describe alike is stable, and List must
// describe it exactly as lsns does, except that lsns
// counts itself in the namespaces it runs in (the test's own) and List has
// no such extra process. Namespaces that changed between the runs (the
// machine may be shared) are checked loosely, and the whole comparison is
// tried three times before it fails.
//
// lsns 2.38 finds namespaces only through processes, as List does: it does
// not show a namespace held only by an nsfs bind mount
// (`unshare --uts=/some/file`) or an open descriptor. Later versions of
// lsns do, with NPROCS 0.
func TestListMatchesLsns(t *testing.T) {
	requireRoot(t)
	requireLsns(t)
	var problems []string
	for attempt := 1; attempt <= 3; attempt++ {
		problems = compareWithLsns(t)
		if len(problems) == 0 {
			return
		}
		t.Logf("attempt %d: %d differences, first: %s", attempt, len(problems), problems[0])
	}
	t.Errorf("List and lsns differ:\n%s", strings.Join(problems, "\n"))
}

func compareWithLsns(t *testing.T) (problems []string) {
	// The namespaces of the test process are those lsns counts itself in.
	mine := make(map[uint64]bool)
	for _, typ := range Types {
		if ino, err := ReadInode("/proc", os.Getpid(), typ.Name); err == nil {
			mine[ino] = true
		}
	}
	before := runLsns(t)
	list, err := List("/proc")
	if err != nil {
		t.Fatal(err)
	}
	after := runLsns(t)
	// A second List after the second lsns: a process that lived only
	// while the first List ran (other tests start short-lived ones) makes
	// the two Lists differ, and that namespace is then checked loosely.
	list2, err := List("/proc")
	if err != nil {
		t.Fatal(err)
	}
	ours2 := make(map[nsKey]Namespace)
	for _, n := range list2 {
		ours2[nsKey{n.Inode, n.Type}] = n
	}

	ours := make(map[nsKey]Namespace)
	for _, n := range list {
		ours[nsKey{n.Inode, n.Type}] = n
	}
	for ino := range mine {
		found := false
		for k := range ours {
			found = found || k.inode == ino
		}
		if !found {
			problems = append(problems, fmt.Sprintf("List misses namespace %d of the test process", ino))
		}
	}
	for k, n := range ours {
		_, inBefore := before[k]
		_, inAfter := after[k]
		if !inBefore && !inAfter {
			problems = append(problems, fmt.Sprintf("List shows %+v, lsns does not", n))
		}
	}
	for k, b := range before {
		a, inAfter := after[k]
		if !inAfter {
			continue // gone while we looked
		}
		n, ok := ours[k]
		if !ok {
			problems = append(problems, fmt.Sprintf("lsns shows %+v, List does not", b))
			continue
		}
		wantProcs := b.NProcs
		if mine[k.inode] {
			wantProcs-- // lsns itself
		}
		stable := a == b && ours2[k] == n
		switch {
		case !stable:
			if d := n.NProcs - wantProcs; d < -3 || d > 3 {
				problems = append(problems, fmt.Sprintf("changing namespace: List %+v, lsns %+v then %+v", n, b, a))
			}
		case n.NProcs != wantProcs || n.PID != b.PID || n.User != b.User || !sameCommand(n.Command, b.Command):
			problems = append(problems, fmt.Sprintf("List %+v, lsns %+v (nprocs %d without lsns itself)", n, b, wantProcs))
		}
	}
	return problems
}

// sameCommand compares List's COMMAND with lsns's. lsns 2.38 reads at most
// 8192 bytes of /proc/PID/cmdline and always drops the last byte, which is
// the terminating NUL unless the process rewrote its command line
// (setproctitle), where lsns loses the last character and List does not.
func sameCommand(ours, lsns string) bool {
	return ours == lsns || (strings.HasPrefix(ours, lsns) && len(ours)-len(lsns) <= 1)
}

func BenchmarkList(b *testing.B) {
	var n int
	for b.Loop() {
		list, err := List("/proc")
		if err != nil {
			b.Fatal(err)
		}
		n = len(list)
	}
	b.ReportMetric(float64(n), "namespaces")
}
