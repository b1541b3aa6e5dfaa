package commands

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"hood/internal/kernel/cgroup"
	"hood/internal/kernel/procfs"
	"hood/internal/result"
)

func cgroupMode(s *Session, args []string) (*result.Result, error) {
	if len(args) > 0 {
		return nil, result.Usagef("cgroup mode", "cgroup mode takes no arguments")
	}
	mode := cgroup.Detect("/sys/fs/cgroup")
	hs, err := s.hierarchies()
	if err != nil {
		return nil, err
	}
	t := &result.Table{Header: []string{"hierarchy", "mounted at", "hood's cgroup", "hood's groups go under", "controllers there"}}
	var v2 *cgroup.Summary
	for _, h := range hs {
		o := h.Summary()
		if o.Version == 2 {
			v2 = &o
		}
		t.Rows = append(t.Rows, []string{h.Label(), h.Mount, h.Path, filepath.Join(o.Base, "hood"), controllersText(o)})
		t.Mark = append(t.Mark, false)
	}
	r := &result.Result{Table: t}
	r.Say("mode", "%s", mode)
	switch {
	case v2 != nil && v2.CoreSeen:
		r.Say("v2 core", "%s (as in %s)", strings.Join(v2.Core, ", "), v2.CoreFrom)
	case v2 != nil && len(v2.Core) > 0:
		r.Say("v2 core", "%s (no group below the root to look at: %s makes these in every one)", strings.Join(v2.Core, ", "), v2.CoreFrom)
	}
	switch mode {
	case cgroup.Hybrid:
		r.Meaning = "Controllers live in the v1 trees, one per controller; " + hybridV2(v2) + " hood speaks v2 file names and writes the v1 files, showing the conversion."
	case cgroup.Legacy:
		r.Meaning = "cgroup v1 only: a tree per controller. hood speaks v2 file names and writes the v1 files, showing the conversion."
	case cgroup.Unified:
		r.Meaning = "cgroup v2: one tree, controllers enabled per subtree with cgroup.subtree_control."
	}
	return r, nil
}

// controllersText is what a hierarchy gives hood's groups, as looked at.
func controllersText(o cgroup.Summary) string {
	ctl := strings.Join(o.Controllers, ",")
	switch {
	case o.Version == 2 && ctl == "" && len(o.Available) > 0:
		return "(none enabled; offered: " + strings.Join(o.Available, " ") + ")"
	case o.Version == 2 && ctl == "":
		return "(none enabled)"
	case o.Version == 2:
		return strings.Join(o.Controllers, " ")
	case ctl == "":
		return "(none: a named hierarchy)"
	}
	return ctl
}

// hybridV2 says what the v2 tree of a hybrid machine gives hood's groups:
// the controllers it enables there and the core files a group has (hood
// freezes and kills through cgroup.freeze and cgroup.kill when they are).
func hybridV2(v2 *cgroup.Summary) string {
	if v2 == nil {
		return "the v2 tree is not mounted where hood can reach it."
	}
	ctl := "enables no controller for hood's groups"
	if len(v2.Controllers) > 0 {
		ctl = "enables " + strings.Join(v2.Controllers, ", ") + " for hood's groups"
	}
	var uses []string
	for _, f := range v2.Core {
		if f == "cgroup.freeze" || f == "cgroup.kill" {
			uses = append(uses, f)
		}
	}
	core := "its groups have the core files " + strings.Join(v2.Core, ", ")
	if len(uses) > 0 {
		core += ", and hood freezes and kills through " + strings.Join(uses, " and ")
	}
	return "the v2 tree " + ctl + "; " + core + "."
}

func cgroupFiles(s *Session, args []string) (*result.Result, error) {
	t := &result.Table{Header: []string{"file (v2)", "rw", "format", "v1"}}
	for _, n := range cgroup.Names() {
		sp := cgroup.Lookup(n)
		rw := "r"
		if sp.Writable {
			rw = "rw"
		}
		v1 := strings.Join(sp.V1, " + ")
		if sp.V1Note != "" {
			if v1 != "" {
				v1 += "; "
			}
			v1 += sp.V1Note
		}
		if v1 == "" {
			v1 = "-"
		}
		t.Rows = append(t.Rows, []string{n, rw, sp.Format, v1})
		t.Mark = append(t.Mark, false)
	}
	return &result.Result{Table: t}, nil
}

func cgroupShow(s *Session, args []string) (*result.Result, error) {
	tg, err := s.optionalTarget("cgroup show [TARGET]", args)
	if err != nil {
		return nil, err
	}
	outside, err := s.Proc().Cgroup(tg.PID)
	if err != nil {
		return nil, err
	}
	var inside []procfs.Cgroup
	if b := s.find(tg.Label); b != nil {
		if data, err := b.ReadFile("/proc/self/cgroup"); err == nil {
			if inside, err = procfs.ParseCgroup(bytes.NewReader(data)); err != nil {
				inside = []procfs.Cgroup{} // a column of "?"
			}
		}
	}
	t := &result.Table{Header: []string{"hierarchy", "controllers", "path (host's view)"}}
	if inside != nil {
		t.Header = append(t.Header, "path ("+tg.Label+"'s own view)")
	}
	for i, c := range outside {
		row := []string{strconv.Itoa(c.ID), cgroup.LineLabel(c), c.Path}
		if inside != nil {
			in := "?"
			if i < len(inside) {
				in = inside[i].Path
			}
			row = append(row, in)
		}
		t.Rows = append(t.Rows, row)
		t.Mark = append(t.Mark, strings.Contains(c.Path, "/hood/"))
	}
	r := &result.Result{Table: t}
	r.Shell = fmt.Sprintf("cat /proc/%d/cgroup", tg.PID)
	if inside != nil {
		r.Meaning = "The host's view is the full path from each hierarchy's root; the box's own view is relative to the root of its cgroup namespace, which is \"/\" where it unshared cgroup."
	}
	return r, nil
}
