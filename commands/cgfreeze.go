package commands

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"hood/internal/box"
	"hood/internal/kernel/call"
	"hood/internal/kernel/cgroup"
	"hood/internal/result"
)

func cgroupFreeze(s *Session, args []string) (*result.Result, error) {
	return freezeOrKill(s, "cgroup freeze [GROUP]", args, "cgroup.freeze", "1",
		"Every process in %s is frozen: it stays in memory, takes no CPU and does not run until thawed (cgroup.events shows frozen 1).")
}

func cgroupThaw(s *Session, args []string) (*result.Result, error) {
	return freezeOrKill(s, "cgroup thaw [GROUP]", args, "cgroup.freeze", "0",
		"The processes of %s run again from where they stopped.")
}

func cgroupKill(s *Session, args []string) (*result.Result, error) {
	return freezeOrKill(s, "cgroup kill [GROUP]", args, "cgroup.kill", "1",
		"Every process in %s got SIGKILL from the kernel at once, including any forked while it happened.")
}

func freezeOrKill(s *Session, usage string, args []string, file, value, meaning string) (*result.Result, error) {
	name, err := optionalGroup(usage, args)
	if err != nil {
		return nil, err
	}
	// A box is in its own group, as a container's init is in the
	// container's: freezing the group freezes the box too (hood then
	// refuses commands that need it until thawed), and killing the group
	// ends the box.
	r, g, label, err := s.groupResult(name)
	if err != nil {
		return r, err
	}
	members := s.boxesIn(g)
	from := len(r.Syscalls)
	if err := setFile(r, g, file, value); err != nil {
		return r, err
	}
	if file == "cgroup.freeze" {
		// Freezing completes asynchronously: cgroup.events says frozen
		// once every task has stopped. Wait for it (briefly) so that
		// what hood reports is what is true.
		want := "frozen " + value
		for t0 := time.Now(); time.Since(t0) < 2*time.Second; time.Sleep(10 * time.Millisecond) {
			if ev, _, err := g.Get("cgroup.events"); err != nil || strings.Contains(ev, want) {
				break
			}
		}
	}
	for _, b := range members {
		if file == "cgroup.freeze" {
			b.SetFrozen(value == "1")
			continue
		}
		// The box died with its group: reap it and forget it.
		s.removeBox(b)
		r.Say(b.Name, "was in the group and is gone too; the current box is now %s", s.currentName())
	}
	if ev, _, err := g.Get("cgroup.events"); err == nil {
		r.Say("events", "%s", oneLine(ev))
	}
	r.Shell = call.Shells(r.Syscalls[from:])
	r.Meaning = fmt.Sprintf(meaning, label)
	return r, nil
}

// removeBox reaps a box that is gone (or kills it), drops its group and
// forgets it.
func (s *Session) removeBox(b *box.Box) {
	s.thaw(b)
	_ = b.Kill()
	s.dropGroup(b.Name)
	for i, x := range s.Boxes {
		if x == b {
			s.Boxes = append(s.Boxes[:i], s.Boxes[i+1:]...)
			break
		}
	}
	if s.Current == b {
		s.Current = nil
		if len(s.Boxes) > 0 {
			s.Current = s.Boxes[len(s.Boxes)-1]
		}
	}
}

func (s *Session) currentName() string {
	if s.Current == nil {
		return "none (`box new` starts one)"
	}
	return s.Current.Name
}

// dropGroup removes a group, if there is one by that name, once its
// processes are gone.
func (s *Session) dropGroup(name string) {
	if g := s.groups[name]; g != nil {
		_, _ = g.Remove()
		delete(s.groups, name)
	}
}

// boxesIn lists the boxes whose process is in group g.
func (s *Session) boxesIn(g *cgroup.Group) []*box.Box {
	var out []*box.Box
	for i := range g.Dirs {
		pids, err := g.Procs(i)
		if err != nil {
			continue
		}
		for _, b := range s.Boxes {
			if slices.Contains(pids, b.PID) && !slices.Contains(out, b) {
				out = append(out, b)
			}
		}
		break
	}
	return out
}

// thaw thaws the groups that hold a frozen box, so that it can answer and
// die (a v1 frozen process does not act on SIGKILL until thawed).
func (s *Session) thaw(b *box.Box) {
	if !b.Frozen() {
		return
	}
	for _, g := range s.groups {
		if slices.Contains(s.boxesIn(g), b) {
			_, _, _ = g.Set("cgroup.freeze", "0")
			for _, m := range s.boxesIn(g) {
				m.SetFrozen(false)
			}
		}
	}
	b.SetFrozen(false)
}
