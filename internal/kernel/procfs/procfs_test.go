package procfs

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
)

// good is a proc of a hybrid host: see testdata/proc/*; broken holds one
// malformed file per PID.
var (
	good   = New("testdata/proc")
	broken = New("testdata/broken")
)

func TestStat(t *testing.T) {
	tests := []struct {
		pid                int
		comm               string
		state              State
		ppid, pgrp, tpgid  int
		start              uint64
		dead, kernelThread bool
	}{
		{4242, "bash", 'S', 4200, 4242, 4242, 31107, false, false},
		{4243, "sleep", 'Z', 4242, 4242, 4242, 31107, true, false},
		{4251, "hood-init", 'S', 4250, 4251, -1, 52000, false, false},
		{2, "kthreadd", 'S', 0, 0, -1, 26, false, true},
		{4260, "a) (b", 'S', 4242, 4260, 4260, 31107, false, false},
		{4261, "true", 'X', 4242, 4242, 4242, 31107, true, false},
	}
	for _, tc := range tests {
		st, err := good.Stat(tc.pid)
		if err != nil {
			t.Errorf("Stat(%d): %v", tc.pid, err)
			continue
		}
		if st.PID != tc.pid || st.Comm != tc.comm || st.State != tc.state || st.PPID != tc.ppid ||
			st.PGRP != tc.pgrp || st.TPGID != tc.tpgid || st.StartTime != tc.start || st.Threads != 1 {
			t.Errorf("Stat(%d) = %+v; want pid %d comm %q state %c ppid %d pgrp %d tpgid %d starttime %d",
				tc.pid, st, tc.pid, tc.comm, tc.state, tc.ppid, tc.pgrp, tc.tpgid, tc.start)
		}
		if st.State.Dead() != tc.dead || good.Alive(tc.pid) == tc.dead {
			t.Errorf("Stat(%d) state %s: Dead %v, Alive %v; want dead %v", tc.pid, st.State, st.State.Dead(), good.Alive(tc.pid), tc.dead)
		}
		if st.KernelThread() != tc.kernelThread {
			t.Errorf("Stat(%d).KernelThread() = %v", tc.pid, st.KernelThread())
		}
	}
	if good.Alive(9999) || good.Exists(9999) {
		t.Error("a PID without a directory is alive or exists")
	}
}

func TestStatBroken(t *testing.T) {
	for pid, want := range map[int]string{
		100:  "truncated: 4 fields after comm",
		101:  "no (comm)",
		102:  `field 4 (ppid) "x"`,
		112:  "no (comm)",
		115:  `field 3 (state) "1"`,
		9999: "no such file",
	} {
		_, err := broken.Stat(pid)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "stat") {
			t.Errorf("Stat(%d) error %v; want one naming the file and saying %q", pid, err, want)
		}
		if broken.Alive(pid) {
			t.Errorf("Alive(%d) with a broken stat", pid)
		}
	}
}

func TestStatus(t *testing.T) {
	st, err := good.Status(4251)
	if err != nil {
		t.Fatal(err)
	}
	want := Status{
		Name: "hood-init", State: 'S', Tgid: 4251, PID: 4251, PPid: 4250,
		Uid: IDs{100000, 100000, 100000, 100000}, Gid: IDs{100000, 100000, 100000, 100000},
		NStgid: []int{4251, 1}, NSpid: []int{4251, 1}, NSpgid: []int{4251, 1}, NSsid: []int{4251, 1},
		CapPrm: 0x1ffffffffff, CapEff: 0x1ffffffffff, CapBnd: 0x1ffffffffff, CapAmb: 0x400,
		NoNewPrivs: true, Seccomp: 2, SeccompFilters: 3,
	}
	if !statusEqual(st, want) {
		t.Errorf("Status(4251) =\n\t%+v\nwant\n\t%+v", st, want)
	}
	for pid, state := range map[int]State{4242: 'S', 4243: 'Z', 2: 'S', 4252: 'R'} {
		st, err := good.Status(pid)
		if err != nil || st.State != state || st.PID != pid || st.Tgid != pid {
			t.Errorf("Status(%d) = %+v, %v; want state %c", pid, st, err, state)
		}
	}
	if st, _ := good.Status(4242); st.Uid != (IDs{1000, 1000, 1000, 1000}) || st.CapEff != 0 || st.NoNewPrivs {
		t.Errorf("Status(4242) = %+v", st)
	}
}

func statusEqual(a, b Status) bool {
	return a.Name == b.Name && a.State == b.State && a.Tgid == b.Tgid && a.PID == b.PID && a.PPid == b.PPid &&
		a.Uid == b.Uid && a.Gid == b.Gid && slices.Equal(a.NStgid, b.NStgid) && slices.Equal(a.NSpid, b.NSpid) &&
		slices.Equal(a.NSpgid, b.NSpgid) && slices.Equal(a.NSsid, b.NSsid) &&
		a.CapInh == b.CapInh && a.CapPrm == b.CapPrm && a.CapEff == b.CapEff && a.CapBnd == b.CapBnd && a.CapAmb == b.CapAmb &&
		a.NoNewPrivs == b.NoNewPrivs && a.Seccomp == b.Seccomp && a.SeccompFilters == b.SeccompFilters
}

func TestStatusBroken(t *testing.T) {
	for pid, want := range map[int]string{
		103:  `line 2 "\x00\x01garbage without a key": want Key:`,
		104:  "no Uid: line",
		105:  "want real, effective, saved and filesystem IDs",
		106:  `CapEff: "-1": want up to 16 hexadecimal digits`,
		116:  `NSpid: "one": not a number`,
		9999: "no such file",
	} {
		_, err := broken.Status(pid)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "status") {
			t.Errorf("Status(%d) error %v; want one naming the file and saying %q", pid, err, want)
		}
	}
}

func TestCgroup(t *testing.T) {
	cs, err := good.Cgroup(4242)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 10 {
		t.Fatalf("Cgroup(4242): %d lines, want 10", len(cs))
	}
	if c := cs[0]; c.ID != 9 || !slices.Equal(c.Controllers, []string{"name=systemd"}) || c.V2() {
		t.Errorf("named hierarchy: %+v", c)
	}
	if c := cs[9]; c.ID != 0 || len(c.Controllers) != 0 || !c.V2() || c.Path != "/user.slice/user-1000.slice/session-2.scope" {
		t.Errorf("v2 line: %+v", c)
	}
	cs, err = ParseCgroup(strings.NewReader("0::/a:b/c\n1:cpu,cpuacct:/\n"))
	if err != nil || cs[0].Path != "/a:b/c" || !slices.Equal(cs[1].Controllers, []string{"cpu", "cpuacct"}) {
		t.Errorf("ParseCgroup = %+v, %v", cs, err)
	}
	for _, in := range []string{"0:cpu:/", "3::/", "x:cpu:/", "1:cpu:rel", "-1:cpu:/"} {
		if _, err := ParseCgroup(strings.NewReader(in)); err == nil {
			t.Errorf("ParseCgroup(%q): no error", in)
		}
	}
	for pid, want := range map[int]string{107: "no hierarchies listed", 108: `line 2 "broken line"`} {
		if _, err := broken.Cgroup(pid); err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "cgroup") {
			t.Errorf("Cgroup(%d) error %v; want one saying %q", pid, err, want)
		}
	}
}

func TestNS(t *testing.T) {
	for _, tc := range []struct {
		pid   int
		name  string
		want  string
		noent bool
	}{
		{4242, "uts", "uts:[4026531838]", false},
		{4242, "pid_for_children", "pid:[4026531836]", false},
		{4251, "pid", "pid:[4026532300]", false},
		{4243, "pid", "pid:[4026531836]", false},
		{4243, "uts", "", true}, // a zombie has lost it
		{9999, "uts", "", true},
	} {
		l, err := good.NS(tc.pid, tc.name)
		if tc.noent {
			if !errors.Is(err, os.ErrNotExist) {
				t.Errorf("NS(%d, %s) = %v, %v; want ErrNotExist", tc.pid, tc.name, l, err)
			}
			continue
		}
		if err != nil || l.String() != tc.want {
			t.Errorf("NS(%d, %s) = %v, %v; want %s", tc.pid, tc.name, l, err, tc.want)
		}
	}
	for _, tc := range []struct {
		pid        int
		name, want string
	}{
		{110, "ipc", "names a uts namespace, want ipc"},
		{110, "net", `"garbage"`},
		{109, "uts", "no such file"},
		{110, "../110/ns/uts", "not a name in /proc/PID/ns"},
		{110, "", "not a name in /proc/PID/ns"},
	} {
		if _, err := broken.NS(tc.pid, tc.name); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("NS(%d, %q) error %v; want one saying %q", tc.pid, tc.name, err, tc.want)
		}
	}
}

func TestParseNSLink(t *testing.T) {
	for in, want := range map[string]NSLink{
		"uts:[4026531838]":           {"uts", 4026531838},
		"time:[1]":                   {"time", 1},
		"net:[18446744073709551615]": {"net", 1<<64 - 1},
	} {
		if l, err := ParseNSLink(in); err != nil || l != want {
			t.Errorf("ParseNSLink(%q) = %v, %v; want %v", in, l, err, want)
		}
	}
	for in, why := range map[string]string{
		"": "TYPE:[INODE]", "uts": "TYPE:[INODE]", ":[4026531838]": "TYPE:[INODE]",
		"uts:4026531838": "TYPE:[INODE]", "uts:[4026531838": "closing ]", "uts:[]": "not a decimal number",
		"uts:[-1]": "not a decimal number", "uts:[+1]": "not a decimal number", "uts:[0x10]": "not a decimal number", "uts:[010]": "not a decimal number",
		"uts:[12 ]": "not a decimal number", "uts:[1]x": "closing ]",
		"uts:[18446744073709551616]": "out of range", "/dev/null": "TYPE:[INODE]",
	} {
		l, err := ParseNSLink(in)
		if err == nil || !strings.Contains(err.Error(), why) || !strings.Contains(err.Error(), `"`+in+`"`) {
			t.Errorf("ParseNSLink(%q) = %v, %v; want an error quoting the input and saying %q", in, l, err, why)
		}
	}
}

func TestProcesses(t *testing.T) {
	pids, err := good.PIDs()
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{2, 4242, 4243, 4250, 4251, 4252, 4260, 4261}; !slices.Equal(pids, want) {
		t.Errorf("PIDs() = %v; want %v (self and cpuinfo are not processes)", pids, want)
	}
	if got, want := good.Descendants(4242), []int{4243, 4250, 4260, 4261, 4251, 4252}; !slices.Equal(got, want) {
		t.Errorf("Descendants(4242) = %v; want %v", got, want)
	}
	if got := broken.Descendants(113); !slices.Equal(got, []int{114}) {
		t.Errorf("Descendants in a parent loop = %v; want [114]", got)
	}
	if c, err := good.Comm(4260); err != nil || c != "a) (b" {
		t.Errorf("Comm(4260) = %q, %v", c, err)
	}
	if got := good.Via(4251).Path(1, "ns", "pid"); got != "testdata/proc/4251/root/proc/1/ns/pid" {
		t.Errorf("Via(4251).Path = %s", got)
	}
}

func TestMountinfo(t *testing.T) {
	ms, err := good.Mountinfo(4242, nil)
	if err != nil || len(ms) != 9 {
		t.Fatalf("Mountinfo(4242) = %d mounts, %v; want 9", len(ms), err)
	}
	if m := ms[8]; m.Mountpoint != "/home/with space" {
		t.Errorf("escaped mount point read as %q", m.Mountpoint)
	}
	for path, want := range map[string]int{"/mnt/x": 41, "/mnt": 41, "/sys/fs/cgroup/memory/a": 32, "/etc": 27, "/": 27, "/sysx": 27} {
		if m := MountOf(ms, path); m == nil || m.ID != want {
			t.Errorf("MountOf(%s) = %+v; want mount %d", path, m, want)
		}
	}
	if m := good.MountAt(4242, "/mnt"); m == nil || m.ID != 41 {
		t.Errorf("MountAt(/mnt) = %+v; want the top mount, 41", m)
	}
	if m := good.MountAt(4242, "/etc"); m != nil {
		t.Errorf("MountAt(/etc) = %+v; want none", m)
	}
	if m := TopAt(ms, "/mnt"); m == nil || m.ID != 41 {
		t.Errorf("TopAt(/mnt) = %+v; want the top mount, 41", m)
	}
	if g := PeerGroups(ms[6]); !slices.Equal(g, []string{"20"}) {
		t.Errorf("PeerGroups(/mnt) = %v", g)
	}
	if ps, err := good.Mountinfo(4242, InPeerGroup("2")); err != nil || len(ps) != 1 || ps[0].Mountpoint != "/sys" {
		t.Errorf("peer group 2 = %v, %v; want /sys alone (not shared:20)", ps, err)
	}
	if _, err := broken.Mountinfo(111, nil); err == nil || !strings.Contains(err.Error(), "mountinfo") {
		t.Errorf("broken mountinfo: error %v", err)
	}
	if m := broken.MountAt(111, "/proc"); m != nil {
		t.Errorf("MountAt in a broken table = %+v", m)
	}
}

func TestStatusCatches(t *testing.T) {
	st, err := ParseStatus(strings.NewReader("Name:\tx\nState:\tS (sleeping)\nTgid:\t1\nPid:\t1\nPPid:\t0\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nSigCgt:\t0000000000004002\n"))
	if err != nil {
		t.Fatal(err)
	}
	for sig, want := range map[int]bool{2: true, 15: true, 9: false, 1: false, 0: false, 65: false} {
		if got := st.Catches(sig); got != want {
			t.Errorf("Catches(%d) = %v with SigCgt %#x", sig, got, st.SigCgt)
		}
	}
}
