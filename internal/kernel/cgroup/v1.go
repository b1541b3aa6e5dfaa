package cgroup

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"hood/internal/kernel/call"
)

// The v1 side of each catalogued file: what Set writes and Get reads there.
// Each function does one file's conversion and nothing else; the reads and
// writes go through file.go.

// v1Ctx is what a translation may look at: the file's spec, the group's
// directory in the v1 hierarchy serving its controller, and the group.
type v1Ctx struct {
	s   *Spec
	dir string
	g   *Group
}

func (c v1Ctx) read(name string) (string, error) { return ReadFile(c.dir, name) }

// v1Write is one write Set makes: value to the file of the v1 directory.
type v1Write struct{ file, value string }

// same writes the value as it is to the one v1 file: the formats agree.
func same(c v1Ctx, v string) ([]v1Write, []string, error) {
	return []v1Write{{c.s.V1[0], v}}, nil, nil
}

// readSame reads the one v1 file as it is, saying its name when it differs.
func readSame(c v1Ctx) (string, []string, error) {
	v, err := c.read(c.s.V1[0])
	var notes []string
	if c.s.V1[0] != c.s.Name {
		notes = []string{"v1: " + c.s.V1[0]}
	}
	if c.s.V1Note != "" {
		notes = append(notes, c.s.V1Note)
	}
	return v, notes, err
}

func setCPUMax(c v1Ctx, v string) ([]v1Write, []string, error) {
	quota, period := cpuMaxToV1(v)
	var w []v1Write
	if period != "" {
		w = append(w, v1Write{"cpu.cfs_period_us", period})
	}
	note := fmt.Sprintf("v1: cpu.max %q is cpu.cfs_quota_us %s (-1 means no limit), cpu.cfs_period_us unchanged", v, quota)
	if period != "" {
		note = fmt.Sprintf("v1: cpu.max %q is cpu.cfs_quota_us %s (-1 means no limit) and cpu.cfs_period_us %s", v, quota, period)
	}
	return append(w, v1Write{"cpu.cfs_quota_us", quota}), []string{note}, nil
}

func getCPUMax(c v1Ctx) (string, []string, error) {
	q, err := c.read("cpu.cfs_quota_us")
	if err != nil {
		return "", nil, err
	}
	p, err := c.read("cpu.cfs_period_us")
	if err != nil {
		return "", nil, err
	}
	return cpuMaxFromV1(q, p), []string{fmt.Sprintf("v1: cpu.cfs_quota_us %s, cpu.cfs_period_us %s", q, p)}, nil
}

func setCPUWeight(c v1Ctx, v string) ([]v1Write, []string, error) {
	wt, err := strconv.Atoi(v)
	if err != nil {
		return nil, nil, err
	}
	shares := cpuWeightToShares(wt)
	note := fmt.Sprintf("v1: cpu.weight %d is cpu.shares %d (shares = 2 + (weight-1) * 262142 / 9999, runc's conversion)", wt, shares)
	return []v1Write{{"cpu.shares", strconv.Itoa(shares)}}, []string{note}, nil
}

func getCPUWeight(c v1Ctx) (string, []string, error) {
	sh, err := c.read("cpu.shares")
	if err != nil {
		return "", nil, err
	}
	n, err := strconv.Atoi(sh)
	if err != nil {
		return "", nil, fmt.Errorf("cpu.shares %q is not a number", sh)
	}
	wt := sharesToCPUWeight(n)
	return strconv.Itoa(wt), []string{fmt.Sprintf("v1: cpu.shares %d, as a weight %d", n, wt)}, nil
}

// getCPUStat reads cpuacct.usage from the group's directory in the
// cpuacct hierarchy (the cpu one when they are mounted together) and
// throttling from v1's cpu.stat.
func getCPUStat(c v1Ctx) (string, []string, error) {
	st, err := c.read("cpu.stat")
	if err != nil {
		return "", nil, err
	}
	usage := int64(-1)
	if i, ok := c.g.v1At("cpuacct"); ok {
		if u, err := ReadFile(c.g.Dirs[i], "cpuacct.usage"); err == nil {
			usage, _ = strconv.ParseInt(u, 10, 64)
		}
	}
	return cpuStatFromV1(st, usage), []string{"v1: usage from cpuacct.usage (ns), throttling from cpu.stat (throttled_time in ns), shown in microseconds"}, nil
}

// setBytes writes a memory amount to the one v1 file. note says so, given
// the file's name, the value, the v1 file and what was written there.
func setBytes(note string) func(c v1Ctx, v string) ([]v1Write, []string, error) {
	return func(c v1Ctx, v string) ([]v1Write, []string, error) {
		b, err := bytesToV1(v)
		if err != nil {
			return nil, nil, err
		}
		return []v1Write{{c.s.V1[0], b}}, []string{fmt.Sprintf(note, c.s.Name, v, c.s.V1[0], b)}, nil
	}
}

// bytesNote is how setBytes says a plain conversion.
const bytesNote = "v1: %[1]s %[2]s is %[3]s %[4]s"

// getBytes reads a memory amount from the one v1 file.
func getBytes(c v1Ctx) (string, []string, error) {
	v, err := c.read(c.s.V1[0])
	if err != nil {
		return "", nil, err
	}
	return bytesFromV1(v), []string{"v1: " + c.s.V1[0] + " " + v}, nil
}

var errNoSwapV1 = errors.New("memory.swap.max: this kernel keeps no swap accounting in v1 (no memory.memsw.limit_in_bytes; boot with swapaccount=1)")

func setSwapMax(c v1Ctx, v string) ([]v1Write, []string, error) {
	if !has(c.dir, "memory.memsw.limit_in_bytes") {
		return nil, nil, errNoSwapV1
	}
	limit, err := c.read("memory.limit_in_bytes")
	if err != nil {
		return nil, nil, err
	}
	l, err := strconv.ParseInt(limit, 10, 64)
	if err != nil {
		return nil, nil, fmt.Errorf("memory.limit_in_bytes %q is not a number", limit)
	}
	memsw, err := swapToMemsw(v, l)
	if err != nil {
		return nil, nil, err
	}
	note := fmt.Sprintf("v1 limits memory and swap together: memory.memsw.limit_in_bytes = memory.limit_in_bytes (%s) + %s = %s", limit, v, memsw)
	return []v1Write{{"memory.memsw.limit_in_bytes", memsw}}, []string{note}, nil
}

// getSwap is memory.swap.max or memory.swap.current: the memsw file minus
// its memory-only twin (V1 names both).
func getSwap(c v1Ctx) (string, []string, error) {
	memsw, err := c.read(c.s.V1[0])
	if err != nil {
		return "", nil, fmt.Errorf("%s: this kernel keeps no swap accounting in v1 (%w)", c.s.Name, err)
	}
	mem, err := c.read(c.s.V1[1])
	if err != nil {
		return "", nil, err
	}
	v, err := memswToSwap(memsw, mem)
	return v, []string{fmt.Sprintf("v1: %s %s minus %s %s", c.s.V1[0], memsw, c.s.V1[1], mem)}, err
}

func getMemoryEvents(c v1Ctx) (string, []string, error) {
	fail, err := c.read("memory.failcnt")
	if err != nil {
		return "", nil, err
	}
	oc, _ := c.read("memory.oom_control")
	return eventsFromV1(fail, oc), []string{"v1: max is memory.failcnt (times the limit was hit), oom_kill from memory.oom_control"}, nil
}

// getFailcnt is a hugetlb.<size>.events: v1 counts only the times the
// limit was hit.
func getFailcnt(c v1Ctx) (string, []string, error) {
	v, err := c.read(c.s.V1[0])
	return "max " + v, []string{"v1: max is " + c.s.V1[0]}, err
}

func setIOMax(c v1Ctx, v string) ([]v1Write, []string, error) {
	ws := ioMaxToV1(v)
	var notes []string
	for _, w := range ws {
		dev, val, _ := strings.Cut(w.value, " ")
		notes = append(notes, fmt.Sprintf("v1: %s is %s %s %s", ioKeyOf(w.file, v), w.file, dev, val))
	}
	return ws, notes, nil
}

// ioKeyOf finds the key=value of line v that went to file.
func ioKeyOf(file, v string) string {
	for _, kv := range strings.Fields(v)[1:] {
		k, _, _ := strings.Cut(kv, "=")
		if ioFile(k) == file {
			return kv
		}
	}
	return ""
}

func getIOMax(c v1Ctx) (string, []string, error) {
	files := map[string]string{}
	for _, k := range ioKeys {
		v, err := c.read(k.v1)
		if err != nil {
			return "", nil, err
		}
		files[k.v1] = v
	}
	return ioMaxFromV1(files), []string{"v1: composed from blkio.throttle.{read,write}_{bps,iops}_device"}, nil
}

// weightFile is the v1 weight file this kernel offers: CFQ's blkio.weight
// went with CFQ (Linux 5.0); BFQ offers blkio.bfq.weight (1 to 1000) when
// it is the disk's scheduler.
func weightFile(dir string) (string, error) {
	for _, n := range []string{"blkio.weight", "blkio.bfq.weight"} {
		if has(dir, n) {
			return n, nil
		}
	}
	return "", errors.New("io.weight: this kernel's v1 blkio has no weight file (blkio.weight left with the CFQ scheduler in Linux 5.0; blkio.bfq.weight needs the BFQ scheduler)")
}

func setIOWeight(c v1Ctx, v string) ([]v1Write, []string, error) {
	f := strings.Fields(v)
	wt, err := strconv.Atoi(f[len(f)-1])
	if err != nil {
		return nil, nil, err
	}
	name, err := weightFile(c.dir)
	if err != nil {
		return nil, nil, err
	}
	v1 := ioWeightToBlkio(wt)
	if name == "blkio.bfq.weight" {
		v1 = ioWeightToBFQ(wt)
	}
	notes := []string{fmt.Sprintf("v1: io.weight %d is %s %d", wt, name, v1)}
	if len(f) == 2 && f[0] != "default" {
		return []v1Write{{name + "_device", f[0] + " " + strconv.Itoa(v1)}}, notes, nil
	}
	return []v1Write{{name, strconv.Itoa(v1)}}, notes, nil
}

func getIOWeight(c v1Ctx) (string, []string, error) {
	name, err := weightFile(c.dir)
	if err != nil {
		return "", nil, err
	}
	raw, err := c.read(name)
	if err != nil {
		return "", nil, err
	}
	f := strings.Fields(raw) // blkio.weight "500"; blkio.bfq.weight "default 100"
	if len(f) == 0 {
		return "", nil, fmt.Errorf("%s is empty", name)
	}
	n, err := strconv.Atoi(f[len(f)-1])
	if err != nil {
		return "", nil, fmt.Errorf("%s %q is not a weight", name, raw)
	}
	wt := blkioToIOWeight(n)
	if name == "blkio.bfq.weight" {
		wt = bfqToIOWeight(n)
	}
	return "default " + strconv.Itoa(wt), []string{fmt.Sprintf("v1: %s %d, as an io.weight %d", name, n, wt)}, nil
}

func setFreeze(c v1Ctx, v string) ([]v1Write, []string, error) {
	state := freezeToState(v)
	if state == "" {
		return nil, nil, fmt.Errorf("cgroup.freeze %q is neither 0 nor 1", v)
	}
	return []v1Write{{"freezer.state", state}}, []string{fmt.Sprintf("v1: cgroup.freeze %s is freezer.state %s", v, state)}, nil
}

func getFreeze(c v1Ctx) (string, []string, error) {
	st, err := c.read("freezer.state")
	if err != nil {
		return "", nil, err
	}
	v, err := stateToFreeze(st)
	return v, []string{"v1: freezer.state " + st}, err
}

// killV1: v1 has no cgroup.kill, so each PID gets SIGKILL, each kill(2)
// narrated with the kernel's answer.
func killV1(c v1Ctx) ([]Op, []string, error) {
	pids, err := readProcs(c.dir)
	if err != nil {
		return nil, nil, err
	}
	notes := []string{"v1 has no cgroup.kill: each process in cgroup.procs gets SIGKILL, one by one (a process forking meanwhile can escape; v2's cgroup.kill cannot be raced)"}
	var o []Op
	for _, pid := range pids {
		err := unix.Kill(pid, unix.SIGKILL)
		o = append(o, call.New("hood", os.Getpid(), "kill", 0, err, call.I(int64(pid)), call.F(int64(unix.SIGKILL), "SIGKILL")))
	}
	return o, notes, nil
}

// getEvents composes cgroup.events from every hierarchy's cgroup.procs and
// the freezer's freezer.state.
func getEvents(c v1Ctx) (string, []string, error) {
	populated, frozen := "0", "0"
	for i, h := range c.g.Hier {
		if pids, err := readProcs(c.g.Dirs[i]); err == nil && len(pids) > 0 {
			populated = "1"
		}
		if h.Offers("freezer") {
			if st, err := ReadFile(c.g.Dirs[i], "freezer.state"); err == nil && st == "FROZEN" {
				frozen = "1"
			}
		}
	}
	return fmt.Sprintf("populated %s\nfrozen %s", populated, frozen), []string{"v1 has no cgroup.events: populated from cgroup.procs, frozen from freezer.state"}, nil
}
