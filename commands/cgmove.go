package commands

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"hood/internal/box"
	"hood/internal/kernel/call"
	"hood/internal/kernel/cgroup"
	"hood/internal/result"
)

// mover is a process hood may move between cgroups: a box, or a process
// a box started. hood moves only what it started, so that it never pulls a
// process out of the group its own supervisor keeps it in.
type mover struct {
	box   *box.Box // the box that is the process or started it
	pid   int
	label string // "box1", or "PID 4251 (started by box1)"
}

// startedBy resolves a box name or a PID to a process hood started, by
// the process tree (a box's descendants, read from /proc now).
func (s *Session) startedBy(usage, word string) (mover, error) {
	if b := s.find(word); b != nil {
		return mover{b, b.PID, b.Name}, nil
	}
	pid, err := strconv.Atoi(word)
	if err != nil || pid <= 0 {
		return mover{}, result.Usagef(usage, "%q is neither a box nor a PID (the boxes: %s)", word, strings.Join(s.BoxNames(), ", "))
	}
	for _, b := range s.Boxes {
		if b.PID == pid {
			return mover{b, pid, b.Name}, nil
		}
		if slices.Contains(s.Proc().Descendants(b.PID), pid) {
			return mover{b, pid, fmt.Sprintf("PID %d (started by %s)", pid, b.Name)}, nil
		}
	}
	return mover{}, &result.UsageError{Msg: fmt.Sprintf("hood moves only the processes it started, its boxes and what runs in them: PID %d is none of them (the boxes: %s)", pid, strings.Join(s.BoxNames(), ", "))}
}

// isMove says whether writing file moves a process (or a thread) rather
// than setting a value: cgroup.procs, and v1's tasks.
func isMove(file string) bool { return file == "cgroup.procs" || file == "tasks" }

// moveTarget checks the PID of `cgroup set GROUP cgroup.procs|tasks PID`
// before anything is made.
func (s *Session) moveTarget(file, value string) (mover, error) {
	const usage = "cgroup set [GROUP] FILE VALUE"
	if _, err := strconv.Atoi(value); err != nil {
		return mover{}, result.Usagef(usage, "%s takes one PID: writing it there moves that process", file)
	}
	return s.startedBy(usage, value)
}

// move writes m's PID to file (cgroup.procs or tasks) of g, narrating into
// r: cgroup.procs through the same writes as cgroup attach.
func (s *Session) move(r *result.Result, g *cgroup.Group, label, file string, m mover) error {
	before := s.cgroupPath(m.pid, g)
	if file == "cgroup.procs" {
		if err := attach(r, g, m.pid); err != nil {
			return err
		}
		r.Meaning = fmt.Sprintf("%s is in %s's group in every hierarchy now: writing a PID to cgroup.procs is how a process moves, with all its threads; children it already has stay where they are.", m.label, label)
	} else {
		ops, skipped, err := g.MoveThread(m.pid)
		r.Add(ops...)
		if err != nil {
			return cgroupErr(err)
		}
		if len(skipped) > 0 {
			r.Say("v2", "the %s tree has no tasks file: there %s stays where it was (its cgroup.procs would move the whole process)", strings.Join(skipped, ", "), m.label)
		}
		r.Meaning = fmt.Sprintf("Thread %d moved into %s's group in each v1 hierarchy: tasks moves one thread, cgroup.procs a process with all its threads.", m.pid, label)
	}
	if after := s.cgroupPath(m.pid, g); before != "" || after != "" {
		r.Changes = append(r.Changes, result.Change{Path: fmt.Sprintf("/proc/%d/cgroup (%s)", m.pid, g.Hier[0].Label()), Before: before, After: after})
	}
	r.Shell = call.Shells(r.Syscalls)
	return nil
}

// cgroupPath is pid's cgroup in the first hierarchy of g, from
// /proc/PID/cgroup; "" when it cannot be read.
func (s *Session) cgroupPath(pid int, g *cgroup.Group) string {
	lines, err := s.Proc().Cgroup(pid)
	if err != nil || len(g.Hier) == 0 {
		return ""
	}
	for _, l := range lines {
		if l.ID == g.Hier[0].ID {
			return l.Path
		}
	}
	return ""
}
