package labs

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"hood/internal/kernel/cgroup"
)

// The cgroup checks: cgroup, counter, measured.

// CgroupCheck: the group of Box (or a group made with cgroup new) has File
// (a v2 name; on v1 hood reads the v1 file(s)) matching Match.
type CgroupCheck struct {
	Box   string `yaml:"box"`
	File  string `yaml:"file"`
	Match string `yaml:"match"`
	// Key names a "key value" line (oom_kill in memory.events); Min and
	// Max bound that value, or the file's first number without Key.
	Key string `yaml:"key"`
	Min *int64 `yaml:"min"`
	Max *int64 `yaml:"max"`
	re  *regexp.Regexp
}

func (c *CgroupCheck) validate() (err error) {
	if cgroup.Lookup(c.File) == nil {
		return fmt.Errorf("unknown file %q (a v2 name)", c.File)
	}
	if c.Match == "" && c.Min == nil && c.Max == nil {
		return errors.New("give match, or min/max")
	}
	c.re, err = regexp.Compile(c.Match)
	return err
}

func (c *CgroupCheck) eval(e *env) (bool, string) {
	g, label := e.s.GroupOf(c.Box), c.Box
	if c.Box == "" || c.Box == "current" {
		if e.s.Current == nil {
			return false, "there is no box"
		}
		label = e.s.Current.Name
		g = e.s.GroupOf(label)
	}
	if g == nil {
		return false, label + " has no cgroup of its own yet"
	}
	v, _, err := g.Get(c.File)
	if err != nil {
		return false, err.Error()
	}
	if c.Min != nil || c.Max != nil {
		ok, detail := c.inRange(v, label)
		if !ok || c.Match == "" {
			return ok, detail
		}
	}
	return c.re.MatchString(v), fmt.Sprintf("%s of %s is %q", c.File, label, short([]byte(v)))
}

// inRange tells whether the number on line Key of v (or its first number)
// lies between Min and Max.
func (c *CgroupCheck) inRange(v, label string) (bool, string) {
	n, ok := int64(0), false
	if c.Key != "" {
		n, ok = cgroup.KV(v)[c.Key]
	} else if f := strings.Fields(v); len(f) > 0 {
		var err error
		n, err = strconv.ParseInt(f[0], 10, 64)
		ok = err == nil
	}
	what := c.File
	if c.Key != "" {
		what += " " + c.Key
	}
	if !ok {
		return false, fmt.Sprintf("%s of %s has no number: %q", what, label, short([]byte(v)))
	}
	in := (c.Min == nil || n >= *c.Min) && (c.Max == nil || n <= *c.Max)
	return in, fmt.Sprintf("%s of %s is %d", what, label, n)
}

// CounterCheck reads the first number in Path twice, Wait milliseconds
// apart (default 500), and holds when it moved (Moving) or did not.
type CounterCheck struct {
	Path   string `yaml:"path"`
	Moving bool   `yaml:"moving"`
	Wait   int    `yaml:"wait"`
}

func (c *CounterCheck) validate() error {
	if c.Path == "" {
		return errors.New("path names the file")
	}
	return nil
}

func (c *CounterCheck) eval(e *env) (bool, string) {
	path := e.expand(c.Path)
	wait := c.Wait
	if wait <= 0 {
		wait = 500
	}
	// A counter just started may not have written yet: give it the
	// same time to appear.
	a, err := firstNumber(path)
	for t0 := time.Now(); err != nil && time.Since(t0) < time.Duration(wait)*time.Millisecond; {
		time.Sleep(20 * time.Millisecond)
		a, err = firstNumber(path)
	}
	if err != nil {
		return false, err.Error()
	}
	time.Sleep(time.Duration(wait) * time.Millisecond)
	b, err := firstNumber(path)
	if err != nil {
		return false, err.Error()
	}
	moved := a != b
	return moved == c.Moving, fmt.Sprintf("%s went from %d to %d in %d ms", path, a, b, wait)
}

// firstNumber reads the first whole number in a file.
func firstNumber(path string) (int64, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	f := strings.Fields(string(data))
	if len(f) == 0 {
		return 0, fmt.Errorf("%s holds no number", path)
	}
	return strconv.ParseInt(f[0], 10, 64)
}

// MeasureCheck: since the step began, a workload reported Key (such as
// burn.cpu_percent) between Min and Max.
type MeasureCheck struct {
	Key string  `yaml:"key"`
	Min float64 `yaml:"min"`
	Max float64 `yaml:"max"`
}

func (c *MeasureCheck) validate() error {
	if c.Key == "" || c.Max < c.Min {
		return errors.New("a key and min <= max")
	}
	return nil
}

func (c *MeasureCheck) eval(e *env) (bool, string) {
	if e.measureMark > len(e.s.Measures) {
		e.measureMark = len(e.s.Measures)
	}
	var seen []string
	for _, m := range e.s.Measures[e.measureMark:] {
		if m.Key != c.Key {
			continue
		}
		seen = append(seen, fmt.Sprintf("%.1f", m.Value))
		if m.Value >= c.Min && m.Value <= c.Max {
			return true, fmt.Sprintf("%s measured %.1f", m.Key, m.Value)
		}
	}
	if len(seen) == 0 {
		return false, "no " + c.Key + " measured in this step yet"
	}
	return false, fmt.Sprintf("%s measured %s; wanted %.0f to %.0f", c.Key, strings.Join(seen, ", "), c.Min, c.Max)
}
