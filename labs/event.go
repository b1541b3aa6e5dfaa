package labs

import (
	"errors"
	"strings"
)

// The event check looks at the syscalls hood made during the step, as the
// session recorded them: the one kind that reads narrated calls, not the
// kernel's state.

// EventCheck: since the step began, a syscall whose text contains Call was
// answered with Errno ("" for success) and, if set, a result containing Ret
// and not containing NotRet.
type EventCheck struct {
	Call   string `yaml:"call"`
	Errno  string `yaml:"errno"`
	Ret    string `yaml:"ret"`
	NotRet string `yaml:"not_ret"`
}

func (c *EventCheck) validate() error {
	if c.Call == "" {
		return errors.New("call names the syscall")
	}
	return nil
}

func (c *EventCheck) eval(e *env) (bool, string) {
	evs := e.s.Events
	if e.mark > len(evs) {
		e.mark = len(evs)
	}
	var last string
	call := e.expand(c.Call)
	for _, ev := range evs[e.mark:] {
		if !strings.Contains(ev.Text(), call) {
			continue
		}
		last = ev.String()
		if ev.ErrName() == c.Errno && (c.Ret == "" || strings.Contains(ev.Result(), c.Ret)) &&
			(c.NotRet == "" || !strings.Contains(ev.Result(), c.NotRet)) {
			return true, last
		}
	}
	if last == "" {
		return false, "no " + call + " call in this step yet"
	}
	return false, "last: " + last
}
