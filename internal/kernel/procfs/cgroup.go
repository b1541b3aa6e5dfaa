package procfs

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// Cgroup is one line of /proc/PID/cgroup: the process's cgroup in one
// hierarchy.
type Cgroup struct {
	ID          int      // hierarchy ID, as in /proc/cgroups; 0 for v2
	Controllers []string // as listed: "cpu", "cpuacct", "name=systemd"; none for v2
	Path        string   // from the hierarchy's root, or the cgroup namespace's
}

// V2 reports whether the line is the unified (v2) hierarchy's.
func (c Cgroup) V2() bool { return c.ID == 0 }

// Cgroup reads and parses /proc/PID/cgroup.
func (fs FS) Cgroup(pid int) ([]Cgroup, error) { return parse(fs, pid, "cgroup", ParseCgroup) }

// ParseCgroup parses /proc/PID/cgroup, one line per hierarchy (cgroups(7)):
//
//	4:cpu,cpuacct:/user.slice/user-1000.slice/session-2.scope
//	│ │           └ (3) cgroup path, from the hierarchy's (or cgroup namespace's) root
//	│ └ (2) controllers bound to the hierarchy, comma-separated;
//	│       "name=systemd" for a named v1 hierarchy; empty for v2
//	└ (1) hierarchy ID, as in /proc/cgroups; 0 for v2
//
// The v2 line is therefore "0::/path". The path may itself contain ':'.
// A file with no line is an error: every process is in some hierarchy.
func ParseCgroup(r io.Reader) ([]Cgroup, error) {
	var cs []Cgroup
	sc := bufio.NewScanner(io.LimitReader(r, maxFile))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		f := strings.SplitN(line, ":", 3)
		if len(f) != 3 {
			return nil, fmt.Errorf("line %d %q: want ID:controllers:path", n, line)
		}
		id, err := strconv.Atoi(f[0])
		if err != nil || id < 0 {
			return nil, fmt.Errorf("line %d %q: bad hierarchy ID %q", n, line, f[0])
		}
		if !strings.HasPrefix(f[2], "/") {
			return nil, fmt.Errorf("line %d %q: cgroup path %q is not absolute", n, line, f[2])
		}
		c := Cgroup{ID: id, Path: f[2]}
		if f[1] != "" {
			c.Controllers = strings.Split(f[1], ",")
		}
		if slices.Contains(c.Controllers, "") {
			return nil, fmt.Errorf("line %d %q: empty controller name", n, line)
		}
		if c.V2() != (f[1] == "") {
			return nil, fmt.Errorf("line %d %q: hierarchy 0 (v2) and only it has no controller list", n, line)
		}
		cs = append(cs, c)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(cs) == 0 {
		return nil, fmt.Errorf("no hierarchies listed")
	}
	return cs, nil
}
