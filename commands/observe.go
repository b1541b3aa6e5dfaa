package commands

import (
	"fmt"
	"strconv"
	"syscall"

	"hood/internal/box"
	"hood/internal/kernel/ns"
	"hood/internal/result"
)

// pidPending stands for a pid_for_children link the kernel will not show yet.
const pidPending = "pid:[?] (hidden until its PID 1 exists)"

// links is one process's /proc/PID/ns, link name -> "uts:[4026531838]".
type links map[string]string

func (s *Session) links(pid int) (links, error) {
	ls, err := ns.Show(s.ProcRoot, pid)
	if err != nil {
		return nil, err
	}
	out := links{}
	for _, l := range ls {
		if l.Err != nil {
			out[l.Name] = "(unreadable: " + l.Err.Error() + ")"
			continue
		}
		out[l.Name] = fmt.Sprintf("%s:[%d]", l.Type, l.Inode)
	}
	// The kernel hides a new PID namespace from pid_for_children until its
	// first process (its PID 1, the child reaper) exists.
	if _, ok := out["pid_for_children"]; !ok && out["pid"] != "" {
		out["pid_for_children"] = pidPending
	}
	return out, nil
}

// hostLinks are hood's own namespaces, the host's. hood never calls unshare
// or setns on itself, so they are read once per session.
func (s *Session) hostLinks() (links, error) {
	if s.host == nil {
		l, err := s.links(s.HoodPID)
		if err != nil {
			return nil, err
		}
		s.host = l
	}
	return s.host, nil
}

// linkOrder is every link name in the order ns.Show gives them.
func linkOrder() []string {
	var out []string
	for _, t := range ns.Types {
		out = append(out, t.Name)
		if t.ForChildren != "" {
			out = append(out, t.ForChildren)
		}
	}
	return out
}

// diff adds a Change for each link in names, noting those that did not move.
func diff(r *result.Result, pid int, before, after links, names []string, unchangedNote string) {
	for _, n := range names {
		b, a := before[n], after[n]
		if b == "" && a == "" {
			continue
		}
		c := result.Change{Path: fmt.Sprintf("/proc/%d/ns/%s", pid, n), Before: b, After: a}
		if a == b {
			c.Note = unchangedNote
		}
		r.Changes = append(r.Changes, c)
	}
}

// NSpid is nspid for the lab checks.
func (s *Session) NSpid(pid int) []string { return s.nspid(pid) }

// nspid is the NSpid line of /proc/PID/status: the process's PID in each
// PID namespace from the host's down to its own ("4251", "1").
func (s *Session) nspid(pid int) []string {
	st, err := s.Proc().Status(pid)
	if err != nil {
		return nil
	}
	out := make([]string, len(st.NSpid))
	for i, p := range st.NSpid {
		out[i] = strconv.Itoa(p)
	}
	return out
}

func errnoName(e syscall.Errno) string { return box.ErrnoName(e) }

// linksAndHost reads a box's namespace links and the host's, which the
// commands that guard the host (kill, mount, hostname) compare.
func (s *Session) linksAndHost(pid int) (mine, host links, err error) {
	if mine, err = s.links(pid); err != nil {
		return nil, nil, err
	}
	if host, err = s.hostLinks(); err != nil {
		return nil, nil, err
	}
	return mine, host, nil
}
