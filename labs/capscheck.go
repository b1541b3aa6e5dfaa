package labs

import (
	"errors"
	"fmt"
	"strings"

	"hood/internal/box"
	"hood/internal/caps"
	"hood/internal/kernel/procfs"
)

// CapsCheck: one capability set of the box, as /proc/PID/status shows it
// (CapEff, CapPrm, CapInh, CapBnd, CapAmb), lacks every capability of
// Lacks, holds every one of Has, and is empty when Empty is set.
type CapsCheck struct {
	Box   string   `yaml:"box"`
	Set   string   `yaml:"set"`
	Lacks []string `yaml:"lacks"`
	Has   []string `yaml:"has"`
	Empty bool     `yaml:"empty"`

	lacks, has uint64
}

// capFields are the sets a check may name, and the status line each is.
var capFields = map[string]func(procfs.Status) (string, uint64){
	"effective":   func(st procfs.Status) (string, uint64) { return "CapEff", st.CapEff },
	"permitted":   func(st procfs.Status) (string, uint64) { return "CapPrm", st.CapPrm },
	"inheritable": func(st procfs.Status) (string, uint64) { return "CapInh", st.CapInh },
	"bounding":    func(st procfs.Status) (string, uint64) { return "CapBnd", st.CapBnd },
	"ambient":     func(st procfs.Status) (string, uint64) { return "CapAmb", st.CapAmb },
}

func (c *CapsCheck) validate() error {
	if capFields[c.Set] == nil {
		return fmt.Errorf("set %q: want effective, permitted, inheritable, bounding or ambient", c.Set)
	}
	if len(c.Lacks) == 0 && len(c.Has) == 0 && !c.Empty {
		return errors.New("give lacks, has or empty")
	}
	for _, l := range []struct {
		names []string
		set   *uint64
	}{{c.Lacks, &c.lacks}, {c.Has, &c.has}} {
		for _, n := range l.names {
			i, err := caps.Parse(n)
			if err != nil {
				return err
			}
			*l.set |= 1 << i
		}
	}
	return nil
}

func (c *CapsCheck) eval(e *env) (bool, string) {
	return e.anyBox(c.Box, func(b *box.Box) (bool, string) {
		st, err := e.s.Proc().Status(b.PID)
		if err != nil {
			return false, err.Error()
		}
		field, v := capFields[c.Set](st)
		ok := v&c.lacks == 0 && v&c.has == c.has && (!c.Empty || v == 0)
		return ok, fmt.Sprintf("%s's %s is %016x (%s)", b.Name, field, v, strings.TrimSpace(caps.Words(v)))
	})
}

// OwnerCheck: Path, as the box sees it, exists and is owned by UID.
type OwnerCheck struct {
	Box  string `yaml:"box"`
	Path string `yaml:"path"`
	UID  *int   `yaml:"uid"`
}

func (c *OwnerCheck) validate() error {
	if c.Path == "" || c.UID == nil {
		return errors.New("give path and uid")
	}
	return nil
}

func (c *OwnerCheck) eval(e *env) (bool, string) {
	return e.anyBox(c.Box, func(b *box.Box) (bool, string) {
		uid, _, err := e.s.Proc().OwnerInRoot(b.PID, c.Path)
		if err != nil {
			return false, fmt.Sprintf("%s as %s sees it: %v", c.Path, b.Name, err)
		}
		return uid == *c.UID, fmt.Sprintf("%s as %s sees it is owned by UID %d", c.Path, b.Name, uid)
	})
}
