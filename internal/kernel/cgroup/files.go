package cgroup

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"hood/internal/spell"
)

// The learner speaks cgroup v2's file names. Where a group's controller
// lives in a v1 hierarchy, hood reads and writes the v1 file(s) instead and
// says how it converted. Spec describes one v2 file.
type Spec struct {
	Name     string // v2 name: "cpu.max"
	Ctl      string // controller: "cpu"; "cgroup" for core files
	Writable bool
	Format   string   // what a value looks like, with units and default
	V1       []string // the v1 file(s) it corresponds to; none: no v1 counterpart
	V1Note   string   // why, or what is nearest, when V1 is empty or inexact
	check    func(v string) error
}

// Specs is every v2 file hood knows, by name.
var Specs = map[string]*Spec{}

func spec(s Spec) { Specs[s.Name] = &s }

func init() {
	spec(Spec{Name: "cpu.max", Ctl: "cpu", Writable: true, Format: `"$MAX $PERIOD" in microseconds, or "max" (default "max 100000"); "50000" alone keeps the period`,
		V1: []string{"cpu.cfs_quota_us", "cpu.cfs_period_us"}, check: checkCPUMax})
	spec(Spec{Name: "cpu.weight", Ctl: "cpu", Writable: true, Format: "1 to 10000 (default 100): the group's share of CPU time against its siblings when they compete",
		V1: []string{"cpu.shares"}, V1Note: "v1 cpu.shares runs 2 to 262144 (default 1024); hood converts as runc does", check: intRange(1, 10000)})
	spec(Spec{Name: "cpu.stat", Ctl: "cpu", Format: "usage_usec, user_usec, system_usec, nr_periods, nr_throttled, throttled_usec",
		V1: []string{"cpuacct.usage", "cpu.stat"}, V1Note: "v1 keeps usage in cpuacct.usage (nanoseconds) and throttling in cpu.stat (throttled_time in nanoseconds)"})
	spec(Spec{Name: "memory.max", Ctl: "memory", Writable: true, Format: `bytes, with K, M or G, or "max" (default): above it the kernel reclaims, then the OOM killer kills in the group`,
		V1: []string{"memory.limit_in_bytes"}, check: checkSize})
	spec(Spec{Name: "memory.high", Ctl: "memory", Writable: true, Format: `bytes or "max": above it the group's processes are throttled and reclaimed hard, never OOM-killed for it`,
		V1Note: "v1 has no memory.high; the nearest is memory.soft_limit_in_bytes (v2 memory.low)", check: checkSize})
	spec(Spec{Name: "memory.low", Ctl: "memory", Writable: true, Format: "bytes: memory protected from reclaim while the system has other to take (best effort)",
		V1: []string{"memory.soft_limit_in_bytes"}, V1Note: "v1's soft limit is its nearest: reclaimed last under pressure", check: checkSize})
	spec(Spec{Name: "memory.min", Ctl: "memory", Writable: true, Format: "bytes: memory never reclaimed (hard protection)",
		V1Note: "v1 has no hard memory protection", check: checkSize})
	spec(Spec{Name: "memory.swap.max", Ctl: "memory", Writable: true, Format: `bytes or "max": swap the group may use`,
		V1: []string{"memory.memsw.limit_in_bytes"}, V1Note: "v1 limits memory+swap together: hood writes memory.limit_in_bytes plus this value", check: checkSize})
	spec(Spec{Name: "memory.current", Ctl: "memory", Format: "bytes in use now", V1: []string{"memory.usage_in_bytes"}})
	spec(Spec{Name: "memory.peak", Ctl: "memory", Format: "the most bytes ever in use", V1: []string{"memory.max_usage_in_bytes"}})
	spec(Spec{Name: "memory.events", Ctl: "memory", Format: "low, high, max, oom, oom_kill: how often each happened",
		V1: []string{"memory.failcnt", "memory.oom_control"}, V1Note: "v1: max is memory.failcnt, oom_kill is in memory.oom_control"})
	spec(Spec{Name: "memory.stat", Ctl: "memory", Format: "anon, file, kernel, ... in bytes", V1: []string{"memory.stat"}, V1Note: "v1's keys differ: rss, cache, ..."})
	spec(Spec{Name: "memory.oom.group", Ctl: "memory", Writable: true, Format: "0 or 1: on OOM, kill the whole group at once",
		V1Note: "v1 has no memory.oom.group", check: intRange(0, 1)})
	spec(Spec{Name: "memory.reclaim", Ctl: "memory", Writable: true, Format: "bytes to reclaim from the group now (write only; Linux 5.19+)",
		V1Note: "v1 has no memory.reclaim (memory.force_empty empties the group instead)", check: checkSize})
	spec(Spec{Name: "pids.max", Ctl: "pids", Writable: true, Format: `a number of processes and threads, or "max"`, V1: []string{"pids.max"}, check: checkPidsMax})
	spec(Spec{Name: "pids.current", Ctl: "pids", Format: "processes and threads in the group now", V1: []string{"pids.current"}})
	spec(Spec{Name: "pids.events", Ctl: "pids", Format: "max N: how many forks pids.max refused", V1: []string{"pids.events"}})
	spec(Spec{Name: "cpuset.cpus", Ctl: "cpuset", Writable: true, Format: `a CPU list such as "0" or "0-1,3" (empty: the parent's)`, V1: []string{"cpuset.cpus"}, check: checkList})
	spec(Spec{Name: "cpuset.mems", Ctl: "cpuset", Writable: true, Format: `a memory-node list such as "0"`, V1: []string{"cpuset.mems"}, check: checkList})
	spec(Spec{Name: "cpuset.cpus.effective", Ctl: "cpuset", Format: "the CPUs the group really gets", V1: []string{"cpuset.effective_cpus"}})
	spec(Spec{Name: "io.max", Ctl: "io", Writable: true, Format: `"MAJ:MIN rbps=N wbps=N riops=N wiops=N" (bytes or I/Os per second, or max)`,
		V1: []string{"blkio.throttle.read_bps_device", "blkio.throttle.write_bps_device", "blkio.throttle.read_iops_device", "blkio.throttle.write_iops_device"}, check: checkIOMax})
	spec(Spec{Name: "io.weight", Ctl: "io", Writable: true, Format: `"default N" or "MAJ:MIN N", 1 to 10000 (default 100)`,
		V1: []string{"blkio.weight"}, V1Note: "v1 blkio.weight runs 10 to 1000", check: checkIOWeight})
	spec(Spec{Name: "io.stat", Ctl: "io", Format: "per device: rbytes wbytes rios wios", V1: []string{"blkio.throttle.io_service_bytes"}})
	spec(Spec{Name: "cgroup.procs", Ctl: "cgroup", Format: "the PIDs in the group", V1: []string{"cgroup.procs"}})
	spec(Spec{Name: "cgroup.events", Ctl: "cgroup", Format: "populated 0|1, frozen 0|1"})
	spec(Spec{Name: "cgroup.subtree_control", Ctl: "cgroup", Writable: true, Format: `"+pids -memory ...": the controllers this group hands to its children (v2)`,
		V1Note: "v1 has no subtree_control: each controller is its own hierarchy", check: checkSubtree})
	spec(Spec{Name: "cgroup.controllers", Ctl: "cgroup", Format: "the controllers this group may use (v2): what its parent hands down",
		V1Note: "v1: each controller is its own hierarchy (cgroup mode lists them)"})
	spec(Spec{Name: "cgroup.freeze", Ctl: "cgroup", Writable: true, Format: "1 freezes every process in the group, 0 thaws them",
		V1: []string{"freezer.state"}, V1Note: "v1: freezer.state FROZEN or THAWED", check: intRange(0, 1)})
	spec(Spec{Name: "cgroup.kill", Ctl: "cgroup", Writable: true, Format: "1 kills every process in the group with SIGKILL (write only; Linux 5.14+)",
		V1Note: "v1 has no cgroup.kill: hood sends SIGKILL to each PID in cgroup.procs", check: intRange(1, 1)})
	for _, r := range []string{"cpu", "memory", "io"} {
		spec(Spec{Name: r + ".pressure", Ctl: "cgroup", Format: "some/full avg10 avg60 avg300 total: % of time tasks waited for " + r + " (PSI)",
			V1Note: "PSI exists only in the v2 hierarchy"})
	}
}

// Names lists the v2 file names, sorted.
func Names() []string {
	var out []string
	for n := range Specs {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Check validates a value for a v2 file before anything is written.
func (s *Spec) Check(v string) error {
	if !s.Writable {
		return fmt.Errorf("%s is read-only: it reports, it cannot be set", s.Name)
	}
	if s.check != nil {
		if err := s.check(strings.TrimSpace(v)); err != nil {
			return fmt.Errorf("%s %q: %w; expected %s", s.Name, v, err, s.Format)
		}
	}
	return nil
}

func intRange(lo, hi int) func(string) error {
	return func(v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < lo || n > hi {
			return fmt.Errorf("not a whole number from %d to %d", lo, hi)
		}
		return nil
	}
}

// ParseSize reads bytes with an optional K, M or G (powers of 1024), as the
// kernel's memparse does.
func ParseSize(v string) (int64, error) {
	v = strings.TrimSpace(v)
	mult := int64(1)
	if v != "" {
		switch strings.ToUpper(v[len(v)-1:]) {
		case "K":
			mult = 1 << 10
		case "M":
			mult = 1 << 20
		case "G":
			mult = 1 << 30
		}
		if mult > 1 {
			v = v[:len(v)-1]
		}
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 || n > (1<<62)/mult {
		return 0, errors.New("not a size: give bytes, or a number with K, M or G (50M)")
	}
	return n * mult, nil
}

func checkSize(v string) error {
	if v == "max" {
		return nil
	}
	_, err := ParseSize(v)
	return err
}

func checkPidsMax(v string) error {
	if v == "max" {
		return nil
	}
	if n, err := strconv.Atoi(v); err != nil || n < 0 {
		return errors.New("not a number of processes")
	}
	return nil
}

func checkCPUMax(v string) error {
	f := strings.Fields(v)
	if len(f) == 0 || len(f) > 2 {
		return errors.New("give a quota, and optionally a period")
	}
	if f[0] != "max" {
		if n, err := strconv.Atoi(f[0]); err != nil || n < 1000 {
			return errors.New("the quota is at least 1000 microseconds, or max")
		}
	}
	if len(f) == 2 {
		if n, err := strconv.Atoi(f[1]); err != nil || n < 1000 || n > 1000000 {
			return errors.New("the period runs from 1000 to 1000000 microseconds")
		}
	}
	return nil
}

func checkSubtree(v string) error {
	for _, w := range strings.Fields(v) {
		if len(w) < 2 || (w[0] != '+' && w[0] != '-') {
			return fmt.Errorf("%q: each word is +CONTROLLER or -CONTROLLER", w)
		}
	}
	if strings.TrimSpace(v) == "" {
		return errors.New("name at least one +CONTROLLER or -CONTROLLER")
	}
	return nil
}

func checkList(v string) error {
	if v == "" {
		return nil
	}
	for _, part := range strings.Split(v, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		a, err1 := strconv.Atoi(lo)
		b, err2 := a, error(nil)
		if isRange {
			b, err2 = strconv.Atoi(hi)
		}
		if err1 != nil || err2 != nil || a < 0 || b < a {
			return fmt.Errorf("%q is not a number or a range like 0-3", part)
		}
	}
	return nil
}

func checkDevice(d string) error {
	maj, min, ok := strings.Cut(d, ":")
	if _, err := strconv.Atoi(maj); !ok || err != nil {
		return fmt.Errorf("%q is not a device MAJ:MIN (lsblk shows them)", d)
	}
	if _, err := strconv.Atoi(min); err != nil {
		return fmt.Errorf("%q is not a device MAJ:MIN (lsblk shows them)", d)
	}
	return nil
}

func checkIOMax(v string) error {
	f := strings.Fields(v)
	if len(f) < 2 {
		return errors.New("give a device and at least one limit")
	}
	if err := checkDevice(f[0]); err != nil {
		return err
	}
	for _, kv := range f[1:] {
		k, val, ok := strings.Cut(kv, "=")
		if !ok || !slices.Contains([]string{"rbps", "wbps", "riops", "wiops"}, k) {
			return fmt.Errorf("%q: the keys are rbps, wbps, riops, wiops", kv)
		}
		if val != "max" {
			if n, err := strconv.ParseInt(val, 10, 64); err != nil || n <= 0 {
				return fmt.Errorf("%q: a positive number, or max", kv)
			}
		}
	}
	return nil
}

func checkIOWeight(v string) error {
	f := strings.Fields(v)
	switch {
	case len(f) == 1:
		return intRange(1, 10000)(f[0])
	case len(f) == 2 && f[0] == "default":
		return intRange(1, 10000)(f[1])
	case len(f) == 2:
		if err := checkDevice(f[0]); err != nil {
			return err
		}
		return intRange(1, 10000)(f[1])
	}
	return errors.New("give a weight, default WEIGHT, or MAJ:MIN WEIGHT")
}

// Nearest suggests known names close to a mistyped one.
func Nearest(name string) []string {
	var out []string
	for _, n := range Names() {
		if strings.HasPrefix(n, name) || strings.HasPrefix(name, n) || spell.Distance(n, name) <= 2 {
			out = append(out, n)
		}
	}
	return out
}

// readTrim reads a cgroup file and trims the trailing newline.
func readTrim(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", wrap("read "+path, err)
	}
	return strings.TrimRight(string(data), "\n"), nil
}

// fileIn is path joined safely: name must be a plain file name.
func fileIn(dir, name string) (string, error) {
	if name == "" || strings.ContainsAny(name, "/\x00") || name == "." || name == ".." {
		return "", fmt.Errorf("%q is not a cgroup file name", name)
	}
	return filepath.Join(dir, name), nil
}
