package cgroup

import (
	"strconv"
	"strings"
	"time"
)

// Sample is one reading of the counters a learner watches in a group, by
// their v2 meaning, read through Get so that a v1 machine gives the same
// numbers from its v1 files. A counter the group does not have is -1.
type Sample struct {
	At           time.Time
	CPU          int64 // µs of CPU used (cpu.stat usage_usec)
	Mem, MemMax  int64 // bytes (memory.current, memory.max); MemMax -1: no limit
	Pids         int64 // pids.current
	PidsMax      int64 // pids.max; -1: no limit
	Periods      int64 // cpu.stat nr_periods
	Throttled    int64 // cpu.stat nr_throttled
	OOMKills     int64 // memory.events oom_kill
	MemLimitHits int64 // memory.events max
	ForksRefused int64 // pids.events max
}

// Sample reads the group's counters now.
func (g *Group) Sample() Sample {
	s := Sample{At: time.Now(), CPU: -1, Periods: -1, Throttled: -1, OOMKills: -1, MemLimitHits: -1, ForksRefused: -1}
	if kv, ok := g.kv("cpu.stat"); ok {
		s.CPU, s.Periods, s.Throttled = kvOr(kv, "usage_usec"), kvOr(kv, "nr_periods"), kvOr(kv, "nr_throttled")
	}
	s.Mem, s.MemMax = g.number("memory.current"), g.number("memory.max")
	s.Pids, s.PidsMax = g.number("pids.current"), g.number("pids.max")
	if kv, ok := g.kv("memory.events"); ok {
		s.OOMKills, s.MemLimitHits = kvOr(kv, "oom_kill"), kvOr(kv, "max")
	}
	if kv, ok := g.kv("pids.events"); ok {
		s.ForksRefused = kvOr(kv, "max")
	}
	return s
}

// CPUPercent is the CPU the group used between prev and s, in percent of
// one CPU; -1 when either reading has no CPU counter.
func (s Sample) CPUPercent(prev Sample) float64 {
	dt := s.At.Sub(prev.At).Seconds()
	if s.CPU < 0 || prev.CPU < 0 || dt <= 0 {
		return -1
	}
	return float64(s.CPU-prev.CPU) / 1e6 / dt * 100
}

// Since is how much a counter grew from first to s: 0 when the group has
// no such counter.
func Since(now, first int64) int64 {
	if now < 0 || first < 0 {
		return 0
	}
	return now - first
}

// number reads a file holding one number; "max" and a missing file are -1.
func (g *Group) number(file string) int64 {
	v, _, err := g.Get(file)
	if err != nil {
		return -1
	}
	return toInt(v)
}

// toInt is a file's one number, or -1 when it holds none ("max").
func toInt(v string) int64 {
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil {
		return -1
	}
	return n
}

func (g *Group) kv(file string) (map[string]int64, bool) {
	v, _, err := g.Get(file)
	if err != nil {
		return nil, false
	}
	return KV(v), true
}

// kvOr is kv[key], or -1 when the file has no such key.
func kvOr(kv map[string]int64, key string) int64 {
	if n, ok := kv[key]; ok {
		return n
	}
	return -1
}
