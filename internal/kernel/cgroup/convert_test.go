package cgroup

import (
	"strconv"
	"strings"
	"testing"
)

func TestCPUMaxBothWays(t *testing.T) {
	for _, c := range []struct{ v2, quota, period, back string }{
		{"50000", "50000", "", ""},
		{"max", "-1", "", ""},
		{"max 100000", "-1", "100000", "max 100000"},
		{"20000 50000", "20000", "50000", "20000 50000"},
		{"", "", "", ""}, // bad input gives nothing to write
	} {
		q, p := cpuMaxToV1(c.v2)
		if q != c.quota || p != c.period {
			t.Errorf("cpuMaxToV1(%q) = %q, %q; want %q, %q", c.v2, q, p, c.quota, c.period)
		}
		if c.back != "" {
			if got := cpuMaxFromV1(q, p); got != c.back {
				t.Errorf("cpuMaxFromV1(%q, %q) = %q, want %q", q, p, got, c.back)
			}
		}
	}
}

func TestCPUWeightBothWays(t *testing.T) {
	// runc's conversion: the ends meet exactly, the middle within one.
	for w, shares := range map[int]int{1: 2, 100: 2597, 10000: 262144} {
		if got := cpuWeightToShares(w); got != shares {
			t.Errorf("cpuWeightToShares(%d) = %d, want %d", w, got, shares)
		}
		if back := sharesToCPUWeight(shares); back < w-1 || back > w {
			t.Errorf("sharesToCPUWeight(%d) = %d, want about %d", shares, back, w)
		}
	}
	if got := sharesToCPUWeight(1024); got != 39 {
		t.Errorf("v1's default 1024 shares as a weight = %d, want 39", got)
	}
}

func TestBytesBothWays(t *testing.T) {
	for v2, v1 := range map[string]string{"max": "-1", "50M": "52428800", "4096": "4096"} {
		got, err := bytesToV1(v2)
		if err != nil || got != v1 {
			t.Errorf("bytesToV1(%q) = %q, %v; want %q", v2, got, err, v1)
		}
	}
	for _, bad := range []string{"", "lots", "-5", "1.5G"} {
		if got, err := bytesToV1(bad); err == nil {
			t.Errorf("bytesToV1(%q) = %q, accepted", bad, got)
		}
	}
	for v1, v2 := range map[string]string{"9223372036854771712": "max", "52428800": "52428800", "-1": "-1"} {
		if got := bytesFromV1(v1); got != v2 {
			t.Errorf("bytesFromV1(%q) = %q, want %q", v1, got, v2)
		}
	}
}

func TestSwapBothWays(t *testing.T) {
	if got, err := swapToMemsw("10M", 50<<20); err != nil || got != strconv.Itoa(60<<20) {
		t.Errorf("swapToMemsw(10M, 50M) = %q, %v; want 60M in bytes", got, err)
	}
	if got, _ := swapToMemsw("max", 50<<20); got != "-1" {
		t.Errorf("swapToMemsw(max) = %q, want -1", got)
	}
	if _, err := swapToMemsw("ten", 1); err == nil {
		t.Error("swapToMemsw(ten) accepted")
	}
	if got, err := memswToSwap(strconv.Itoa(60<<20), strconv.Itoa(50<<20)); err != nil || got != strconv.Itoa(10<<20) {
		t.Errorf("memswToSwap(60M, 50M) = %q, %v; want 10M in bytes", got, err)
	}
	if got, _ := memswToSwap("9223372036854771712", "100"); got != "max" {
		t.Errorf("memswToSwap(unlimited) = %q, want max", got)
	}
	if _, err := memswToSwap("x", "1"); err == nil {
		t.Error("memswToSwap(x) accepted")
	}
}

func TestIOMaxBothWays(t *testing.T) {
	ws := ioMaxToV1("8:0 rbps=1048576 wiops=max")
	want := []v1Write{{"blkio.throttle.read_bps_device", "8:0 1048576"}, {"blkio.throttle.write_iops_device", "8:0 0"}}
	if len(ws) != len(want) || ws[0] != want[0] || ws[1] != want[1] {
		t.Errorf("ioMaxToV1 = %v, want %v", ws, want)
	}
	got := ioMaxFromV1(map[string]string{
		"blkio.throttle.read_bps_device":   "8:0 1048576\n7:0 10",
		"blkio.throttle.write_iops_device": "8:0 100",
		"blkio.throttle.write_bps_device":  "garbage line with words",
	})
	if got != "8:0 rbps=1048576 wiops=100\n7:0 rbps=10" {
		t.Errorf("ioMaxFromV1 = %q", got)
	}
	if got := ioMaxFromV1(nil); got != "" {
		t.Errorf("ioMaxFromV1(no limits) = %q, want empty", got)
	}
}

func TestIOWeightBothWays(t *testing.T) {
	for w, b := range map[int]int{1: 10, 100: 19, 10000: 1000} {
		if got := ioWeightToBlkio(w); got != b {
			t.Errorf("ioWeightToBlkio(%d) = %d, want %d", w, got, b)
		}
	}
	if blkioToIOWeight(10) != 1 || blkioToIOWeight(1000) != 10000 {
		t.Errorf("blkioToIOWeight's ends: %d, %d", blkioToIOWeight(10), blkioToIOWeight(1000))
	}
	if ioWeightToBFQ(5) != 1 || ioWeightToBFQ(100) != 10 || bfqToIOWeight(10) != 100 || bfqToIOWeight(1000) != 10000 {
		t.Error("the BFQ weight conversion is off")
	}
}

func TestFreezeBothWays(t *testing.T) {
	if freezeToState("1") != "FROZEN" || freezeToState("0") != "THAWED" || freezeToState("yes") != "" {
		t.Error("freezeToState is off")
	}
	for st, v := range map[string]string{"FROZEN": "1", "FREEZING": "1", "THAWED": "0"} {
		if got, err := stateToFreeze(st); err != nil || got != v {
			t.Errorf("stateToFreeze(%s) = %q, %v; want %q", st, got, err, v)
		}
	}
	if _, err := stateToFreeze("MELTED"); err == nil {
		t.Error("stateToFreeze(MELTED) accepted")
	}
}

func TestComposedFromV1(t *testing.T) {
	if got := eventsFromV1("3", "oom_kill_disable 0\nunder_oom 0\noom_kill 2"); got != "max 3\noom_kill 2" {
		t.Errorf("eventsFromV1 = %q", got)
	}
	if got := eventsFromV1("0", ""); got != "max 0\noom_kill 0" {
		t.Errorf("eventsFromV1 without oom_kill = %q", got)
	}
	got := cpuStatFromV1("nr_periods 10\nnr_throttled 4\nthrottled_time 2000000", 5_000_000)
	if got != "usage_usec 5000\nnr_periods 10\nnr_throttled 4\nthrottled_usec 2000" {
		t.Errorf("cpuStatFromV1 = %q", got)
	}
	if got := cpuStatFromV1("", -1); strings.Contains(got, "usage_usec") {
		t.Errorf("cpuStatFromV1 with no usage invents one: %q", got)
	}
}

func TestLookupSizedHugetlb(t *testing.T) {
	s := Lookup("hugetlb.2MB.max")
	if s == nil || s.Name != "hugetlb.2MB.max" || len(s.V1) != 1 || s.V1[0] != "hugetlb.2MB.limit_in_bytes" {
		t.Fatalf("Lookup(hugetlb.2MB.max) = %+v", s)
	}
	if specs["hugetlb.<size>.max"].V1[0] != "hugetlb.<size>.limit_in_bytes" {
		t.Error("Lookup changed the catalogue's own entry")
	}
	for _, bad := range []string{"hugetlb.2XB.max", "hugetlb.2MB.nosuch", "hugetlb..max"} {
		if s := Lookup(bad); s != nil {
			t.Errorf("Lookup(%q) = %s, want nil", bad, s.Name)
		}
	}
	if err := Unknown("hugetlb.1GB.limit_in_bytes"); !strings.Contains(err.Error(), "use hugetlb.1GB.max") {
		t.Errorf("Unknown(hugetlb.1GB.limit_in_bytes) = %v, want hugetlb.1GB.max offered", err)
	}
	if err := Unknown("perf_event.x"); !strings.Contains(err.Error(), "perf_event has no files") {
		t.Errorf("Unknown(perf_event.x) = %v, want the perf_event note", err)
	}
}
