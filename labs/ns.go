package labs

import (
	"errors"
	"fmt"
	"strings"

	"hood/commands"
	"hood/internal/box"
	"hood/internal/kernel/ns"
)

// The namespace checks: ns, nprocs, children, pinned.

// NSCheck compares a namespace link of A with one of B (B defaults to host).
type NSCheck struct {
	A    string `yaml:"a"`
	B    string `yaml:"b"`
	Type string `yaml:"type"`   // uts, ..., or pid_for_children / time_for_children
	BTyp string `yaml:"b_type"` // B's link, when it is not Type
	Same bool   `yaml:"same"`
}

func (c *NSCheck) validate() error {
	if err := nsType(c.Type); err != nil {
		return err
	}
	if c.A == "" {
		return errors.New("a names a box")
	}
	return nil
}

func (c *NSCheck) eval(e *env) (bool, string) {
	btype := c.BTyp
	if btype == "" {
		btype = c.Type
	}
	bRef := c.B
	if bRef == "" {
		bRef = "host"
	}
	return e.anyBox(c.A, func(a *box.Box) (bool, string) {
		la := e.link(a, c.Type)
		lb, bname, err := c.other(e, a, bRef, btype)
		if err != nil {
			return false, err.Error()
		}
		same := la == lb && la != "" && !strings.Contains(la, "?")
		rel := "is not"
		if same {
			rel = "is"
		}
		return same == c.Same, fmt.Sprintf("%s's %s %s %s %s's %s %s", a.Name, c.Type, la, rel, bname, btype, lb)
	})
}

// other is the btype link of the box bRef (or the host) that a is compared
// with, and its name.
func (c *NSCheck) other(e *env, a *box.Box, bRef, btype string) (link, name string, err error) {
	if bRef == "host" {
		hl, err := e.s.HostLinks()
		if err != nil {
			return "", "", err
		}
		return hl[btype], "the host", nil
	}
	bs := e.boxes(bRef)
	if len(bs) == 0 {
		return "", "", errors.New("there is no box named " + bRef)
	}
	if bs[0] == a {
		return "", "", errors.New(a.Name + " compared with itself")
	}
	return e.link(bs[0], btype), bs[0].Name, nil
}

// NProcsCheck: at least Min processes are in the box's namespace of Type.
type NProcsCheck struct {
	Box  string `yaml:"box"`
	Type string `yaml:"type"`
	Min  int    `yaml:"min"`
}

func (c *NProcsCheck) validate() error {
	if c.Min <= 0 {
		return errors.New("min must be at least 1")
	}
	return nsType(c.Type)
}

func (c *NProcsCheck) eval(e *env) (bool, string) {
	return e.anyBox(c.Box, func(b *box.Box) (bool, string) {
		want := e.link(b, c.Type)
		n := countIn(e.s.Proc(), c.Type, want)
		return n >= c.Min, fmt.Sprintf("%d processes are in %s", n, want)
	})
}

// ChildrenCheck: the box is still in the host's namespace of Type (pid or
// time) while its Type_for_children link points elsewhere: what unshare of
// those two types does.
type ChildrenCheck struct {
	Box  string `yaml:"box"`
	Type string `yaml:"type"`
}

func (c *ChildrenCheck) validate() error {
	if c.Type != "pid" && c.Type != "time" {
		return errors.New("type is pid or time")
	}
	return nil
}

func (c *ChildrenCheck) eval(e *env) (bool, string) {
	return e.anyBox(c.Box, func(b *box.Box) (bool, string) {
		host, err := e.s.HostLinks()
		if err != nil {
			return false, err.Error()
		}
		t := c.Type
		own, kids := e.link(b, t), e.link(b, t+"_for_children")
		ok := own == host[t] && kids != own
		return ok, fmt.Sprintf("%s is in %s (the host's is %s); its children get %s", b.Name, own, host[t], kids)
	})
}

// PinnedCheck: a namespace of Type is pinned by ns pin; with Orphan, no
// process is in it any more; with Box, that box is in it.
type PinnedCheck struct {
	Type   string `yaml:"type"`
	Orphan bool   `yaml:"orphan"`
	Box    string `yaml:"box"`
}

func (c *PinnedCheck) validate() error { return nsType(c.Type) }

// eval passes when any pin of the type does: the learner may have pinned
// others first.
func (c *PinnedCheck) eval(e *env) (bool, string) {
	var why []string
	for _, p := range e.s.Pins {
		if p.Type != c.Type {
			continue
		}
		ok, d := c.holds(e, p)
		if ok {
			return true, d
		}
		why = append(why, d)
	}
	if len(why) == 0 {
		return false, "no " + c.Type + " namespace is pinned (ns pin)"
	}
	return false, strings.Join(why, "; ")
}

// holds tells whether the pin p is the one the check asks for.
func (c *PinnedCheck) holds(e *env, p commands.Pin) (bool, string) {
	link := fmt.Sprintf("%s:[%d]", p.Type, p.Inode)
	switch {
	case c.Box != "":
		return e.anyBox(c.Box, func(b *box.Box) (bool, string) {
			mine := e.link(b, p.Type)
			return mine == link, fmt.Sprintf("%s is in %s; %s is pinned at %s", b.Name, mine, link, p.Path)
		})
	case c.Orphan:
		n := countIn(e.s.Proc(), p.Type, link)
		return n == 0, fmt.Sprintf("%s, pinned at %s, has %d process(es)", link, p.Path, n)
	}
	return true, fmt.Sprintf("%s is pinned at %s", link, p.Path)
}

// nsType accepts a namespace type, or one of the two _for_children links.
func nsType(t string) error {
	if t == "pid_for_children" || t == "time_for_children" {
		return nil
	}
	if _, ok := ns.Lookup(t); !ok {
		return fmt.Errorf("unknown namespace type %q", t)
	}
	return nil
}
