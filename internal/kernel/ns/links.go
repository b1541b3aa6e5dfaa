package ns

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"

	"hood/internal/kernel/procfs"
)

// Link is one entry of /proc/PID/ns: which namespace of one type a process
// is in (or, for a *_for_children link, which one its next children get).
type Link struct {
	Name  string // link name: "uts", "pid_for_children"
	Type  string // namespace type: "pid" for both "pid" and "pid_for_children"
	Inode uint64 // the namespace's inode on nsfs; two processes share a namespace when these match
	Err   error  // set when the link exists but could not be read (EACCES for pid 1, say)
}

// ReadInode reads one link, procRoot/PID/ns/LINK, and returns the inode of
// the namespace it names (see procfs.FS.NS). procRoot is "/proc" except in
// tests.
func ReadInode(procRoot string, pid int, link string) (uint64, error) {
	l, err := procfs.New(procRoot).NS(pid, link)
	return l.Inode, err
}

// Show reads every namespace link of one process: each type of Types in
// order, each followed by its *_for_children link if it has one. A link the
// kernel does not have (no time namespaces before Linux 5.6) is left out; a
// link that exists but cannot be read is returned with Err set, because
// "you may not look" is worth showing a learner. If the process does not
// exist the error wraps os.ErrNotExist.
func Show(procRoot string, pid int) ([]Link, error) {
	dir := procfs.New(procRoot).Path(pid, "ns")
	// Look at the directory first: a missing link and a missing process
	// both read as ENOENT, and only the second is an error.
	if _, err := os.Stat(dir); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("pid %d: no such process: %w", pid, err)
		}
		return nil, fmt.Errorf("pid %d: %w", pid, err)
	}
	links := make([]Link, 0, 2*len(Types))
	missing := 0
	for _, t := range Types {
		for _, name := range []string{t.Name, t.ForChildren} {
			if name == "" {
				continue
			}
			inode, err := ReadInode(procRoot, pid, name)
			if errors.Is(err, unix.ENOENT) {
				missing++
				continue
			}
			links = append(links, Link{Name: name, Type: t.Name, Inode: inode, Err: err})
		}
	}
	if len(links) == 0 && missing > 0 {
		// The process exited and was reaped between the Stat and the
		// links. (A zombie still has its user and pid links.)
		return nil, fmt.Errorf("pid %d: no such process: %w", pid, os.ErrNotExist)
	}
	return links, nil
}
