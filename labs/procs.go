package labs

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"hood/internal/box"
	"hood/internal/kernel/procfs"
)

// The process checks: init, procs_seen, gone, uid.

// InitCheck: the box has a live PID 1 of its own PID namespace.
type InitCheck struct {
	Box string `yaml:"box"`
}

func (c *InitCheck) validate() error { return nil }

func (c *InitCheck) eval(e *env) (bool, string) {
	return e.anyBox(c.Box, func(b *box.Box) (bool, string) {
		init := e.s.LiveInit(b)
		if init == 0 {
			return false, b.Name + " has no PID 1 of a namespace of its own (unshare pid --fork makes one)"
		}
		nspid := e.s.NSpid(init)
		return len(nspid) > 1 && nspid[len(nspid)-1] == "1", fmt.Sprintf("%s's PID 1 is %d on the host (NSpid %s)", b.Name, init, strings.Join(nspid, " "))
	})
}

// ProcsCheck bounds the number of processes listed in the /proc seen by the
// box's PID 1.
type ProcsCheck struct {
	Box string `yaml:"box"`
	Max int    `yaml:"max"`
	Min int    `yaml:"min"`
}

func (c *ProcsCheck) validate() error {
	if c.Max == 0 && c.Min == 0 {
		return errors.New("give min, max or both")
	}
	return nil
}

func (c *ProcsCheck) eval(e *env) (bool, string) {
	return e.anyBox(c.Box, func(b *box.Box) (bool, string) {
		init := e.s.LiveInit(b)
		if init == 0 {
			return false, b.Name + " has no PID 1 of its own"
		}
		n := e.s.ProcsSeen(b)
		ok := n >= c.Min && (c.Max == 0 || n <= c.Max)
		return ok, fmt.Sprintf("the /proc seen from %s's PID namespace lists %d process(es)", b.Name, n)
	})
}

// GoneCheck: the box is gone.
type GoneCheck struct {
	Box string `yaml:"box"`
}

func (c *GoneCheck) validate() error { return nil }

func (c *GoneCheck) eval(e *env) (bool, string) {
	if b := e.s.Box(c.Box); b != nil {
		return false, fmt.Sprintf("%s is still there (PID %d)", b.Name, b.PID)
	}
	return true, c.Box + " is gone"
}

// UIDCheck: the box's uid as the host sees it is not root, and as the box
// sees itself (/proc/self/status, through its user namespace) is Inside.
type UIDCheck struct {
	Box    string `yaml:"box"`
	Inside int    `yaml:"inside"`
}

func (c *UIDCheck) validate() error { return nil }

func (c *UIDCheck) eval(e *env) (bool, string) {
	return e.anyBox(c.Box, func(b *box.Box) (bool, string) {
		outside := realUID(e.s.Proc().Status(b.PID))
		data, err := b.ReadFile("/proc/self/status")
		if err != nil {
			return false, err.Error()
		}
		inside := realUID(procfs.ParseStatus(bytes.NewReader(data)))
		ok := outside != "0" && outside != "" && inside == strconv.Itoa(c.Inside)
		return ok, fmt.Sprintf("%s is uid %s to the host and uid %s to itself", b.Name, outside, inside)
	})
}
