package commands

import (
	"bytes"
	"fmt"
	"hood/internal/kernel/cgroup"
	"hood/internal/kernel/procfs"
	"hood/internal/result"
	"os"
	"path/filepath"
	"strconv"
	"strings"
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
	for _, h := range hs {
		ctl := strings.Join(h.Controllers, ",")
		base := h.Base()
		if h.V2 {
			ctl = strings.Join(readWordsFile(filepath.Join(base, "cgroup.subtree_control")), " ")
			if ctl == "" {
				ctl = "(none enabled: membership only)"
			}
		}
		if ctl == "" {
			ctl = "(none: a named hierarchy)"
		}
		t.Rows = append(t.Rows, []string{h.Label(), h.Mount, h.Path, filepath.Join(base, "hood"), ctl})
		t.Mark = append(t.Mark, false)
	}
	r := &result.Result{Table: t}
	r.Say("mode", "%s", mode)
	switch mode {
	case cgroup.Hybrid:
		r.Meaning = "Controllers live in the v1 trees, one per controller; the v2 tree holds membership and pressure (PSI) only. hood speaks v2 file names and writes the v1 files, showing the conversion."
	case cgroup.Legacy:
		r.Meaning = "cgroup v1 only: a tree per controller. hood speaks v2 file names and writes the v1 files, showing the conversion."
	case cgroup.Unified:
		r.Meaning = "cgroup v2: one tree, controllers enabled per subtree with cgroup.subtree_control."
	}
	return r, nil
}

func readWordsFile(path string) []string {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	return strings.Fields(string(data))
}

func cgroupFiles(s *Session, args []string) (*result.Result, error) {
	t := &result.Table{Header: []string{"file (v2)", "rw", "format", "v1"}}
	for _, n := range cgroup.Names() {
		sp := cgroup.Specs[n]
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
	word := "self"
	if len(args) > 1 {
		return nil, result.Usagef("cgroup show [TARGET]", "one target at a time")
	}
	if len(args) == 1 {
		word = args[0]
	}
	tg, err := s.resolve(word)
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
		ctl := strings.Join(c.Controllers, ",")
		if c.V2() {
			ctl = "(v2)"
		}
		row := []string{strconv.Itoa(c.ID), ctl, c.Path}
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
