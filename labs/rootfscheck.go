package labs

import (
	"errors"
	"fmt"
	"os"
	"regexp"

	"hood/internal/box"
	"hood/internal/rootfs"
)

// The root filesystem checks: rootfs, root, detached.

// RootfsCheck: the root filesystem Name is in hood's store (made by rootfs
// make or import), or with Absent, is not.
type RootfsCheck struct {
	Name   string `yaml:"name"`
	Absent bool   `yaml:"absent"`
}

func (c *RootfsCheck) validate() error { return rootfs.CheckName(c.Name) }

func (c *RootfsCheck) eval(*env) (bool, string) {
	st, err := rootfs.Open()
	if err != nil {
		return false, err.Error()
	}
	p, _ := st.Path(c.Name)
	_, err = os.Lstat(p + "/bin/sh")
	switch {
	case c.Absent && err == nil:
		return false, p + " is still there"
	case c.Absent:
		return true, "no root filesystem " + c.Name + " in " + st.Dir
	case err != nil:
		return false, fmt.Sprintf("no %s/bin/sh: %v", p, err)
	}
	return true, fmt.Sprintf("%s holds bin/sh; os-release: %q", p, rootfs.PrettyName(p))
}

// RootCheck: the box's root directory, read through /proc/PID/root, has an
// /etc/os-release matching OSRelease and is not the host's root; with
// SameAsHost, it is the host's root again (same device and inode as hood's).
type RootCheck struct {
	Box        string `yaml:"box"`
	OSRelease  string `yaml:"os_release"`
	SameAsHost bool   `yaml:"same_as_host"`
	re         *regexp.Regexp
}

func (c *RootCheck) validate() (err error) {
	if c.OSRelease == "" && !c.SameAsHost {
		return errors.New("give os_release (a regular expression) or same_as_host")
	}
	c.re, err = regexp.Compile(c.OSRelease)
	return err
}

func (c *RootCheck) eval(e *env) (bool, string) {
	proc := e.s.Proc()
	host, err := proc.RootID(e.s.HoodPID)
	if err != nil {
		return false, err.Error()
	}
	return e.anyBox(c.Box, func(b *box.Box) (bool, string) {
		id, err := proc.RootID(b.PID)
		if err != nil {
			return false, err.Error()
		}
		rel, err := proc.ReadInRoot(b.PID, "/etc/os-release")
		pretty := rootfs.ParseOSRelease(string(rel))["PRETTY_NAME"]
		if err != nil {
			pretty = "(" + err.Error() + ")"
		}
		where := fmt.Sprintf("%s's root is %s (the host's: %s), its os-release says %q", b.Name, id, host, pretty)
		if c.SameAsHost {
			return id == host, where
		}
		return id != host && err == nil && c.re.Match(rel), where
	})
}

// DetachedCheck: the box has its own mount namespace and none of its mounts
// is the host's root mount (the same filesystem and directory): the old
// root is detached, not merely hidden under another root.
type DetachedCheck struct {
	Box string `yaml:"box"`
}

func (c *DetachedCheck) validate() error { return nil }

func (c *DetachedCheck) eval(e *env) (bool, string) {
	proc := e.s.Proc()
	host := proc.MountAt(e.s.HoodPID, "/")
	if host == nil {
		return false, "hood cannot read its own root mount"
	}
	return e.anyBox(c.Box, func(b *box.Box) (bool, string) {
		hl, err := e.s.Links(e.s.HoodPID)
		if err != nil {
			return false, err.Error()
		}
		if e.link(b, "mnt") == hl["mnt"] {
			return false, b.Name + " shares the host's mount namespace"
		}
		ms, err := proc.Mountinfo(b.PID, nil)
		if err != nil {
			return false, err.Error()
		}
		for _, m := range ms {
			if m.Major == host.Major && m.Minor == host.Minor && m.Root == host.Root {
				return false, fmt.Sprintf("%s's mount %d at %s is the host's root (%d:%d %s)", b.Name, m.ID, m.Mountpoint, m.Major, m.Minor, m.Root)
			}
		}
		// Nor may a process of the box hold a directory of the old tree:
		// its root and cwd must be on mounts of the box's table.
		ids := map[uint64]bool{}
		for _, m := range ms {
			ids[uint64(m.ID)] = true
		}
		for _, pid := range append([]int{b.PID}, proc.Descendants(b.PID)...) {
			root, cwd, err := proc.MountIDs(pid)
			if err != nil {
				continue // gone meanwhile
			}
			if !ids[root] || !ids[cwd] {
				return false, fmt.Sprintf("process %d of %s has its root or working directory on a mount outside %s's table (mount IDs %d, %d): it still reaches the old root", pid, b.Name, b.Name, root, cwd)
			}
		}
		return true, fmt.Sprintf("none of %s's %d mounts is the host's root mount (%d:%d %s), and its processes' roots and working directories are all on its own mounts", b.Name, len(ms), host.Major, host.Minor, host.Root)
	})
}
