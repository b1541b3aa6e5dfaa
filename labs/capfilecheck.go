package labs

import (
	"errors"
	"fmt"

	"hood/commands"
	"hood/internal/box"
	"hood/internal/caps"
)

// FileCapsCheck: hood's copy File (made by caps file) carries file
// capabilities, read from its security.capability with getxattr: every
// one of Has in the permitted set, and the effective bit when Effective.
type FileCapsCheck struct {
	File      string   `yaml:"file"`
	Has       []string `yaml:"has"`
	Effective bool     `yaml:"effective"`

	has uint64
}

func (c *FileCapsCheck) validate() (err error) {
	c.has, err = copyAndCaps(c.File, c.Has)
	return err
}

// copyAndCaps checks that a copy is named and reads the capabilities
// has names into a set.
func copyAndCaps(file string, names []string) (uint64, error) {
	if file == "" || len(names) == 0 {
		return 0, errors.New("give file (a copy's name) and has")
	}
	var set uint64
	for _, n := range names {
		i, err := caps.Parse(n)
		if err != nil {
			return 0, err
		}
		set |= 1 << i
	}
	return set, nil
}

func (c *FileCapsCheck) eval(e *env) (bool, string) {
	path, ok := e.s.CapCopy(c.File)
	if !ok {
		return false, "hood has no copy named " + c.File + " (caps file " + c.File + " CAP=ep makes one)"
	}
	raw, call := caps.ReadFile(e.s.HoodPID, path)
	if call.Failed() {
		return false, fmt.Sprintf("%s: getxattr security.capability: %s", path, call.ErrName())
	}
	fc, err := caps.DecodeFile(raw)
	if err != nil {
		return false, err.Error()
	}
	return fc.Permitted&c.has == c.has && (!c.Effective || fc.Effective), fmt.Sprintf("%s has %s", path, fc.Text())
}

// ExecCapsCheck: hood's copy File, run in the box with Args by a user
// other than root, holds exactly Has in its effective set after execve,
// read from its /proc/PID/status: the capabilities came from the file,
// not from the box, whose effective set lacks them.
type ExecCapsCheck struct {
	Box  string   `yaml:"box"`
	File string   `yaml:"file"`
	Args []string `yaml:"args"`
	Has  []string `yaml:"has"`

	has uint64
}

func (c *ExecCapsCheck) validate() (err error) {
	c.has, err = copyAndCaps(c.File, c.Has)
	return err
}

// startsProcess: the copy is run in the box.
func (c *ExecCapsCheck) startsProcess() {}

func (c *ExecCapsCheck) eval(e *env) (bool, string) {
	path, ok := e.s.CapCopy(c.File)
	if !ok {
		return false, "hood has no copy named " + c.File
	}
	return e.anyBox(c.Box, func(b *box.Box) (bool, string) {
		boxSt, err := e.s.Proc().Status(b.PID)
		if err != nil {
			return false, err.Error()
		}
		if boxSt.Uid.Effective == 0 {
			return false, b.Name + " runs as root: run the copy as an ordinary user (box new --uid 1000)"
		}
		st, err := commands.ExecStatus(e.s.Proc(), b, path, append([]string{c.File}, c.Args...))
		if err != nil {
			return false, err.Error()
		}
		ok := st.CapEff == c.has && boxSt.CapEff&c.has == 0 && st.Uid.Effective == boxSt.Uid.Effective
		return ok, fmt.Sprintf("%s run by %s (uid %d, CapEff %016x) had uid %d, CapEff %016x (%s)", c.File, b.Name, boxSt.Uid.Effective, boxSt.CapEff, st.Uid.Effective, st.CapEff, caps.Words(st.CapEff))
	})
}
