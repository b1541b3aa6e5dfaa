package cgroup

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// The unit conversions between a v2 value and its v1 file(s), each a named
// function both ways, as opencontainers/cgroups names
// ConvertCPUSharesToCgroupV2Value. They take and give file contents; they
// read and write nothing.

// cpuMaxToV1 splits cpu.max ("$MAX [$PERIOD]") into cpu.cfs_quota_us (-1
// for max) and cpu.cfs_period_us ("" when the period is kept).
func cpuMaxToV1(v string) (quota, period string) {
	f := strings.Fields(v)
	if len(f) == 0 {
		return "", ""
	}
	quota = f[0]
	if quota == "max" {
		quota = "-1"
	}
	if len(f) == 2 {
		period = f[1]
	}
	return quota, period
}

// cpuMaxFromV1 joins cpu.cfs_quota_us and cpu.cfs_period_us as cpu.max.
func cpuMaxFromV1(quota, period string) string {
	if quota == "-1" {
		quota = "max"
	}
	return quota + " " + period
}

// cpuWeightToShares is runc's conversion of cpu.weight (1 to 10000) to
// cpu.shares (2 to 262144).
func cpuWeightToShares(w int) int { return 2 + (w-1)*262142/9999 }

// sharesToCPUWeight is the way back (runc's ConvertCPUSharesToCgroupV2Value).
func sharesToCPUWeight(s int) int { return 1 + (s-2)*9999/262142 }

// bytesToV1 is a v2 memory amount ("max", bytes, 50M) as v1 memory files
// take it: bytes, -1 for no limit.
func bytesToV1(v string) (string, error) {
	if v == "max" {
		return "-1", nil
	}
	n, err := ParseSize(v)
	if err != nil {
		return "", err
	}
	return strconv.FormatInt(n, 10), nil
}

// bytesFromV1 is a v1 memory amount as v2 shows it: "max" for the huge
// number v1 holds for no limit.
func bytesFromV1(v string) string {
	if unlimited(v) {
		return "max"
	}
	return v
}

// unlimited is what v1 memory files hold for "no limit": the largest
// multiple of the page size in an int64.
func unlimited(v string) bool {
	n, err := strconv.ParseInt(v, 10, 64)
	return err == nil && n >= math.MaxInt64-(1<<16)
}

// swapToMemsw is memory.swap.max as v1's memory.memsw.limit_in_bytes,
// which limits memory and swap together: the memory limit plus the swap.
func swapToMemsw(swap string, limit int64) (string, error) {
	if swap == "max" {
		return "-1", nil
	}
	sw, err := ParseSize(swap)
	if err != nil {
		return "", err
	}
	return strconv.FormatInt(limit+sw, 10), nil
}

// memswToSwap is the way back, and also turns memory.memsw.usage_in_bytes
// and memory.usage_in_bytes into memory.swap.current.
func memswToSwap(memsw, limit string) (string, error) {
	if unlimited(memsw) {
		return "max", nil
	}
	a, err1 := strconv.ParseInt(memsw, 10, 64)
	b, err2 := strconv.ParseInt(limit, 10, 64)
	if err1 != nil || err2 != nil {
		return "", fmt.Errorf("not byte counts: %q, %q", memsw, limit)
	}
	return strconv.FormatInt(a-b, 10), nil
}

// ioKeys pairs io.max's keys with v1's blkio.throttle files.
var ioKeys = []struct{ v2, v1 string }{
	{"rbps", "blkio.throttle.read_bps_device"},
	{"wbps", "blkio.throttle.write_bps_device"},
	{"riops", "blkio.throttle.read_iops_device"},
	{"wiops", "blkio.throttle.write_iops_device"},
}

func ioFile(key string) string {
	for _, k := range ioKeys {
		if k.v2 == key {
			return k.v1
		}
	}
	return ""
}

// ioMaxToV1 is one io.max line as a write per limit, "MAJ:MIN N" to its
// blkio.throttle file (0 removes a device's limit, v2's max).
func ioMaxToV1(v string) []v1Write {
	f := strings.Fields(v)
	var out []v1Write
	for _, kv := range f[1:] {
		k, val, _ := strings.Cut(kv, "=")
		if val == "max" {
			val = "0"
		}
		out = append(out, v1Write{ioFile(k), f[0] + " " + val})
	}
	return out
}

// ioMaxFromV1 composes io.max's line per device from the contents of the
// four blkio.throttle files, keyed by file name.
func ioMaxFromV1(files map[string]string) string {
	limits := map[string][]string{}
	var devs []string
	for _, k := range ioKeys {
		for _, l := range strings.Split(files[k.v1], "\n") {
			f := strings.Fields(l)
			if len(f) != 2 {
				continue
			}
			if _, seen := limits[f[0]]; !seen {
				devs = append(devs, f[0])
			}
			limits[f[0]] = append(limits[f[0]], k.v2+"="+f[1])
		}
	}
	var lines []string
	for _, d := range devs {
		lines = append(lines, d+" "+strings.Join(limits[d], " "))
	}
	return strings.Join(lines, "\n")
}

// ioWeightToBlkio maps io.weight (1 to 10000) onto blkio.weight (10 to 1000).
func ioWeightToBlkio(w int) int { return 10 + (w-1)*990/9999 }

// blkioToIOWeight is the way back.
func blkioToIOWeight(b int) int { return 1 + (b-10)*9999/990 }

// ioWeightToBFQ maps io.weight onto blkio.bfq.weight (1 to 1000).
func ioWeightToBFQ(w int) int { return max(1, w/10) }

// bfqToIOWeight is the way back.
func bfqToIOWeight(b int) int { return min(10000, b*10) }

// freezeToState is cgroup.freeze as v1's freezer.state; "" for a bad value.
func freezeToState(v string) string {
	return map[string]string{"1": "FROZEN", "0": "THAWED"}[v]
}

// stateToFreeze is the way back: FREEZING (on its way) already reads 1, as
// v2's cgroup.freeze shows what was asked.
func stateToFreeze(s string) (string, error) {
	switch s {
	case "FROZEN", "FREEZING":
		return "1", nil
	case "THAWED":
		return "0", nil
	}
	return "", fmt.Errorf("freezer.state %q is none of THAWED, FREEZING, FROZEN", s)
}

// eventsFromV1 composes memory.events' max and oom_kill lines from
// memory.failcnt and memory.oom_control.
func eventsFromV1(failcnt, oomControl string) string {
	kills := "0"
	for _, l := range strings.Split(oomControl, "\n") {
		if v, ok := strings.CutPrefix(l, "oom_kill "); ok {
			kills = v
		}
	}
	return fmt.Sprintf("max %s\noom_kill %s", failcnt, kills)
}

// cpuStatFromV1 composes v2's cpu.stat from v1's cpu.stat (throttled_time
// in ns) and cpuacct.usage in ns (-1: unknown), in microseconds.
func cpuStatFromV1(stat string, usageNS int64) string {
	kv := KV(stat)
	var b strings.Builder
	if usageNS >= 0 {
		fmt.Fprintf(&b, "usage_usec %d\n", usageNS/1000)
	}
	fmt.Fprintf(&b, "nr_periods %d\nnr_throttled %d\nthrottled_usec %d", kv["nr_periods"], kv["nr_throttled"], kv["throttled_time"]/1000)
	return b.String()
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
