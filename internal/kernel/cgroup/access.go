package cgroup

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"hood/internal/kernel/call"
)

// Where is the directory that serves a controller for a group, and how.
type Where struct {
	Dir string
	H   Hierarchy
}

// ErrNoController: the controller does not reach this group.
type ErrNoController struct {
	Ctl, Why string
}

func (e *ErrNoController) Error() string {
	return fmt.Sprintf("the %s controller is not available to this group: %s", e.Ctl, e.Why)
}

// where finds the directory serving ctl: the group's v2 directory when its
// cgroup.controllers lists ctl (core "cgroup" files: any v2 directory),
// otherwise the v1 hierarchy that has ctl.
func (g *Group) where(ctl string) (Where, error) {
	var v2why string
	for i, h := range g.Hier {
		if !h.V2 {
			continue
		}
		if ctl == "cgroup" || slices.Contains(readWords(filepath.Join(g.Dirs[i], "cgroup.controllers")), ctl) {
			return Where{g.Dirs[i], h}, nil
		}
		v2why = fmt.Sprintf("in v2 the parent %s does not enable it in cgroup.subtree_control", filepath.Dir(g.Dirs[i]))
	}
	v1ctl := ctl
	if ctl == "io" {
		v1ctl = "blkio"
	}
	for i, h := range g.Hier {
		if !h.V2 && slices.Contains(h.Controllers, v1ctl) {
			return Where{g.Dirs[i], h}, nil
		}
	}
	why := "no mounted hierarchy has it"
	if v2why != "" {
		why = v2why + ", and no v1 hierarchy has it"
	}
	return Where{}, &ErrNoController{ctl, why}
}

// v1Names maps every v1 file name hood translates to, for "did you mean".
func v1Names() map[string]string {
	m := map[string]string{}
	for _, s := range Specs {
		for _, f := range s.V1 {
			m[f] = s.Name
		}
	}
	return m
}

// Unknown explains a file name hood does not know.
func Unknown(name string) error {
	if v2, ok := v1Names()[name]; ok {
		return fmt.Errorf("%s is a cgroup v1 file, and this group's controller is in v2: use %s", name, v2)
	}
	msg := fmt.Sprintf("unknown cgroup file %q", name)
	if near := Nearest(name); len(near) > 0 {
		msg += "; did you mean " + strings.Join(near, ", ") + "?"
	}
	return errors.New(msg + " (cgroup files lists them)")
}

// Set writes a v2-named file, or its v1 translation. notes say how a value
// was converted. Nothing is written when the value is malformed.
func (g *Group) Set(name, value string) (o []Op, notes []string, err error) {
	s := Specs[name]
	if s == nil {
		// On v1, a v1 file name is accepted as it is.
		for i, h := range g.Hier {
			if p, perr := fileIn(g.Dirs[i], name); perr == nil && !h.V2 {
				if _, serr := os.Stat(p); serr == nil {
					var w ops
					err := w.write(p, value)
					return w, []string{"a v1 file, written as given"}, err
				}
			}
		}
		return nil, nil, Unknown(name)
	}
	if err := s.Check(value); err != nil {
		return nil, nil, err
	}
	value = strings.TrimSpace(value)
	w, err := g.where(s.Ctl)
	if err != nil {
		return nil, nil, err
	}
	var ops ops
	if w.H.V2 {
		err := ops.write(filepath.Join(w.Dir, name), value)
		return ops, nil, err
	}
	return g.setV1(w, s, value)
}

func (g *Group) setV1(w Where, s *Spec, value string) (o ops, notes []string, err error) {
	file := func(n string) string { return filepath.Join(w.Dir, n) }
	bytesOrMax := func(v string) string {
		if v == "max" {
			return "-1"
		}
		n, _ := ParseSize(v)
		return strconv.FormatInt(n, 10)
	}
	switch s.Name {
	case "cpu.max":
		f := strings.Fields(value)
		quota := f[0]
		if quota == "max" {
			quota = "-1"
		}
		if len(f) == 2 {
			if err := o.write(file("cpu.cfs_period_us"), f[1]); err != nil {
				return o, notes, err
			}
		}
		notes = append(notes, fmt.Sprintf("v1: cpu.max %q is cpu.cfs_quota_us %s (-1 means no limit) and cpu.cfs_period_us", value, quota))
		return o, notes, o.write(file("cpu.cfs_quota_us"), quota)
	case "cpu.weight":
		wt, _ := strconv.Atoi(value)
		shares := 2 + (wt-1)*262142/9999
		notes = append(notes, fmt.Sprintf("v1: cpu.weight %d is cpu.shares %d (shares = 2 + (weight-1) * 262142 / 9999, runc's conversion)", wt, shares))
		return o, notes, o.write(file("cpu.shares"), strconv.Itoa(shares))
	case "memory.max":
		v := bytesOrMax(value)
		notes = append(notes, fmt.Sprintf("v1: memory.max %s is memory.limit_in_bytes %s", value, v))
		return o, notes, o.write(file("memory.limit_in_bytes"), v)
	case "memory.low":
		v := bytesOrMax(value)
		notes = append(notes, fmt.Sprintf("v1 has no memory.low: its nearest, memory.soft_limit_in_bytes, is set to %s", v))
		return o, notes, o.write(file("memory.soft_limit_in_bytes"), v)
	case "memory.swap.max":
		memsw := file("memory.memsw.limit_in_bytes")
		if _, err := os.Stat(memsw); err != nil {
			return o, notes, errors.New("memory.swap.max: this kernel keeps no swap accounting in v1 (no memory.memsw.limit_in_bytes; boot with swapaccount=1)")
		}
		limit, err := readTrim(file("memory.limit_in_bytes"))
		if err != nil {
			return o, notes, err
		}
		v := "-1"
		if value != "max" {
			sw, _ := ParseSize(value)
			l, _ := strconv.ParseInt(limit, 10, 64)
			v = strconv.FormatInt(l+sw, 10)
		}
		notes = append(notes, fmt.Sprintf("v1 limits memory and swap together: memory.memsw.limit_in_bytes = memory.limit_in_bytes (%s) + %s = %s", limit, value, v))
		return o, notes, o.write(memsw, v)
	case "pids.max", "cpuset.cpus", "cpuset.mems":
		return o, nil, o.write(file(s.Name), value)
	case "io.max":
		f := strings.Fields(value)
		for _, kv := range f[1:] {
			k, val, _ := strings.Cut(kv, "=")
			v1 := map[string]string{"rbps": "read_bps", "wbps": "write_bps", "riops": "read_iops", "wiops": "write_iops"}[k]
			if val == "max" {
				val = "0" // v1 removes a device's limit with 0
			}
			n := "blkio.throttle." + v1 + "_device"
			notes = append(notes, fmt.Sprintf("v1: %s is %s %s %s", kv, n, f[0], val))
			if err := o.write(file(n), f[0]+" "+val); err != nil {
				return o, notes, err
			}
		}
		return o, notes, nil
	case "io.weight":
		f := strings.Fields(value)
		wt, _ := strconv.Atoi(f[len(f)-1])
		// CFQ's blkio.weight went with CFQ (Linux 5.0); BFQ offers
		// blkio.bfq.weight (1 to 1000) when it is the disk's scheduler.
		name := "blkio.weight"
		if _, err := os.Stat(file(name)); err != nil {
			name = "blkio.bfq.weight"
			if _, err := os.Stat(file(name)); err != nil {
				return o, notes, errors.New("io.weight: this kernel's v1 blkio has no weight file (blkio.weight left with the CFQ scheduler in Linux 5.0; blkio.bfq.weight needs the BFQ scheduler)")
			}
		}
		v1 := 10 + (wt-1)*990/9999
		if name == "blkio.bfq.weight" {
			v1 = max(1, wt/10)
		}
		notes = append(notes, fmt.Sprintf("v1: io.weight %d is %s %d", wt, name, v1))
		if len(f) == 2 && f[0] != "default" {
			return o, notes, o.write(file(name+"_device"), f[0]+" "+strconv.Itoa(v1))
		}
		return o, notes, o.write(file(name), strconv.Itoa(v1))
	case "cgroup.freeze":
		state := map[string]string{"1": "FROZEN", "0": "THAWED"}[value]
		notes = append(notes, fmt.Sprintf("v1: cgroup.freeze %s is freezer.state %s", value, state))
		return o, notes, o.write(file("freezer.state"), state)
	case "cgroup.kill":
		pids, err := readProcs(w.Dir)
		if err != nil {
			return o, notes, err
		}
		notes = append(notes, "v1 has no cgroup.kill: each process in cgroup.procs gets SIGKILL, one by one (a process forking meanwhile can escape; v2's cgroup.kill cannot be raced)")
		for _, pid := range pids {
			err := unix.Kill(pid, unix.SIGKILL)
			o = append(o, call.New("hood", os.Getpid(), "kill", 0, err, call.I(int64(pid)), call.F(int64(unix.SIGKILL), "SIGKILL")))
		}
		return o, notes, nil
	}
	why := s.V1Note
	if why == "" {
		why = "no v1 counterpart"
	}
	return o, notes, fmt.Errorf("%s cannot be set on this group: its %s controller is in v1, and %s", s.Name, s.Ctl, why)
}

// Get reads a v2-named file, or composes it from the v1 file(s).
func (g *Group) Get(name string) (value string, notes []string, err error) {
	s := Specs[name]
	if s == nil {
		for i, h := range g.Hier {
			if p, perr := fileIn(g.Dirs[i], name); perr == nil && !h.V2 {
				if v, err := readTrim(p); err == nil {
					return v, []string{"a v1 file, read as it is"}, nil
				}
			}
		}
		return "", nil, Unknown(name)
	}
	if strings.HasSuffix(name, ".pressure") || name == "cgroup.events" {
		for i, h := range g.Hier {
			if h.V2 {
				v, err := readTrim(filepath.Join(g.Dirs[i], name))
				return v, nil, err
			}
		}
		if name == "cgroup.events" {
			return g.eventsV1()
		}
		return "", nil, fmt.Errorf("%s: %s, and this machine has no v2 hierarchy mounted", name, s.V1Note)
	}
	w, err := g.where(s.Ctl)
	if err != nil {
		return "", nil, err
	}
	if w.H.V2 {
		v, err := readTrim(filepath.Join(w.Dir, name))
		return v, nil, err
	}
	return getV1(w.Dir, s)
}

// unlimited is what v1 memory files hold for "no limit": the largest
// multiple of the page size in an int64.
func unlimited(v string) bool {
	n, err := strconv.ParseInt(v, 10, 64)
	return err == nil && n >= math.MaxInt64-(1<<16)
}

func getV1(dir string, s *Spec) (string, []string, error) {
	read := func(n string) (string, error) { return readTrim(filepath.Join(dir, n)) }
	switch s.Name {
	case "cpu.max":
		q, err := read("cpu.cfs_quota_us")
		if err != nil {
			return "", nil, err
		}
		p, err := read("cpu.cfs_period_us")
		if err != nil {
			return "", nil, err
		}
		v := q
		if q == "-1" {
			v = "max"
		}
		return v + " " + p, []string{fmt.Sprintf("v1: cpu.cfs_quota_us %s, cpu.cfs_period_us %s", q, p)}, nil
	case "cpu.weight":
		sh, err := read("cpu.shares")
		if err != nil {
			return "", nil, err
		}
		n, _ := strconv.Atoi(sh)
		wt := 1 + (n-2)*9999/262142
		return strconv.Itoa(wt), []string{fmt.Sprintf("v1: cpu.shares %d, as a weight %d", n, wt)}, nil
	case "cpu.stat":
		return cpuStatV1(dir)
	case "memory.max", "memory.low":
		f := map[string]string{"memory.max": "memory.limit_in_bytes", "memory.low": "memory.soft_limit_in_bytes"}[s.Name]
		v, err := read(f)
		if err != nil {
			return "", nil, err
		}
		note := []string{"v1: " + f + " " + v}
		if unlimited(v) {
			v = "max"
		}
		return v, note, nil
	case "io.max":
		// v1 keeps one file per kind of limit: compose v2's line per device.
		limits := map[string][]string{}
		var devs []string
		for _, k := range []struct{ v2, v1 string }{{"rbps", "read_bps"}, {"wbps", "write_bps"}, {"riops", "read_iops"}, {"wiops", "write_iops"}} {
			v, err := read("blkio.throttle." + k.v1 + "_device")
			if err != nil {
				return "", nil, err
			}
			for _, l := range strings.Split(v, "\n") {
				f := strings.Fields(l)
				if len(f) == 2 {
					if _, seen := limits[f[0]]; !seen {
						devs = append(devs, f[0])
					}
					limits[f[0]] = append(limits[f[0]], k.v2+"="+f[1])
				}
			}
		}
		var lines []string
		for _, d := range devs {
			lines = append(lines, d+" "+strings.Join(limits[d], " "))
		}
		return strings.Join(lines, "\n"), []string{"v1: composed from blkio.throttle.{read,write}_{bps,iops}_device"}, nil
	case "memory.swap.max":
		memsw, err := read("memory.memsw.limit_in_bytes")
		if err != nil {
			return "", nil, fmt.Errorf("memory.swap.max: this kernel keeps no swap accounting in v1 (%w)", err)
		}
		limit, err := read("memory.limit_in_bytes")
		if err != nil {
			return "", nil, err
		}
		note := []string{fmt.Sprintf("v1: memory.memsw.limit_in_bytes %s minus memory.limit_in_bytes %s", memsw, limit)}
		if unlimited(memsw) {
			return "max", note, nil
		}
		a, _ := strconv.ParseInt(memsw, 10, 64)
		b, _ := strconv.ParseInt(limit, 10, 64)
		return strconv.FormatInt(a-b, 10), note, nil
	case "memory.events":
		fail, err := read("memory.failcnt")
		if err != nil {
			return "", nil, err
		}
		oc, _ := read("memory.oom_control")
		kills := "0"
		for _, l := range strings.Split(oc, "\n") {
			if v, ok := strings.CutPrefix(l, "oom_kill "); ok {
				kills = v
			}
		}
		return fmt.Sprintf("max %s\noom_kill %s", fail, kills), []string{"v1: max is memory.failcnt (times the limit was hit), oom_kill from memory.oom_control"}, nil
	}
	if len(s.V1) == 1 {
		v, err := read(s.V1[0])
		var notes []string
		if s.V1[0] != s.Name {
			notes = []string{"v1: " + s.V1[0]}
		}
		if s.V1Note != "" {
			notes = append(notes, s.V1Note)
		}
		return v, notes, err
	}
	why := s.V1Note
	if why == "" {
		why = "no v1 counterpart"
	}
	return "", nil, fmt.Errorf("%s cannot be read on this group: its %s controller is in v1, and %s", s.Name, s.Ctl, why)
}

// cpuStatV1 composes v2's cpu.stat from cpuacct.usage (in the cpuacct
// hierarchy next door: same relative path) and v1's cpu.stat.
func cpuStatV1(dir string) (string, []string, error) {
	st, err := readTrim(filepath.Join(dir, "cpu.stat"))
	if err != nil {
		return "", nil, err
	}
	kv := map[string]int64{}
	for _, l := range strings.Split(st, "\n") {
		f := strings.Fields(l)
		if len(f) == 2 {
			kv[f[0]], _ = strconv.ParseInt(f[1], 10, 64)
		}
	}
	usage := int64(-1)
	if u, err := readTrim(filepath.Join(acctDir(dir), "cpuacct.usage")); err == nil {
		usage, _ = strconv.ParseInt(u, 10, 64)
	}
	var b strings.Builder
	if usage >= 0 {
		fmt.Fprintf(&b, "usage_usec %d\n", usage/1000)
	}
	fmt.Fprintf(&b, "nr_periods %d\nnr_throttled %d\nthrottled_usec %d", kv["nr_periods"], kv["nr_throttled"], kv["throttled_time"]/1000)
	return b.String(), []string{"v1: usage from cpuacct.usage (ns), throttling from cpu.stat (throttled_time in ns), shown in microseconds"}, nil
}

// acctDir is the cpuacct directory for a cpu one: the same directory when
// the two are mounted together, else the same path in the cpuacct tree.
func acctDir(cpuDir string) string {
	if _, err := os.Stat(filepath.Join(cpuDir, "cpuacct.usage")); err == nil {
		return cpuDir
	}
	i := strings.Index(cpuDir, "/cpu/")
	if i < 0 {
		return cpuDir
	}
	return cpuDir[:i] + "/cpuacct/" + cpuDir[i+len("/cpu/"):]
}

// eventsV1 composes cgroup.events from cgroup.procs and freezer.state.
func (g *Group) eventsV1() (string, []string, error) {
	populated, frozen := "0", "0"
	for i, h := range g.Hier {
		if pids, err := readProcs(g.Dirs[i]); err == nil && len(pids) > 0 {
			populated = "1"
		}
		if slices.Contains(h.Controllers, "freezer") {
			if st, err := readTrim(filepath.Join(g.Dirs[i], "freezer.state")); err == nil && st == "FROZEN" {
				frozen = "1"
			}
		}
	}
	return fmt.Sprintf("populated %s\nfrozen %s", populated, frozen), []string{"v1 has no cgroup.events: populated from cgroup.procs, frozen from freezer.state"}, nil
}

// KV parses a "key value" per line file (cpu.stat, memory.events,
// pids.events) into numbers.
func KV(v string) map[string]int64 {
	m := map[string]int64{}
	for _, l := range strings.Split(v, "\n") {
		f := strings.Fields(l)
		if len(f) == 2 {
			if n, err := strconv.ParseInt(f[1], 10, 64); err == nil {
				m[f[0]] = n
			}
		}
	}
	return m
}
