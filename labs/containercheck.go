package labs

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"hood/internal/box"
	"hood/internal/kernel/procfs"
	"hood/internal/oci"
	"hood/internal/statedir"
)

// The container checks: dev_nodes, bundle, runc.

// DevNodesCheck: every node of Nodes ("null c 1:3") is in the box's /dev
// as the box sees it, a device of that type and those numbers.
type DevNodesCheck struct {
	Box   string   `yaml:"box"`
	Nodes []string `yaml:"nodes"`
	want  []procfs.Node
}

func (c *DevNodesCheck) validate() error {
	if len(c.Nodes) == 0 {
		return errors.New(`nodes lists the devices, as "null c 1:3"`)
	}
	c.want = nil
	for _, n := range c.Nodes {
		var w procfs.Node
		if _, err := fmt.Sscanf(n, "%s %c %d:%d", &w.Name, &w.Type, &w.Major, &w.Minor); err != nil || (w.Type != 'c' && w.Type != 'b') {
			return fmt.Errorf(`node %q: want "NAME c|b MAJOR:MINOR"`, n)
		}
		c.want = append(c.want, w)
	}
	return nil
}

func (c *DevNodesCheck) eval(e *env) (bool, string) {
	return e.anyBox(c.Box, func(b *box.Box) (bool, string) {
		have, err := e.s.Proc().NodesInRoot(b.PID, "/dev")
		if err != nil {
			return false, err.Error()
		}
		var missing []string
		for _, w := range c.want {
			i := slices.IndexFunc(have, func(n procfs.Node) bool { return n.Name == w.Name })
			if i < 0 || have[i].Type != w.Type || have[i].Major != w.Major || have[i].Minor != w.Minor {
				missing = append(missing, fmt.Sprintf("%s %c %d:%d", w.Name, w.Type, w.Major, w.Minor))
			}
		}
		if len(have) > 40 {
			return false, fmt.Sprintf("%s's /dev has %d entries: the host's /dev, not a small one of its own", b.Name, len(have))
		}
		var seen []string
		for _, n := range have {
			seen = append(seen, n.String())
		}
		if len(missing) > 0 {
			return false, fmt.Sprintf("%s's /dev lacks %s (it has: %s)", b.Name, strings.Join(missing, ", "), strings.Join(seen, ", "))
		}
		return true, fmt.Sprintf("%s's /dev holds %s", b.Name, strings.Join(seen, ", "))
	})
}

// BundleCheck: the bundle of rootfs Name has a config.json whose
// root.path is that root filesystem and whose process has no_new_privs.
type BundleCheck struct {
	Name string `yaml:"name"`
}

func (c *BundleCheck) validate() error {
	if c.Name == "" {
		return errors.New("name is the rootfs whose bundle to look at")
	}
	return nil
}

func (c *BundleCheck) eval(e *env) (bool, string) {
	dir, err := bundlePath(c.Name)
	if err != nil {
		return false, err.Error()
	}
	sp, err := oci.Load(dir)
	if err != nil {
		return false, err.Error()
	}
	if sp.Root == nil || sp.Process == nil || sp.Linux == nil {
		return false, dir + "/config.json has no root, process or linux section"
	}
	if _, err := os.Stat(sp.Root.Path + "/bin/sh"); err != nil {
		return false, fmt.Sprintf("root.path %s: %v", sp.Root.Path, err)
	}
	return sp.Process.NoNewPrivileges, fmt.Sprintf("%s/config.json: root.path %s, %d namespaces, noNewPrivileges %v", dir, sp.Root.Path, len(sp.Linux.Namespaces), sp.Process.NoNewPrivileges)
}

// RuncCheck: the runc container of rootfs Name that this hood started
// runs, and with Like, has the effective and bounding capabilities,
// no_new_privs and seccomp mode of that box, and a read-only /proc/sys the
// box lacks (one of runc's steps the hand-made container does not make).
// With Gone: runc knows no such container under hood's --root, and its
// cgroup directories are gone.
type RuncCheck struct {
	Name string `yaml:"name"`
	Like string `yaml:"like"`
	Gone bool   `yaml:"gone"`
}

func (c *RuncCheck) validate() error {
	if c.Name == "" {
		return errors.New("name is the rootfs the container runs from")
	}
	if c.Gone && c.Like != "" {
		return errors.New("gone and like exclude each other")
	}
	return nil
}

func (c *RuncCheck) eval(e *env) (bool, string) {
	if c.Gone {
		return c.gone(e)
	}
	pid := e.s.RuncPID(c.Name)
	if pid == 0 || !e.s.Proc().Alive(pid) {
		return false, "no runc container of " + c.Name + " runs in this hood"
	}
	st, err := e.s.Proc().Status(pid)
	if err != nil {
		return false, err.Error()
	}
	detail := fmt.Sprintf("runc's container runs as PID %d: CapEff %x, Seccomp %d, NoNewPrivs %v", pid, st.CapEff, st.Seccomp, st.NoNewPrivs)
	if c.Like == "" {
		return true, detail
	}
	bs := e.boxes(c.Like)
	if len(bs) == 0 {
		return false, "there is no box named " + c.Like
	}
	bst, err := e.s.Proc().Status(bs[0].PID)
	if err != nil {
		return false, err.Error()
	}
	if bst.CapEff != st.CapEff || bst.CapBnd != st.CapBnd || bst.NoNewPrivs != st.NoNewPrivs || bst.Seccomp != st.Seccomp {
		return false, fmt.Sprintf("%s; %s: CapEff %x, CapBnd %x, Seccomp %d, NoNewPrivs %v", detail, c.Like, bst.CapEff, bst.CapBnd, bst.Seccomp, bst.NoNewPrivs)
	}
	ro := func(pid int) bool {
		m := e.s.Proc().MountAt(pid, "/proc/sys")
		return m != nil && m.Mountpoint == "/proc/sys" && slices.Contains(strings.Split(m.Options, ","), "ro")
	}
	if !ro(pid) || ro(bs[0].PID) {
		return false, fmt.Sprintf("%s; a read-only /proc/sys: runc's %v, %s's %v", detail, ro(pid), c.Like, ro(bs[0].PID))
	}
	return true, detail + "; the same as " + c.Like + "'s, and its /proc/sys is a read-only mount " + c.Like + " lacks"
}

func (c *RuncCheck) gone(e *env) (bool, string) {
	if pid := e.s.RuncPID(c.Name); pid != 0 {
		return false, fmt.Sprintf("the runc container of %s still runs (PID %d)", c.Name, pid)
	}
	id, root, err := e.s.RuncID(c.Name)
	if err != nil {
		return false, err.Error()
	}
	// runc list would make the --root directory, which hood removed:
	// only a directory that is there is asked about.
	if _, err := os.Stat(root); err == nil {
		if bin, err := oci.Find(); err == nil {
			if ids, r := (oci.Runc{Bin: bin, Root: root}).List(); r.Err == nil && slices.Contains(ids, id) {
				return false, fmt.Sprintf("runc --root %s list still shows %s", root, id)
			}
		}
	}
	for _, d := range e.s.RuncCgroupDirs(c.Name) {
		if _, err := os.Stat(d); err == nil {
			return false, d + " is still there"
		}
	}
	return true, fmt.Sprintf("runc knows no %s under %s, and its cgroups are gone", id, root)
}

// bundlePath is the bundle directory of rootfs name.
func bundlePath(name string) (string, error) {
	dir, _, _, err := statedir.Dir()
	if err != nil {
		return "", err
	}
	return oci.BundleDir(dir, name), nil
}
