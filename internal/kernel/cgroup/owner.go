package cgroup

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"hood/internal/kernel/call"
	"hood/internal/kernel/procfs"
)

// CleanupStale removes empty directories hood/* (and hood itself when empty
// and, as for hood/*, older than minAge) left behind by a hood that was
// killed, below hood's own cgroup in every
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
			switch owner, _ := ownerOf(hs, e.Name()); {
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
			switch err := rmdirOwn(dir); {
			case err == nil:
				removed = append(removed, dir)
			case !errors.Is(err, unix.EBUSY) && !errors.Is(err, unix.ENOENT): // EBUSY: a process moved in just now
				errs = append(errs, err)
			}
		}

		if young(parent, minAge) {
			// Another hood may have made it just now and be about to
			// fill it in (cpuset.cpus, cpuset.mems) or make its group.
			continue
		}
		switch err := rmdirOwn(parent); {
		case err == nil:
			removed = append(removed, parent)
		case !errors.Is(err, unix.EBUSY) && !errors.Is(err, unix.ENOTEMPTY) && !errors.Is(err, unix.ENOENT):
			errs = append(errs, err)
		}
	}
	return removed, errors.Join(errs...)
}

// rmdirOwn removes a leftover cgroup directory as hood's narrated rmdirs
// do (no `..`, no link on the way: call.RmdirOwn); cleanup narrates the
// list of what it removed, not the calls.
func rmdirOwn(dir string) error {
	_, err := call.RmdirOwn("hood", os.Getpid(), dir)
	return err
}

// inUse reports whether dir holds processes or child cgroups. A missing dir
// is not in use.
func inUse(dir string) (bool, error) {
	child, err := HasChild(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil || child {
		return child, err
	}
	pids, err := readProcs(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return len(pids) > 0, err
}

// HasChild reports whether the cgroup dir has a child cgroup.
func HasChild(dir string) (bool, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false, wrap("read "+dir, err)
	}
	for _, e := range entries {
		if e.IsDir() {
			return true, nil
		}
	}
	return false, nil
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

// userOwnerAttr is the mark a hood without root sets, in a delegated v2
// subtree: trusted.* takes CAP_SYS_ADMIN in the host's user namespace,
// user.* only ownership of the directory (cgroup v2 takes user xattrs
// since Linux 5.7).
const userOwnerAttr = "user.hood.owner"

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
		if unix.Setxattr(dir, ownerAttr, []byte(t), 0) != nil {
			_ = unix.Setxattr(dir, userOwnerAttr, []byte(t), 0)
		}
	}
}

const (
	ownerUnknown = iota
	ownerAlive
	ownerDead
)

// markOf is the owner mark on dir; "" when it has none (or the filesystem
// takes no extended attributes).
func markOf(dir string) string {
	buf := make([]byte, 64)
	for _, attr := range []string{ownerAttr, userOwnerAttr} {
		if n, err := unix.Getxattr(dir, attr, buf); err == nil && n > 0 {
			return string(buf[:n])
		}
	}
	return ""
}

// MarkOf is the owner mark on the group directory dir, "" when it has
// none (or its filesystem takes no extended attributes).
func MarkOf(dir string) string { return markOf(dir) }

// ownerOf looks for the owner mark of group name in any hierarchy (the v2
// tree always takes extended attributes) and says whether that hood lives;
// mark is the mark found.
func ownerOf(hs []Hierarchy, name string) (owner int, mark string) {
	for _, h := range hs {
		t := markOf(filepath.Join(h.Base(), parentDir, name))
		if t == "" {
			continue
		}
		if !Gone(t) {
			return ownerAlive, t
		}
		return ownerDead, t
	}
	return ownerUnknown, ""
}

// Owned lists the groups under hood/ in hs that carry the owner mark of
// hoodPID: what that hood has made and not yet removed. Tests use it to
// check that a session left nothing, whatever other hoods do meanwhile.
func Owned(hs []Hierarchy, hoodPID int) []string {
	t := token(hoodPID)
	if t == "" {
		return nil
	}
	var out []string
	for _, h := range hs {
		parent := filepath.Join(h.Base(), parentDir)
		entries, _ := os.ReadDir(parent)
		for _, e := range entries {
			if dir := filepath.Join(parent, e.Name()); markOf(dir) == t {
				out = append(out, dir)
			}
		}
	}
	return out
}

// Token is the owner mark of the hood with PID pid, "PID:STARTTIME", for
// other things hood makes outside its boxes (named network namespaces).
func Token(pid int) string { return token(pid) }

// Gone reports whether the hood a mark names has ended: its PID is free,
// now another process's (another start time), or a zombie (killed, and
// not yet reaped: an init that does not reap keeps it so for good).
func Gone(mark string) bool {
	pid, _, _ := strings.Cut(mark, ":")
	p, err := strconv.Atoi(pid)
	if err != nil || token(p) != mark {
		return true
	}
	st, err := procfs.Host.Stat(p)
	return err != nil || st.State.Dead()
}
