package cgroup

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
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

// where finds the directory serving s: the group's v2 directory when its
// cgroup.controllers lists the controller (core "cgroup" files: any v2
// directory), otherwise the v1 hierarchy that has it.
func (g *Group) where(s *Spec) (Where, error) {
	var v2why string
	for i, h := range g.Hier {
		if !h.v2 || s.V1Only {
			continue
		}
		if s.Ctl == "cgroup" || slices.Contains(readWords(g.Dirs[i], "cgroup.controllers"), s.Ctl) {
			return Where{g.Dirs[i], h}, nil
		}
		v2why = fmt.Sprintf("in v2 the parent %s does not enable it in cgroup.subtree_control", filepath.Dir(g.Dirs[i]))
	}
	v1ctl := s.ctlV1
	if v1ctl == "" {
		v1ctl = v1Controller(s.Ctl)
	}
	if i, ok := g.v1At(v1ctl); ok {
		return Where{g.Dirs[i], g.Hier[i]}, nil
	}
	why := "no mounted hierarchy has it"
	switch {
	case s.V1Only:
		why = "no v1 hierarchy mounts it, and " + s.V1Note
	case v2why != "":
		why = v2why + ", and no v1 hierarchy has it"
	}
	return Where{}, &ErrNoController{s.Ctl, why}
}

// v1At is the index of the group's v1 hierarchy that mounts the v1
// controller ctl ("*": the first v1 hierarchy).
func (g *Group) v1At(ctl string) (int, bool) {
	for i, h := range g.Hier {
		if !h.v2 && (ctl == "*" || slices.Contains(h.Controllers, ctl)) {
			return i, true
		}
	}
	return 0, false
}

// Set writes a catalogued file, or its v1 translation; notes say how a
// value was converted. Nothing is written when the value is malformed. A
// name hood does not catalogue is written as it is when it is a file of a
// v1 hierarchy.
func (g *Group) Set(name, value string) (o []Op, notes []string, err error) {
	s := Lookup(name)
	if s == nil {
		return g.setRaw(name, value)
	}
	if err := s.Check(value); err != nil {
		return nil, nil, err
	}
	if s.RootOnly {
		return nil, nil, fmt.Errorf("%s exists only in the root cgroup, and hood writes no file of a cgroup it did not create (cgroup get %s reads it there)", s.Name, s.Name)
	}
	value = strings.TrimSpace(value)
	w, err := g.where(s)
	if err != nil {
		return nil, nil, err
	}
	var out ops
	if w.H.v2 {
		err := out.write(w.Dir, name, value)
		return out, nil, err
	}
	c := v1Ctx{s, w.Dir, g}
	switch {
	case s.actV1 != nil:
		return s.actV1(c)
	case s.toV1 == nil:
		return nil, nil, v1Refusal(s, "set")
	}
	writes, notes, err := s.toV1(c, value)
	if err != nil {
		return nil, notes, err
	}
	for _, wr := range writes {
		if err := out.write(w.Dir, wr.file, wr.value); err != nil {
			return out, notes, err
		}
	}
	return out, notes, nil
}

// setRaw writes a v1 file hood does not catalogue, as the learner gave it.
func (g *Group) setRaw(name, value string) ([]Op, []string, error) {
	for i, h := range g.Hier {
		if !h.v2 && has(g.Dirs[i], name) {
			var out ops
			err := out.write(g.Dirs[i], name, value)
			return out, []string{"a v1 file, written as given"}, err
		}
	}
	return nil, nil, Unknown(name)
}

// Get reads a catalogued file, or composes it from the v1 file(s).
func (g *Group) Get(name string) (value string, notes []string, err error) {
	s := Lookup(name)
	if s == nil {
		return g.getRaw(name)
	}
	if s.RootOnly {
		return g.getRoot(s)
	}
	w, err := g.where(s)
	if err != nil {
		return "", nil, err
	}
	if w.H.v2 {
		v, err := ReadFile(w.Dir, name)
		return v, nil, err
	}
	c := v1Ctx{s, w.Dir, g}
	switch {
	case s.fromV1 != nil:
		return s.fromV1(c)
	case len(s.V1) == 1:
		return readSame(c)
	}
	return "", nil, v1Refusal(s, "read")
}

// getRaw reads a v1 file hood does not catalogue, as it is.
func (g *Group) getRaw(name string) (string, []string, error) {
	for i, h := range g.Hier {
		if h.v2 {
			continue
		}
		if v, err := ReadFile(g.Dirs[i], name); err == nil {
			return v, []string{"a v1 file, read as it is"}, nil
		}
	}
	return "", nil, Unknown(name)
}

// getRoot reads a root-only file in the root cgroup of the hierarchy that
// serves its controller (the root hood sees, in its cgroup namespace).
func (g *Group) getRoot(s *Spec) (string, []string, error) {
	w, err := g.where(s)
	if err != nil {
		return "", nil, err
	}
	file := s.Name
	if !w.H.v2 {
		if len(s.V1) == 0 {
			return "", nil, v1Refusal(s, "read")
		}
		file = s.V1[0]
	}
	v, err := ReadFile(w.H.Mount, file)
	return v, []string{file + " exists only in the root cgroup: read at " + w.H.Mount}, err
}

// v1Refusal says why a file cannot be set or read where its controller is
// in v1.
func v1Refusal(s *Spec, verb string) error {
	return fmt.Errorf("%s cannot be %s on this group: its %s controller is in v1, and %s", s.Name, verb, s.Ctl, v1Why(s))
}

func v1Why(s *Spec) string {
	if s.V1Note != "" {
		return s.V1Note
	}
	return "no v1 counterpart"
}
