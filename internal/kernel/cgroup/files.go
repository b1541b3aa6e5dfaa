package cgroup

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"hood/internal/spell"
)

// The learner speaks cgroup v2's file names. Where a group's controller
// lives in a v1 hierarchy, hood reads and writes the v1 file(s) instead and
// says how it converted. Spec describes one catalogued file: a v2 file, or
// a v1 controller's file that v2 has no counterpart for (V1Only).
type Spec struct {
	Name     string // v2 name: "cpu.max"; "hugetlb.<size>.max" stands for every huge page size
	Ctl      string // controller as v2 names it: "cpu", "io"; "cgroup" for core files
	Writable bool
	Format   string   // what a value looks like, with units and default
	V1       []string // the v1 file(s) it corresponds to; none: no v1 counterpart
	V1Note   string   // why, or what is nearest, when V1 is empty or inexact
	RootOnly bool     // only the root cgroup has it (io.cost.qos): hood reads it there, writes it never
	V1Only   bool     // a v1 controller's file; v2 has no counterpart (net_cls, net_prio, devices)

	check  func(v string) error
	ctlV1  string // the v1 hierarchy that serves it when not Ctl's: "freezer"; "*" any
	toV1   func(c v1Ctx, v string) ([]v1Write, []string, error)
	fromV1 func(c v1Ctx) (string, []string, error)
	actV1  func(c v1Ctx) ([]Op, []string, error) // cgroup.kill: an action, not a write
}

// specs is every catalogued file, by name. Look a learner's word up with
// Lookup, which also knows the sized hugetlb files.
var specs = map[string]*Spec{}

func spec(s Spec) { specs[s.Name] = &s }

// Names lists the catalogued file names, sorted.
func Names() []string {
	var out []string
	for n := range specs {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// sizeWord is how the kernel names a huge page size in hugetlb's files:
// "2MB", "1GB", "64KB".
var sizeWord = regexp.MustCompile(`^hugetlb\.([0-9]+[KMG]B)\.(.+)$`)

// sizeless is name with a huge page size replaced by "<size>", and the
// size; a name without one comes back as it is.
func sizeless(name string) (generic, size string) {
	m := sizeWord.FindStringSubmatch(name)
	if m == nil {
		return name, ""
	}
	return "hugetlb.<size>." + m[2], m[1]
}

// Lookup finds the spec of a file name: "hugetlb.2MB.max" comes back as
// hugetlb.<size>.max with that size filled in. nil: not catalogued.
func Lookup(name string) *Spec {
	if s := specs[name]; s != nil {
		return s
	}
	generic, size := sizeless(name)
	s := specs[generic]
	if s == nil || size == "" {
		return nil
	}
	c := *s
	c.Name = name
	c.V1 = nil
	for _, f := range s.V1 {
		c.V1 = append(c.V1, strings.Replace(f, "<size>", size, 1))
	}
	return &c
}

// Check validates a value for a file before anything is written.
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

// Nearest suggests known names close to a mistyped one.
func Nearest(name string) []string {
	generic, _ := sizeless(name)
	var out []string
	for _, n := range Names() {
		if strings.HasPrefix(n, name) || strings.HasPrefix(name, n) || spell.Distance(n, generic) <= 2 {
			out = append(out, n)
		}
	}
	return out
}

// v1Names maps every v1 file name hood translates to, for "did you mean".
// A file that serves two v2 files (memory.limit_in_bytes) names the one it
// is first for (memory.max, not memory.swap.max).
func v1Names() map[string]string {
	m := map[string]string{}
	for _, primary := range []bool{true, false} {
		for _, n := range Names() {
			s := specs[n]
			for i, f := range s.V1 {
				if _, seen := m[f]; !seen && !s.V1Only && (i == 0) == primary {
					m[f] = n
				}
			}
		}
	}
	return m
}

// Unknown explains a file name hood does not know.
func Unknown(name string) error {
	generic, size := sizeless(name)
	if v2, ok := v1Names()[generic]; ok {
		v2 = strings.Replace(v2, "<size>", size, 1)
		return fmt.Errorf("%s is a cgroup v1 file, and this group's controller is in v2: use %s", name, v2)
	}
	if ctl, _, ok := strings.Cut(name, "."); ok && controllerNote[ctl] != "" {
		return fmt.Errorf("unknown cgroup file %q: %s", name, controllerNote[ctl])
	}
	msg := fmt.Sprintf("unknown cgroup file %q", name)
	if near := Nearest(name); len(near) > 0 {
		msg += "; did you mean " + strings.Join(near, ", ") + "?"
	}
	return errors.New(msg + " (cgroup files lists them)")
}

// controllerNote says what a controller with few or no files of its own
// is, for a learner who types a file of it hood does not catalogue.
var controllerNote = map[string]string{
	"perf_event": "perf_event has no files of its own: membership (cgroup.procs) is all it uses, so perf stat -G can count one group's events; v1 mounts it as a hierarchy, v2 has no perf_event files and counts any group",
	"cpuacct":    "v1's cpuacct keeps CPU usage (cpuacct.usage, cpuacct.stat); v2 reports it in cpu.stat",
}

// v1Controller is the v1 hierarchy's name for a v2 controller.
func v1Controller(ctl string) string {
	if ctl == "io" {
		return "blkio"
	}
	return ctl
}
