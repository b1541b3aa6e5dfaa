package labs

import (
	"errors"
	"fmt"
	"strings"

	"github.com/moby/sys/mountinfo"

	"hood/internal/box"
	"hood/internal/kernel/procfs"
)

// The mount check reads mount tables live, from /proc/PID/mountinfo.

// MountCheck: box Box's mount table has a mount at At (of type FSType and
// from Source, where given; the top one when several are stacked), and:
// with Propagation, its propagation is of that kind (shared, slave,
// private, unbindable; "shared and slave" counts as both); with PeerOf, the
// mount at At in that box is in the same peer group (shared:N with the same
// N); with NotIn, none of those tables ("host": hood's) has such a mount at
// At. A check that a table lacks a mount always comes with one that has it,
// so that it cannot pass before its step.
type MountCheck struct {
	Box         string   `yaml:"box"`
	At          string   `yaml:"at"`
	FSType      string   `yaml:"fstype"`
	Source      string   `yaml:"source"`
	Propagation string   `yaml:"propagation"`
	PeerOf      string   `yaml:"peer_of"`
	NotIn       []string `yaml:"not_in"`
}

func (c *MountCheck) validate() error {
	if !strings.HasPrefix(c.At, "/") {
		return errors.New("at is the absolute mount point to look at")
	}
	switch c.Propagation {
	case "", "shared", "slave", "private", "unbindable":
		return nil
	}
	return fmt.Errorf("propagation %q: expected shared, slave, private or unbindable", c.Propagation)
}

// find is the top mount at At in pid's table that fits FSType and Source.
func (c *MountCheck) find(e *env, pid int) (*mountinfo.Info, error) {
	ms, err := e.s.Proc().Mountinfo(pid, nil)
	if err != nil {
		return nil, err
	}
	for i := len(ms) - 1; i >= 0; i-- {
		m := ms[i]
		if m.Mountpoint == c.At && (c.FSType == "" || m.FSType == c.FSType) && (c.Source == "" || m.Source == c.Source) {
			return m, nil
		}
	}
	return nil, nil
}

// what names the mount looked for: "tmpfs hood-tmp at /tmp".
func (c *MountCheck) what() string {
	return strings.TrimSpace(strings.Join([]string{c.FSType, c.Source}, " ") + " at " + c.At)
}

func (c *MountCheck) eval(e *env) (bool, string) {
	return e.anyBox(c.Box, func(b *box.Box) (bool, string) {
		m, err := c.find(e, b.PID)
		if err != nil {
			return false, err.Error()
		}
		if m == nil {
			return false, fmt.Sprintf("%s's mount table has no mount %s", b.Name, c.what())
		}
		p, err := procfs.ParsePropagation(m.Optional)
		if err != nil {
			return false, err.Error()
		}
		if c.Propagation != "" && !strings.Contains(p.Kind(), c.Propagation) {
			return false, fmt.Sprintf("%s's mount %d at %s is %s, not %s", b.Name, m.ID, c.At, p.Words(), c.Propagation)
		}
		detail := fmt.Sprintf("%s's mount %d at %s is %s", b.Name, m.ID, c.At, p.Words())
		if c.PeerOf != "" {
			ok, d := c.peer(e, p)
			if !ok {
				return false, d
			}
			detail += "; " + d
		}
		for _, other := range c.NotIn {
			ok, d := c.lacks(e, other)
			if !ok {
				return false, d
			}
			detail += "; " + d
		}
		return true, detail
	})
}

// peer tells whether the mount at At in box PeerOf shares a peer group
// with p.
func (c *MountCheck) peer(e *env, p procfs.Propagation) (bool, string) {
	bs := e.boxes(c.PeerOf)
	if len(bs) == 0 {
		return false, "there is no box named " + c.PeerOf
	}
	m, err := c.find(e, bs[0].PID)
	if err != nil || m == nil {
		return false, fmt.Sprintf("%s has no mount %s", c.PeerOf, c.what())
	}
	q, err := procfs.ParsePropagation(m.Optional)
	if err != nil {
		return false, err.Error()
	}
	if p.Shared == 0 || q.Shared != p.Shared {
		return false, fmt.Sprintf("%s's mount at %s is %s: not a peer (shared:%d)", c.PeerOf, c.At, q, p.Shared)
	}
	return true, fmt.Sprintf("%s's mount %d there is in the same peer group, shared:%d", c.PeerOf, m.ID, q.Shared)
}

// lacks tells whether table ref (a box, or "host") has no such mount.
func (c *MountCheck) lacks(e *env, ref string) (bool, string) {
	pid, label := e.s.HoodPID, "the host"
	if ref != "host" {
		bs := e.boxes(ref)
		if len(bs) == 0 {
			return false, "there is no box named " + ref
		}
		pid, label = bs[0].PID, bs[0].Name
	}
	m, err := c.find(e, pid)
	if err != nil {
		return false, err.Error()
	}
	if m != nil {
		return false, fmt.Sprintf("%s's mount table has it too (mount %d)", label, m.ID)
	}
	return true, fmt.Sprintf("%s's has none", label)
}
