package commands

import (
	"fmt"
	"strconv"
	"strings"

	"hood/internal/kernel/netns"
	"hood/internal/result"
)

// target is a process named on the command line: a box, host, self or PID.
type target struct {
	Label string // "box1", "host", "pid 4242"
	PID   int
}

// resolve turns a word into a process. host is hood's own process, which
// stays in the namespaces hood was started in; self is the current box.
func (s *Session) resolve(word string) (target, error) {
	switch word {
	case "host":
		return target{"host", s.HoodPID}, nil
	case "self":
		b, err := s.box()
		if err != nil {
			return target{}, err
		}
		return target{b.Name, b.PID}, nil
	}
	if b := s.find(word); b != nil {
		return target{b.Name, b.PID}, nil
	}
	if t, ok, err := s.runcTarget(word); ok {
		return t, err
	}
	if pid, err := strconv.Atoi(word); err == nil {
		if pid <= 0 {
			return target{}, &result.UsageError{Msg: fmt.Sprintf("%q is not a PID: PIDs are positive numbers", word)}
		}
		if !s.Proc().Exists(pid) {
			return target{}, &result.UsageError{Msg: fmt.Sprintf("no process with PID %d (it may have exited); `ns ls` lists processes that hold namespaces", pid)}
		}
		return target{fmt.Sprintf("pid %d", pid), pid}, nil
	}
	known := append([]string{"host", "self"}, s.BoxNames()...)
	return target{}, &result.UsageError{Msg: fmt.Sprintf("unknown target %q: expected a box (%s) or a PID", word, strings.Join(known, ", "))}
}

// namedNet is /run/netns/NAME when word is no box, host, self or PID but
// a name there (ip netns add, net ns add): `enter NAME net` joins it.
func (s *Session) namedNet(word string) (string, bool) {
	if word == "host" || word == "self" || s.find(word) != nil {
		return "", false
	}
	if _, err := strconv.Atoi(word); err == nil {
		return "", false
	}
	if !netns.Exists(word) {
		return "", false
	}
	return netns.Path(word), true
}

// optionalTarget resolves the one optional TARGET of a command whose
// usage is usage: the current box ("self") when none is given.
func (s *Session) optionalTarget(usage string, words []string) (target, error) {
	if len(words) > 1 {
		return target{}, result.Usagef(usage, "one target at a time")
	}
	word := "self"
	if len(words) == 1 {
		word = words[0]
	}
	return s.resolve(word)
}
