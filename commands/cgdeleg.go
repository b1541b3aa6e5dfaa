package commands

import (
	"fmt"
	"hood/internal/box"
	"os"
	"path/filepath"
	"strings"

	"hood/internal/kernel/cgroup"
	"hood/internal/result"
	"hood/internal/rootless"
)

// delegate readies the cgroup delegated to a hood without root, before its
// first group: hood moves itself into SCOPE/hood-self and enables the
// delegated controllers in SCOPE (cgroup.Delegate), narrated into r. Once
// per session; closeDeleg gives it back.
func (s *Session) delegate(r *result.Result, hs []cgroup.Hierarchy) error {
	if s.deleg != nil {
		return nil
	}
	if s.delegErr != nil {
		return s.delegErr
	}
	for _, h := range hs {
		if h.Version() != 2 {
			continue
		}
		var mine []int
		if pid := box.PreforkedPID(); pid > 0 && h.Scope() == cgroupOf(s, pid) {
			mine = append(mine, pid)
		}
		for _, b := range s.Boxes {
			if b.PID != box.PreforkedPID() && h.Scope() == cgroupOf(s, b.PID) {
				mine = append(mine, b.PID)
			}
		}
		d, ops, err := cgroup.Delegate(h, s.HoodPID, mine...)
		r.Add(ops...)
		if err != nil {
			return cgroupErr(err)
		}
		s.deleg = d
		s.hier = nil // read again: hood's own cgroup is now its leaf
		if len(ops) == 0 {
			return nil // this process had moved already, for another session
		}
		scope := d.Scope
		r.Say("delegated", "%s is delegated to uid %d (it and its cgroup.procs and cgroup.subtree_control are the user's); hood moved itself and its own boxes, and nothing else, into %s, since a cgroup with processes in it cannot enable controllers for its children", scope, os.Geteuid(), filepath.Base(d.Leaf))
		if len(d.Enabled) > 0 {
			r.Say("controllers", "%s now hands its children %s: exactly what its parent delegated to it (its cgroup.controllers)", filepath.Base(scope), strings.Join(d.Enabled, " "))
		} else {
			r.Say("controllers", "%s's parent delegates no controller to it (its cgroup.controllers is empty): the boxes' groups get membership only, no limits", filepath.Base(scope))
		}
		return nil
	}
	return nil
}

// delegateEarly readies the delegated scope before the session's first
// box, which is born in hood's cgroup: were that the scope, the box would
// keep it from enabling controllers (v2's no-internal-processes rule).
// Only without root, on v2, in a cgroup delegated to the user; when the
// kernel refuses, the session goes on without cgroups, and says why.
func (s *Session) delegateEarly(r *result.Result) {
	if s.deleg != nil || s.delegErr != nil || len(s.Boxes) > 0 || !rootless.Active() {
		return
	}
	if ok, _ := rootless.CgroupDelegated(""); !ok {
		return // nothing delegated: the cgroup commands say why
	}
	hs, err := s.hierarchies()
	if err != nil {
		return
	}
	if err := s.delegate(r, hs); err != nil {
		s.delegErr = err
		r.Say("cgroups", "none for this session: %v", err)
	}
}

// closeDeleg disables what delegate enabled, moves hood back into its
// scope and removes its leaf, after the groups are gone.
func (s *Session) closeDeleg() {
	if s.deleg != nil {
		if _, err := s.deleg.Undo(); err != nil {
			// on hood's own stderr: a lab check's session writes its
			// Stderr into the transcript it reads
			fmt.Fprintf(os.Stderr, "hood: giving %s back as it was: %v\n", s.deleg.Scope, err)
		}
		s.deleg = nil
		s.hier = nil
	}
	s.delegErr = nil
}

// cgroupOf is pid's v2 cgroup directory, "" when it cannot be read.
func cgroupOf(s *Session, pid int) string {
	hs, err := cgroup.Hierarchies(s.ProcRoot, pid)
	if err != nil {
		return ""
	}
	for _, h := range hs {
		if h.Version() == 2 {
			return h.Dir()
		}
	}
	return ""
}

// Delegated is the delegated cgroup this session readied ("" when none):
// hood left it for its leaf hood-self before the first box.
func (s *Session) Delegated() string {
	if s.deleg == nil {
		return ""
	}
	return s.deleg.Scope
}
