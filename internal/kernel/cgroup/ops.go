package cgroup

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/sys/unix"

	"hood/internal/journal"
	"hood/internal/kernel/call"
)

// ops records the calls made, in order, for narration. Every cgroup
// directory and file hood makes or writes goes through it.
type ops []Op

// mkdir makes a cgroup directory, journaled first (internal/journal).
// mkdir and rmdir are made relative to the parent directory, opened with
// RESOLVE_NO_SYMLINKS after a check for `..` (call.MkdirOwn): a name can
// never take hood outside the cgroups it made.
func (o *ops) mkdir(dir string) error {
	journal.Will(journal.Cgroup, dir)
	calls, err := call.MkdirOwn("hood", os.Getpid(), dir, 0o755)
	*o = append(*o, calls...)
	if err != nil {
		journal.Done(journal.Cgroup, dir)
	} else {
		journal.Made(journal.Cgroup, dir, journal.InodeOf(dir))
	}
	return err
}

func (o *ops) rmdir(dir string) error {
	calls, err := rmdir(dir)
	*o = append(*o, calls...)
	return err
}

// rmdir removes a cgroup directory hood made; once it is gone (ENOENT:
// another hood's cleanup took it), the journal says so.
func rmdir(dir string) ([]Op, error) {
	calls, err := call.RmdirOwn("hood", os.Getpid(), dir)
	if err == nil || errors.Is(err, unix.ENOENT) {
		journal.Done(journal.Cgroup, dir)
	}
	return calls, err
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
