package cgroup

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"hood/internal/kernel/call"
)

// parentDir is the one directory hood makes below its own cgroup; every box's
// group lives in it, so hood never touches a cgroup it did not create.
const parentDir = "hood"

// Op is one system call hood made on the cgroup filesystem, for narration.
type Op = call.Call

// Group is a box's cgroup: one directory per hierarchy, all named
// hood/<name> below the cgroup that hood itself runs in.
type Group struct {
	Box  string   // the box's name; the directories are <Box>, or <Box>.<hoodPID> if that was in use
	Dirs []string // absolute directories, one per hierarchy, same order as Hier
	Hier []Hierarchy
}

// NewGroup creates hood/<box> below hood's own cgroup (hs are the
// hierarchies of hoodPID) in every hierarchy in hs. If hood/<box> is in use
// by another hood, or is a dead hood's leftover, the name is <box>.<hoodPID>;
// an empty unmarked one is reused.
// On failure it removes what it created and returns an error naming the
// directory and errno, along with every op including the undo.
func NewGroup(hs []Hierarchy, box string, hoodPID int) (*Group, []Op, error) {
	if box == "" || box == "." || box == ".." || strings.ContainsAny(box, "/\x00") {
		return nil, nil, fmt.Errorf("cgroup: bad box name %q", box)
	}
	if len(hs) == 0 {
		return nil, nil, errors.New("cgroup: no cgroup hierarchy is mounted")
	}
	name := box
	// Another running hood's group, even an empty one, is not ours to take:
	// it may be about to put its box there, and would remove it when done.
	owner, mark := ownerOf(hs, box)
	// A dead hood's group, left empty, is not taken over either: the
	// cleanup of another hood starting now may remove it under our box
	// (it carries the dead hood's mark). It goes to that cleanup.
	taken := owner == ownerAlive && mark != token(hoodPID) || owner == ownerDead
	for _, h := range hs {
		busy, err := inUse(filepath.Join(h.Base(), parentDir, box))
		if err != nil {
			return nil, nil, err
		}
		if busy || taken {
			name = fmt.Sprintf("%s.%d", box, hoodPID)
			break
		}
	}

	var o ops
	var made []string // what this call created, undone in reverse on failure
	g := &Group{Box: box, Hier: hs}
	for _, h := range hs {
		parent := filepath.Join(h.Base(), parentDir)
		dir := filepath.Join(parent, name)
		// Another hood leaving may remove the shared hood/ parent the moment
		// it is empty, between our mkdir of it and of our group: then make
		// it again (ENOENT), a few times.
		for try := 0; ; try++ {
			err := g.makeIn(&o, &made, h, parent, dir, hoodPID)
			if err == nil {
				break
			}
			if _, serr := os.Stat(h.Base()); errors.Is(err, unix.ENOENT) && serr == nil && try < 5 {
				continue // the hierarchy is there: only hood/ went
			}
			for _, m := range slices.Backward(made) {
				o.rmdir(m)
			}
			return nil, o, err
		}
		g.Dirs = append(g.Dirs, dir)
	}
	return g, o, nil
}

// makeIn makes parent (hood/) and dir (hood/NAME) in one hierarchy.
func (g *Group) makeIn(o *ops, made *[]string, h Hierarchy, parent, dir string, hoodPID int) error {
	{
		for _, d := range []string{parent, dir} {
			created, err := o.ensureDir(d)
			if created {
				*made = append(*made, d)
				if d == dir {
					markOwner(d, hoodPID)
				}
			}
			if err == nil && h.v2 && d == parent {
				// The boxes get every controller hood/ is offered: hood/
				// holds no process itself, so the no-internal-processes
				// rule allows it.
				err = o.enableControllers(parent)
			}
			if err == nil && !h.v2 && slices.Contains(h.Controllers, "cpuset") {
				err = o.fillCpuset(d)
			}
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// Attach moves pid into the group in every hierarchy by writing its PID to
// cgroup.procs (v1 and v2 both have it). It stops at the first refusal.
func (g *Group) Attach(pid int) ([]Op, error) {
	var o ops
	for _, dir := range g.Dirs {
		if err := o.write(dir, "cgroup.procs", strconv.Itoa(pid)); err != nil {
			return o, err
		}
	}
	return o, nil
}

// MoveThread writes tid to tasks in each of the group's v1 hierarchies, one
// narrated write each: tasks moves one thread, cgroup.procs a whole
// process. v2 has no tasks file; its tree is left as it was, and skipped
// names the hierarchies so left. It stops at the first refusal.
func (g *Group) MoveThread(tid int) (o []Op, skipped []string, err error) {
	var w ops
	for i, h := range g.Hier {
		if h.v2 {
			skipped = append(skipped, h.Label())
			continue
		}
		if err := w.write(g.Dirs[i], "tasks", strconv.Itoa(tid)); err != nil {
			return w, skipped, err
		}
	}
	return w, skipped, nil
}

// Remove removes the group's directories, then the hood parent if it is now
// empty (EBUSY/ENOTEMPTY there mean another hood's box; that is fine). Call
// it after the group's processes have exited: rmdir answers EBUSY until the
// kernel has freed the cgroup, a little after the last process is reaped, so
// it retries, for up to a second in all. A directory already gone is not an
// error (another hood's CleanupStale may have taken it).
func (g *Group) Remove() ([]Op, error) {
	var o ops
	var errs []error
	deadline := time.Now().Add(time.Second)
	for _, dir := range g.Dirs {
		err := o.rmdir(dir)
		for errors.Is(err, unix.EBUSY) && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
			var calls []Op
			calls, err = rmdir(dir)
			if !errors.Is(err, unix.EBUSY) {
				o = append(o, calls...) // the retry that settled it
			}
		}
		if err != nil && !errors.Is(err, unix.ENOENT) {
			errs = append(errs, err)
		}
		parent := filepath.Dir(dir)
		if err := o.rmdir(parent); err != nil && !errors.Is(err, unix.EBUSY) &&
			!errors.Is(err, unix.ENOTEMPTY) && !errors.Is(err, unix.ENOENT) {
			errs = append(errs, err)
		}
	}
	return o, errors.Join(errs...)
}

// Procs returns the PIDs listed in cgroup.procs of the group's directory in
// hierarchy i.
func (g *Group) Procs(i int) ([]int, error) {
	if i < 0 || i >= len(g.Dirs) {
		return nil, fmt.Errorf("cgroup: group %s has no hierarchy %d", g.Box, i)
	}
	return readProcs(g.Dirs[i])
}
