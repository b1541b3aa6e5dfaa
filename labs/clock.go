package labs

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"hood/internal/box"
)

// The time check: clock.

// ClockCheck: a process started in the box reads Clock (monotonic or
// boottime) at least Ahead seconds later than hood does.
type ClockCheck struct {
	Box   string `yaml:"box"`
	Clock string `yaml:"clock"`
	Ahead int    `yaml:"ahead"`
}

func (c *ClockCheck) validate() error {
	if c.Clock != "monotonic" && c.Clock != "boottime" {
		return errors.New("clock is monotonic or boottime")
	}
	if c.Ahead <= 0 {
		return errors.New("ahead must be a positive number of seconds (a check that holds without any offset proves nothing)")
	}
	return nil
}

// startsProcess: the clock is read by a probe process started in the box.
func (c *ClockCheck) startsProcess() {}

func (c *ClockCheck) eval(e *env) (bool, string) {
	return e.anyBox(c.Box, func(b *box.Box) (bool, string) {
		// A probe started while the box's new PID namespace has no
		// PID 1 would become that PID 1 and, exiting, end the
		// namespace: looking must not change what is looked at.
		if strings.Contains(e.link(b, "pid_for_children"), "?") {
			return false, b.Name + "'s new PID namespace has no PID 1 yet, so hood does not start a process there to read its clocks"
		}
		return c.probe(b)
	})
}

func (c *ClockCheck) probe(b *box.Box) (bool, string) {
	p, err := b.RunProbe("clock")
	if err != nil {
		return false, err.Error()
	}
	if p.Fork.Failed() {
		return false, "starting a process in " + b.Name + " failed: " + p.Fork.ErrName()
	}
	inside, _ := strconv.ParseFloat(p.Values[c.Clock], 64)
	host := box.HostClock(c.Clock)
	diff := inside - host
	return diff >= float64(c.Ahead)-1, fmt.Sprintf("a process in %s reads %s %.0f s, hood %.0f s (%+.0f s)", b.Name, c.Clock, inside, host, diff)
}
