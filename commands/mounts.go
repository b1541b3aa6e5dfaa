package commands

import (
	"fmt"
	"strings"

	"github.com/moby/sys/mountinfo"

	"hood/internal/kernel/procfs"
	"hood/internal/result"
)

const mountsUsage = "mounts [TARGET] [--diff] [--json]"

func init() {
	register(&Command{UsageLine: mountsUsage, Short: "the mount table of a box, the host or a PID, with each mount's propagation in words; --diff: what differs from the host's",
		Long: `Reads /proc/PID/mountinfo, the mount table of the process's mount
namespace as the process sees it, and decodes field 7, the propagation:
shared:N (in peer group N: mounts and unmounts under it reach the group's
other mounts), master:N (a slave of group N: it receives and does not send),
propagate_from:N, unbindable, or nothing: private. Marked rows are mounts
the host's table does not have.
--diff lists what differs from the host's table: mounts added, mounts gone,
and mounts in both whose propagation or options changed. Mount IDs differ
between namespaces, so mounts are matched by mount point, source, type and
root.
--json prints the table with the field names of findmnt --json --list
(id, target, source, fstype, options, propagation), so the two can be
compared.
Examples: mounts; mounts host; mounts box2 --diff`,
		Args: []Arg{ArgTarget}, Flags: []string{"--diff", "--json"}, Run: mountsCmd})
}

func mountsCmd(s *Session, args []string) (*result.Result, error) {
	diff := false
	asJSON, args := cutJSON(args)
	var words []string
	for _, a := range args {
		switch {
		case a == "--diff":
			diff = true
		case strings.HasPrefix(a, "-"):
			return nil, result.Usagef(mountsUsage, "unknown option %q: the options are --diff and --json", a)
		default:
			words = append(words, a)
		}
	}
	if len(words) > 1 {
		return nil, result.Usagef(mountsUsage, "one target at a time")
	}
	word := "self"
	if len(words) == 1 {
		word = words[0]
	} else if s.Current == nil {
		word = "host"
	}
	tg, err := s.resolve(word)
	if err != nil {
		return nil, err
	}
	mine, err := s.Proc().Mountinfo(tg.PID, nil)
	if err != nil {
		return nil, fmt.Errorf("mount table of %s: %w", tg.Label, err)
	}
	host, err := s.Proc().Mountinfo(s.HoodPID, nil)
	if err != nil {
		return nil, fmt.Errorf("the host's mount table: %w", err)
	}
	mntNS, hostNS := "mnt:[?]", "mnt:[?]"
	if l, err := s.Proc().NS(tg.PID, "mnt"); err == nil {
		mntNS = l.String()
	}
	if l, err := s.Proc().NS(s.HoodPID, "mnt"); err == nil {
		hostNS = l.String()
	}
	whose := "its own"
	switch {
	case mntNS == "mnt:[?]" || hostNS == "mnt:[?]":
		whose = "which namespace hood could not read: /proc/PID/ns/mnt is refused"
	case mntNS == hostNS:
		whose = "the host's"
	}
	if asJSON && !diff {
		return &result.Result{JSON: map[string]any{"filesystems": mountsJSON(mine)}}, nil
	}
	changes := procfs.DiffMounts(host, mine)
	r := &result.Result{}
	if diff && asJSON {
		return &result.Result{JSON: map[string]any{"changes": changesJSON(changes)}}, nil
	}
	if diff {
		r.Table = diffTable(changes)
		r.Shell = fmt.Sprintf("diff <(findmnt -N %d -rno TARGET,SOURCE,FSTYPE,PROPAGATION,OPTIONS) <(findmnt -N %d -rno TARGET,SOURCE,FSTYPE,PROPAGATION,OPTIONS)", s.HoodPID, tg.PID)
		r.Meaning = fmt.Sprintf("%s's mount table (%s, %s) against the host's: %s.", tg.Label, mntNS, whose, procfs.DiffSummary(changes))
		if mntNS == hostNS {
			r.Meaning += " It is the host's own mount namespace: one table, seen from two processes (a different root would show other paths)."
		} else {
			r.Meaning += " A new mount namespace starts as a copy of its parent's table; what differs since is what was mounted, unmounted or changed in it."
			if propagationOnly(changes) > 0 {
				r.Meaning += fmt.Sprintf(" %d mounts differ in propagation alone: a copy made private (unshare mnt does that) leaves the host's peer groups.", propagationOnly(changes))
			}
		}
		return r, nil
	}
	added := map[*mountinfo.Info]bool{}
	for _, c := range changes {
		if c.Kind == "added" {
			added[c.New] = true
		}
	}
	t := &result.Table{Header: []string{"ID", "MOUNT POINT", "TYPE", "SOURCE", "OPTIONS", "PROPAGATION"}}
	count := map[string]int{}
	for _, m := range mine {
		words := propagationWords(m)
		if p, err := procfs.ParsePropagation(m.Optional); err == nil {
			count[p.Kind()]++
		}
		t.Rows = append(t.Rows, []string{fmt.Sprint(m.ID), m.Mountpoint, m.FSType, m.Source, m.Options, words})
		t.Mark = append(t.Mark, added[m] && tg.PID != s.HoodPID)
	}
	r.Table = t
	r.Shell = fmt.Sprintf("findmnt -N %d -o ID,TARGET,FSTYPE,SOURCE,OPTIONS,PROPAGATION", tg.PID)
	var kinds []string
	for _, k := range []string{"shared", "slave", "shared and slave", "private", "unbindable"} {
		if count[k] > 0 {
			kinds = append(kinds, fmt.Sprintf("%d %s", count[k], k))
		}
	}
	r.Meaning = fmt.Sprintf("%d mounts in %s's mount table (%s, %s): %s. A shared mount sends mount events to its peer group and receives them; a slave only receives; a private mount neither.", len(mine), tg.Label, mntNS, whose, strings.Join(kinds, ", "))
	if n := len(added); n > 0 && tg.PID != s.HoodPID {
		r.Meaning += fmt.Sprintf(" Marked: the %d the host's table does not have.", n)
	}
	return r, nil
}

// propagationOnly counts the changed mounts whose propagation alone differs.
func propagationOnly(cs []procfs.MountChange) int {
	n := 0
	for _, c := range cs {
		if c.Kind == "changed" && len(c.What) == 1 && strings.HasPrefix(c.What[0], "propagation ") {
			n++
		}
	}
	return n
}

// propagationWords is a mount's propagation as mountinfo spells it and in
// words: "shared:12 (peer group 12)".
func propagationWords(m *mountinfo.Info) string {
	p, err := procfs.ParsePropagation(m.Optional)
	if err != nil {
		return m.Optional + " (not understood: " + err.Error() + ")"
	}
	if p.Private() && !p.Unbindable {
		return "private"
	}
	return p.String() + " (" + p.Words() + ")"
}

// diffTable is one row per difference between the host's table and the
// target's.
func diffTable(cs []procfs.MountChange) *result.Table {
	t := &result.Table{Header: []string{"CHANGE", "MOUNT POINT", "TYPE", "SOURCE", "WHAT"}}
	for _, c := range cs {
		m := c.Mount()
		what := strings.Join(c.What, "; ")
		switch c.Kind {
		case "added":
			what = "not on the host; " + propagationWords(m)
		case "gone":
			what = "only on the host"
		}
		t.Rows = append(t.Rows, []string{c.Kind, m.Mountpoint, m.FSType, m.Source, what})
		t.Mark = append(t.Mark, c.Kind != "changed")
	}
	return t
}

// mountJSON is one mount as findmnt --json --list names its fields, with
// mountinfo's optional fields as the kernel wrote them.
type mountJSON struct {
	ID          int    `json:"id"`
	Target      string `json:"target"`
	Source      string `json:"source"`
	FSType      string `json:"fstype"`
	Options     string `json:"options"`
	Propagation string `json:"propagation"` // findmnt's words: shared, private,slave, ...
	Optional    string `json:"optional"`
}

func mountsJSON(ms []*mountinfo.Info) []mountJSON {
	out := []mountJSON{}
	for _, m := range ms {
		out = append(out, mountJSON{m.ID, m.Mountpoint, m.Source, m.FSType, m.Options, findmntPropagation(m.Optional), m.Optional})
	}
	return out
}

// findmntPropagation is the PROPAGATION column of findmnt(8): "shared",
// "private,slave", "shared,slave", "unbindable" or "private".
func findmntPropagation(optional string) string {
	p, err := procfs.ParsePropagation(optional)
	if err != nil {
		return "?"
	}
	first := "private"
	switch {
	case p.Shared != 0:
		first = "shared"
	case p.Unbindable:
		first = "unbindable"
	}
	if p.Master != 0 {
		return first + ",slave"
	}
	return first
}

type changeJSON struct {
	Change string     `json:"change"`
	Mount  mountJSON  `json:"mount"`
	Host   *mountJSON `json:"host,omitempty"` // the host's, for a changed mount
	What   []string   `json:"what,omitempty"`
}

func changesJSON(cs []procfs.MountChange) []changeJSON {
	out := []changeJSON{}
	for _, c := range cs {
		m := mountsJSON([]*mountinfo.Info{c.Mount()})[0]
		j := changeJSON{Change: c.Kind, Mount: m, What: c.What}
		if c.Kind == "changed" {
			h := mountsJSON([]*mountinfo.Info{c.Old})[0]
			j.Host = &h
		}
		out = append(out, j)
	}
	return out
}
