package cgroup

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"hood/internal/kernel/call"
	"hood/internal/kernel/procfs"
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
// by another hood the name is <box>.<hoodPID>; an empty leftover is reused.
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
	taken := ownerOf(hs, box) == ownerAlive && !ownedBy(hs, box, hoodPID)
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
			var c Op
			c, err = call.Rmdir("hood", os.Getpid(), dir)
			if !errors.Is(err, unix.EBUSY) {
				o = append(o, c) // the retry that settled it
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

// CleanupStale removes empty directories hood/* (and hood itself when empty)
// left behind by a hood that was killed, below hood's own cgroup in every
// hierarchy in hs. A directory with processes or child cgroups is left
// alone: it belongs to a running hood. Returns the removed directories.
func CleanupStale(hs []Hierarchy, minAge time.Duration) ([]string, error) {
	var removed []string
	var errs []error
	for _, h := range hs {
		parent := filepath.Join(h.Base(), parentDir)
		entries, err := os.ReadDir(parent)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			errs = append(errs, wrap("read "+parent, err))
			continue
		}
		for _, e := range entries {
			if !e.IsDir() {
				continue // the cgroup's own files
			}
			dir := filepath.Join(parent, e.Name())
			switch owner := ownerOf(hs, e.Name()); {
			case owner == ownerAlive:
				continue // a running hood's group, empty for now (cgroup new)
			case owner == ownerUnknown && young(dir, minAge):
				continue // another hood may have made it just now, to attach to it
			}
			busy, err := inUse(dir)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			if busy {
				continue
			}
			switch err := unix.Rmdir(dir); {
			case err == nil:
				removed = append(removed, dir)
			case err != unix.EBUSY && err != unix.ENOENT: // EBUSY: a process moved in just now
				errs = append(errs, wrap("rmdir "+dir, err))
			}
		}

		switch err := unix.Rmdir(parent); {
		case err == nil:
			removed = append(removed, parent)
		case err != unix.EBUSY && err != unix.ENOTEMPTY && err != unix.ENOENT:
			errs = append(errs, wrap("rmdir "+parent, err))
		}
	}
	return removed, errors.Join(errs...)
}

// inUse reports whether dir holds processes or child cgroups. A missing dir
// is not in use.
func inUse(dir string) (bool, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, wrap("read "+dir, err)
	}
	for _, e := range entries {
		if e.IsDir() {
			return true, nil
		}
	}
	pids, err := readProcs(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return len(pids) > 0, err
}

// ops records the calls made, in order, for narration. Every cgroup
// directory and file hood makes or writes goes through it.
type ops []Op

func (o *ops) mkdir(dir string) error {
	c, err := call.Mkdir("hood", os.Getpid(), dir, 0o755)
	*o = append(*o, c)
	return err
}

func (o *ops) rmdir(dir string) error {
	c, err := call.Rmdir("hood", os.Getpid(), dir)
	*o = append(*o, c)
	return err
}

// write writes val to the file name of dir, through WriteFile.
func (o *ops) write(dir, name, val string) error {
	calls, err := WriteFile(dir, name, val)
	*o = append(*o, calls...)
	return err
}

// ensureDir makes dir unless it is already there; created says whether this
// call made it. EEXIST from a racing hood counts as there.
func (o *ops) ensureDir(dir string) (created bool, err error) {
	if st, err := os.Stat(dir); err == nil && st.IsDir() {
		return false, nil
	}
	err = o.mkdir(dir)
	if errors.Is(err, unix.EEXIST) {
		if st, serr := os.Stat(dir); serr == nil && st.IsDir() {
			return false, nil
		}
	}
	return err == nil, err
}

// fillCpuset copies cpuset.cpus and cpuset.mems from the parent into a v1
// cpuset cgroup that has none: a new v1 cpuset starts empty (unless the
// parent sets cgroup.clone_children), and the kernel refuses to attach a
// process to it with ENOSPC. v2 cpusets inherit, so only v1 needs this.
func (o *ops) fillCpuset(dir string) error {
	for _, name := range []string{"cpuset.cpus", "cpuset.mems"} {
		cur, err := ReadFile(dir, name)
		if err != nil {
			return err
		}
		if strings.TrimSpace(cur) != "" {
			continue
		}
		val, err := ReadFile(filepath.Dir(dir), name)
		if err != nil {
			return err
		}
		if err := o.write(dir, name, strings.TrimSpace(val)); err != nil {
			return err
		}
	}
	return nil
}

// Wanted are the v2 controllers hood enables for its boxes when offered.
var Wanted = []string{"cpu", "memory", "io", "pids", "cpuset"}

// enableControllers writes "+cpu +memory ..." to dir/cgroup.subtree_control
// for those of Wanted that dir's cgroup.controllers offers and that are not
// enabled yet.
func (o *ops) enableControllers(dir string) error {
	offered := readWords(dir, "cgroup.controllers")
	enabled := readWords(dir, "cgroup.subtree_control")
	var add []string
	for _, c := range Wanted {
		if slices.Contains(offered, c) && !slices.Contains(enabled, c) {
			add = append(add, "+"+c)
		}
	}
	if len(add) == 0 {
		return nil
	}
	return o.write(dir, "cgroup.subtree_control", strings.Join(add, " "))
}

// StaleAge is how old an empty group must be before hood's start-up
// cleanup takes it: a running hood creates a group and attaches its box a
// moment later, and in that moment the group is empty but not stale.
// `hood cleanup`, asked for by hand, passes 0.
const StaleAge = 30 * time.Second

// young reports whether dir was made less than age ago (a cgroup
// directory's mtime is when it was made).
func young(dir string, age time.Duration) bool {
	if age <= 0 {
		return false
	}
	st, err := os.Stat(dir)
	return err == nil && time.Since(st.ModTime()) < age
}

// Groups carry their hood's identity in an extended attribute, so that a
// hood starting up can tell a leftover of a hood that was killed from the
// group of a hood that is running (an empty one, made by cgroup new, or
// made a moment ago and about to get its box).
const ownerAttr = "trusted.hood.owner"

// token is "PID:STARTTIME": a PID alone could be reused.
func token(pid int) string {
	st, err := procfs.Host.Stat(pid)
	if err != nil {
		return ""
	}
	return fmt.Sprintf("%d:%d", pid, st.StartTime)
}

// markOwner records the hood owning dir; where the filesystem takes no
// extended attributes, the age rule of CleanupStale applies instead.
func markOwner(dir string, hoodPID int) {
	if t := token(hoodPID); t != "" {
		_ = unix.Setxattr(dir, ownerAttr, []byte(t), 0)
	}
}

const (
	ownerUnknown = iota
	ownerAlive
	ownerDead
)

// ownerOf looks for the owner mark of group name in any hierarchy (the v2
// tree always takes extended attributes) and says whether that hood lives.
func ownerOf(hs []Hierarchy, name string) int {
	for _, h := range hs {
		buf := make([]byte, 64)
		n, err := unix.Getxattr(filepath.Join(h.Base(), parentDir, name), ownerAttr, buf)
		if err != nil || n <= 0 {
			continue
		}
		t := string(buf[:n])
		pid, _, _ := strings.Cut(t, ":")
		p, err := strconv.Atoi(pid)
		if err == nil && token(p) == t {
			return ownerAlive
		}
		return ownerDead
	}
	return ownerUnknown
}

// Owned lists the groups under hood/ in hs that carry the owner mark of
// hoodPID: what that hood has made and not yet removed. Tests use it to
// check that a session left nothing, whatever other hoods do meanwhile.
func Owned(hs []Hierarchy, hoodPID int) []string {
	t := token(hoodPID)
	var out []string
	for _, h := range hs {
		parent := filepath.Join(h.Base(), parentDir)
		entries, _ := os.ReadDir(parent)
		for _, e := range entries {
			dir := filepath.Join(parent, e.Name())
			buf := make([]byte, 64)
			if n, err := unix.Getxattr(dir, ownerAttr, buf); err == nil && t != "" && string(buf[:n]) == t {
				out = append(out, dir)
			}
		}
	}
	return out
}

// ownedBy reports whether group name carries hoodPID's owner mark.
func ownedBy(hs []Hierarchy, name string, hoodPID int) bool {
	t := token(hoodPID)
	for _, h := range hs {
		buf := make([]byte, 64)
		if n, err := unix.Getxattr(filepath.Join(h.Base(), parentDir, name), ownerAttr, buf); err == nil && t != "" && string(buf[:n]) == t {
			return true
		}
	}
	return false
}
