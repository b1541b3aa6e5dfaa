package cgroup

import (
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/moby/sys/mountinfo"

	"hood/internal/kernel/procfs"
)

// Hierarchy is one mounted cgroup hierarchy a process belongs to.
type Hierarchy struct {
	ID          int      // hierarchy ID from /proc/PID/cgroup (0 for v2)
	Controllers []string // "cpu","cpuacct" ... ; for a named v1 hierarchy, empty
	Name        string   // "systemd" for "name=systemd", else ""
	Mount       string   // where it is mounted in hood's mount namespace, e.g. /sys/fs/cgroup/memory
	Path        string   // the process's cgroup path in it, e.g. "/" or "/user.slice/..."

	// v2 is unexported so that no code outside the package branches on the
	// version: callers ask Version, Offers or Enabled.
	v2 bool

	// root is the mount's root inside the hierarchy: "/" on a host, but a
	// container runtime without cgroup namespaces bind-mounts only
	// /docker/<id>, and then Path must be read relative to it.
	root string
}

// Label is how hood names the hierarchy to a learner: "memory",
// "cpu,cpuacct", "name=systemd", "v2". It is the middle field of
// /proc/PID/cgroup, so the learner can find it there.
func (h Hierarchy) Label() string {
	if h.v2 {
		return "v2"
	}
	l := slices.Clone(h.Controllers)
	if h.Name != "" {
		l = append(l, "name="+h.Name)
	}
	return strings.Join(l, ",")
}

// Dir is Mount joined with Path (the process's cgroup directory). When the
// mount shows only a subtree (root is not "/"), Path is taken relative to it.
func (h Hierarchy) Dir() string {
	rel := h.Path
	if h.root != "" && h.root != "/" {
		rel = strings.TrimPrefix(h.Path, h.root)
	}
	return filepath.Join(h.Mount, rel)
}

// Hierarchies reads procRoot/PID/cgroup and procRoot/PID/mountinfo (procRoot
// is normally "/proc"; tests pass a fixture tree) and returns every hierarchy
// that is mounted, in /proc/PID/cgroup order. Hierarchies listed in
// /proc/PID/cgroup but not mounted are skipped: hood cannot act on them.
// When a hierarchy is mounted more than once the mount whose root is "/" wins.
func Hierarchies(procRoot string, pid int) ([]Hierarchy, error) {
	proc := procfs.New(procRoot)
	lines, err := proc.Cgroup(pid)
	if err != nil {
		return nil, err
	}
	mounts, err := proc.Mountinfo(pid, mountinfo.FSTypeFilter("cgroup", "cgroup2"))
	if err != nil {
		return nil, err
	}
	var out []Hierarchy
	for _, l := range lines {
		h := hierarchyOf(l)
		if m := mountOf(h, mounts); m != nil {
			h.Mount, h.root = m.Mountpoint, m.Root
			out = append(out, h)
		}
	}
	return out, nil
}

// hierarchyOf is one line of /proc/PID/cgroup (procfs.ParseCgroup), with a
// v1 hierarchy's name ("name=systemd") apart from its controllers.
func hierarchyOf(l procfs.Cgroup) Hierarchy {
	h := Hierarchy{ID: l.ID, Path: l.Path, v2: l.V2()}
	for _, c := range l.Controllers {
		if name, ok := strings.CutPrefix(c, "name="); ok {
			h.Name = name
		} else {
			h.Controllers = append(h.Controllers, c)
		}
	}
	return h
}

// LineLabel is Label for any line of /proc/PID/cgroup, mounted or not, as
// `cgroup show` prints it: the v2 line, whose controllers field is empty,
// shows "(v2)".
func LineLabel(c procfs.Cgroup) string {
	if c.V2() {
		return "(v2)"
	}
	return hierarchyOf(c).Label()
}

// mountOf finds the mount that shows hierarchy h, preferring one of its
// whole tree (root "/"), else one whose root contains the process's cgroup.
// A v1 mount is recognised by its superblock options, which list the
// hierarchy's controllers and name (in any order: "rw,cpuacct,cpu").
func mountOf(h Hierarchy, mounts []*mountinfo.Info) *mountinfo.Info {
	if h.Path != path.Clean(h.Path) {
		return nil // "/../.." : outside our cgroup namespace, no directory for it
	}
	var found *mountinfo.Info
	for _, m := range mounts {
		if !serves(m, h) {
			continue
		}
		if m.Root == "/" {
			return m
		}
		if found == nil && (h.Path == m.Root || strings.HasPrefix(h.Path, m.Root+"/")) {
			found = m
		}
	}
	return found
}

func serves(m *mountinfo.Info, h Hierarchy) bool {
	if h.v2 {
		return m.FSType == "cgroup2"
	}
	if m.FSType != "cgroup" {
		return false
	}
	opts := strings.Split(m.VFSOptions, ",")
	for _, c := range h.Controllers {
		if !slices.Contains(opts, c) {
			return false
		}
	}
	return h.Name == "" || slices.Contains(opts, "name="+h.Name)
}

// Base is where hood makes its hood/ directory in this hierarchy. On v1 it is
// hood's own cgroup, so boxes stay inside whatever limits the invoker is
// under. On v2 a controller reaches a cgroup only if its parent enables it
// in cgroup.subtree_control, and a cgroup with processes in it (hood's own)
// cannot enable any (the no-internal-processes rule); so Base is the deepest
// cgroup from hood's own up to the root whose subtree_control already
// enables the most of Wanted. hood only makes a directory there; it writes
// no file of a cgroup it did not create. Without root, on v2, Base is
// hood's Scope: the cgroup delegated to it, whose subtree_control hood
// sets itself (Delegate).
func (h Hierarchy) Base() string {
	own := h.Dir()
	if !h.v2 {
		return own
	}
	if rootless() {
		return h.Scope()
	}
	best, bestN := own, 0
	for dir := own; ; dir = filepath.Dir(dir) {
		n := 0
		enabled := readWords(dir, "cgroup.subtree_control")
		for _, c := range Wanted {
			if slices.Contains(enabled, c) {
				n++
			}
		}
		if n > bestN {
			best, bestN = dir, n
		}
		if dir == h.Mount || dir == "/" || !strings.HasPrefix(dir, h.Mount) {
			break
		}
	}
	return best
}

// Version is 2 for the unified hierarchy, 1 for a v1 one.
func (h Hierarchy) Version() int {
	if h.v2 {
		return 2
	}
	return 1
}

// Enabled lists the controllers hood's groups get in this hierarchy: on v1
// the ones it mounts, on v2 those its Base hands down in
// cgroup.subtree_control (none: the tree is membership only).
func (h Hierarchy) Enabled() []string { return h.enabledAt(h.Base()) }

// enabledAt is Enabled with Base already found.
func (h Hierarchy) enabledAt(base string) []string {
	if h.v2 {
		return readWords(base, "cgroup.subtree_control")
	}
	return slices.Clone(h.Controllers)
}

// Offers reports whether hood's groups in this hierarchy get the
// controller ctl, named as v2 names it ("io", not "blkio"). The core
// "cgroup" files are offered by every v2 tree.
func (h Hierarchy) Offers(ctl string) bool {
	if h.v2 && ctl == "cgroup" {
		return true
	}
	if !h.v2 {
		ctl = v1Controller(ctl)
	}
	return slices.Contains(h.Enabled(), ctl)
}

// HasV1File reports whether a v1 hierarchy among hs has the file name where
// hood makes its groups (a v1 name a learner types is taken as it is there).
func HasV1File(hs []Hierarchy, name string) bool {
	for _, h := range hs {
		if !h.v2 && has(h.Base(), name) {
			return true
		}
	}
	return false
}
