package cgroup

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// v1Group is a group in one fake v1 hierarchy of ctls, its files made
// empty (a write through call.WriteFile does not truncate).
func v1Group(t *testing.T, ctls []string, files ...string) (*Group, string) {
	t.Helper()
	dir := t.TempDir()
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(dir, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	h := Hierarchy{Controllers: ctls, Mount: dir, Path: "/"}
	return &Group{Box: "t", Dirs: []string{dir}, Hier: []Hierarchy{h}}, dir
}

func content(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestSetGetTranslateToV1(t *testing.T) {
	g, dir := v1Group(t, []string{"cpu", "cpuacct"}, "cpu.cfs_quota_us", "cpu.cfs_period_us", "cpu.shares")
	ops, notes, err := g.Set("cpu.max", "50000 100000")
	if err != nil {
		t.Fatal(err)
	}
	if content(t, dir, "cpu.cfs_quota_us") != "50000" || content(t, dir, "cpu.cfs_period_us") != "100000" {
		t.Errorf("cpu.max wrote quota %q, period %q", content(t, dir, "cpu.cfs_quota_us"), content(t, dir, "cpu.cfs_period_us"))
	}
	if len(notes) != 1 || !strings.Contains(notes[0], "cpu.cfs_quota_us 50000") {
		t.Errorf("notes = %q", notes)
	}
	var writes []string
	for _, o := range ops {
		if o.Name == "write" {
			writes = append(writes, o.String())
			if o.Ret != int64(len(o.Args[1].Str)) {
				t.Errorf("%s: the narrated return is not the byte count", o)
			}
		}
	}
	if len(writes) != 2 {
		t.Errorf("writes = %q, want the period then the quota", writes)
	}
	v, _, err := g.Get("cpu.max")
	if err != nil || v != "50000 100000" {
		t.Errorf("Get(cpu.max) = %q, %v", v, err)
	}
	if _, _, err := g.Set("cpu.weight", "100"); err != nil || content(t, dir, "cpu.shares") != "2597" {
		t.Errorf("cpu.weight 100 wrote shares %q (%v), want 2597", content(t, dir, "cpu.shares"), err)
	}
}

func TestSetRefusesWithoutWriting(t *testing.T) {
	g, dir := v1Group(t, []string{"memory"}, "memory.limit_in_bytes")
	for _, c := range []struct{ file, value, why string }{
		{"memory.max", "lots", "not a size"},
		{"memory.current", "5", "read-only"},
		{"memory.high", "5M", "v1 has no memory.high"},
		{"io.cost.qos", "8:0 enable=1", "only in the root cgroup"},
		{"memory.swap.max", "5M", "no swap accounting"},
	} {
		ops, _, err := g.Set(c.file, c.value)
		if err == nil || !strings.Contains(err.Error(), c.why) {
			t.Errorf("Set(%s, %s) = %v, want %q", c.file, c.value, err, c.why)
		}
		if len(ops) != 0 {
			t.Errorf("Set(%s, %s) made calls: %v", c.file, c.value, ops)
		}
	}
	if got := content(t, dir, "memory.limit_in_bytes"); got != "" {
		t.Errorf("memory.limit_in_bytes = %q after refusals", got)
	}
}

func TestV1OnlyFileOnV2(t *testing.T) {
	dir := t.TempDir()
	g := &Group{Box: "t", Dirs: []string{dir}, Hier: []Hierarchy{{v2: true, Mount: dir, Path: "/"}}}
	_, _, err := g.Get("net_cls.classid")
	var nc *ErrNoController
	if !errors.As(err, &nc) || !strings.Contains(err.Error(), "BPF") {
		t.Errorf("Get(net_cls.classid) on v2 = %v, want no controller, BPF instead", err)
	}
}

func TestWriteFileKeepsErrnoAndValue(t *testing.T) {
	dir := t.TempDir()
	calls, err := WriteFile(dir, "cpu.max", "50000")
	if !errors.Is(err, unix.ENOENT) || !strings.Contains(err.Error(), `"50000"`) || !strings.Contains(err.Error(), "cpu.max") {
		t.Errorf("WriteFile to a missing file = %v, want ENOENT naming the file and value", err)
	}
	if len(calls) != 1 || calls[0].Name != "openat2" || calls[0].ErrName() != "ENOENT" {
		t.Errorf("calls = %v, want the failed openat2 as made", calls)
	}
	if _, err := WriteFile(dir, "../escape", "1"); err == nil {
		t.Error("WriteFile took a path outside the group")
	}
	if _, err := ReadFile(dir, "nothing"); !errors.Is(err, unix.ENOENT) {
		t.Errorf("ReadFile of a missing file = %v, want ENOENT", err)
	}
}

func TestOffersAndEnabled(t *testing.T) {
	v1 := Hierarchy{Controllers: []string{"blkio"}, Mount: t.TempDir(), Path: "/"}
	if !v1.Offers("io") || v1.Offers("memory") || v1.Version() != 1 {
		t.Errorf("v1 blkio: Offers(io) %v, Offers(memory) %v, Version %d", v1.Offers("io"), v1.Offers("memory"), v1.Version())
	}
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "cgroup.subtree_control"), []byte("cpu pids\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	v2 := Hierarchy{v2: true, Mount: root, Path: "/"}
	if !v2.Offers("pids") || v2.Offers("memory") || !v2.Offers("cgroup") || v2.Version() != 2 {
		t.Errorf("v2: Offers(pids) %v, Offers(memory) %v, Offers(cgroup) %v", v2.Offers("pids"), v2.Offers("memory"), v2.Offers("cgroup"))
	}
	if got := v2.Enabled(); !slices.Equal(got, []string{"cpu", "pids"}) {
		t.Errorf("v2 Enabled = %q", got)
	}
}

// On v1, cpu.stat's usage comes from the group's directory in the cpuacct
// hierarchy, wherever that lies (hood's own cgroup may have another path
// in each tree).
func TestCPUStatUsageFromTheCpuacctHierarchy(t *testing.T) {
	cpu, acct := t.TempDir(), t.TempDir()
	writeTree(t, cpu, map[string]string{"cpu.stat": "nr_periods 10\nnr_throttled 4\nthrottled_time 2000000\n"})
	writeTree(t, acct, map[string]string{"cpuacct.usage": "5000000\n"})
	g := &Group{Box: "t", Dirs: []string{cpu, acct}, Hier: []Hierarchy{
		{Controllers: []string{"cpu"}, Mount: cpu, Path: "/"},
		{Controllers: []string{"cpuacct"}, Mount: acct, Path: "/"},
	}}
	v, _, err := g.Get("cpu.stat")
	if err != nil || !strings.HasPrefix(v, "usage_usec 5000\n") {
		t.Errorf("Get(cpu.stat) = %q, %v; want usage_usec 5000 from %s/cpuacct.usage", v, err, acct)
	}
}
