package cgroup

import (
	"strings"
	"testing"
)

func TestCheckValues(t *testing.T) {
	for _, c := range []struct {
		file, value string
		ok          bool
	}{
		{"cpu.max", "50000", true},
		{"cpu.max", "max 100000", true},
		{"cpu.max", "abc", false},
		{"cpu.max", "500", false},
		{"cpu.max", "50000 99", false},
		{"memory.max", "50M", true},
		{"memory.max", "max", true},
		{"memory.max", "12XB", false},
		{"memory.max", "-5", false},
		{"pids.max", "20", true},
		{"pids.max", "lots", false},
		{"cpu.weight", "0", false},
		{"cpu.weight", "10000", true},
		{"cpuset.cpus", "0-1,3", true},
		{"cpuset.cpus", "1-0", false},
		{"io.max", "7:0 wbps=2097152", true},
		{"io.max", "7:0 wbps=fast", false},
		{"io.max", "sda wbps=1", false},
		{"io.weight", "default 200", true},
		{"cgroup.freeze", "1", true},
		{"cgroup.freeze", "yes", false},
		{"cgroup.subtree_control", "+memory -pids", true},
		{"cgroup.subtree_control", "memory", false},
		{"memory.current", "5", false}, // read-only
		{"cpuset.cpus.partition", "isolated", true},
		{"cpuset.cpus.partition", "exclusive", false},
		{"net_cls.classid", "0x100001", true},
		{"net_cls.classid", "0x1000000001", false},
		{"net_prio.ifpriomap", "eth0 5", true},
		{"net_prio.ifpriomap", "eth0", false},
		{"devices.deny", "a", true},
		{"devices.allow", "c 1:3 rwm", true},
		{"devices.allow", "c 1:* rwx", false},
		{"misc.max", "sev 4", true},
		{"misc.max", "sev", false},
		{"rdma.max", "mlx5_0 hca_handle=2", true},
		{"rdma.max", "mlx5_0 handles=2", false},
		{"io.cost.qos", "8:0 enable=1 rpct=95", true},
		{"io.cost.qos", "8:0 speed=fast", false},
		{"memory.zswap.writeback", "2", false},
	} {
		err := Lookup(c.file).Check(c.value)
		if (err == nil) != c.ok {
			t.Errorf("%s %q: error %v, want ok=%v", c.file, c.value, err, c.ok)
		}
		if err != nil && !strings.Contains(err.Error(), c.file) {
			t.Errorf("%s %q: the error does not name the file: %v", c.file, c.value, err)
		}
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"1024": 1024, "4K": 4096, "50M": 50 << 20, "2g": 2 << 30} {
		if got, err := ParseSize(in); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "M", "1.5M", "12XB", "-1"} {
		if _, err := ParseSize(bad); err == nil {
			t.Errorf("ParseSize(%q) accepted", bad)
		}
	}
}

func TestUnknownSuggests(t *testing.T) {
	if err := Unknown("cpu.mx"); !strings.Contains(err.Error(), "cpu.max") {
		t.Errorf("Unknown(cpu.mx) = %v, want a suggestion of cpu.max", err)
	}
	if err := Unknown("memory.limit_in_bytes"); !strings.Contains(err.Error(), "v1 file") || !strings.Contains(err.Error(), "memory.max") {
		t.Errorf("Unknown(memory.limit_in_bytes) = %v, want it named a v1 file and memory.max offered", err)
	}
}

func TestEveryWritableFileHasAFormatAndACheck(t *testing.T) {
	for n, s := range specs {
		if s.Format == "" {
			t.Errorf("%s has no format", n)
		}
		if s.Writable && s.check == nil {
			t.Errorf("%s is writable but nothing checks its values", n)
		}
		if len(s.V1) == 0 && s.V1Note == "" && n != "cgroup.events" {
			t.Errorf("%s says nothing about v1", n)
		}
	}
}
