package doctor

import (
	"fmt"
	"os"
	"path"
	"sort"
	"strings"
	"syscall"

	"github.com/moby/sys/mountinfo"
)

// cgroup reads the layout from /proc/self/mountinfo: cgroup2 at
// /sys/fs/cgroup is v2, cgroup2 beside v1 hierarchies is hybrid, v1 alone is
// v1. The user's delegated subtree is systemd's user@UID.service.
func (m *Machine) cgroup(uid int) Cgroup {
	c := Cgroup{Mode: "none"}
	f, err := os.Open(m.path("/proc/self/mountinfo"))
	if err != nil {
		return c
	}
	defer f.Close()
	mounts, _ := mountinfo.GetMountsFromReader(f, mountinfo.FSTypeFilter("cgroup", "cgroup2"))
	have := map[string]bool{}
	v1, v2 := false, ""
	for _, mi := range mounts {
		if mi.FSType == "cgroup2" {
			if v2 == "" || mi.Mountpoint == "/sys/fs/cgroup" {
				v2 = mi.Mountpoint
			}
			continue
		}
		v1 = true
		for _, o := range strings.Split(mi.VFSOptions, ",") {
			if o != "rw" && o != "ro" && !strings.Contains(o, "=") && o != "clone_children" && o != "noprefix" && o != "xattr" {
				have[o] = true
				c.V1 = append(c.V1, o)
			}
		}
	}
	switch {
	case v2 != "" && !v1:
		c.Mode = "v2"
	case v2 != "":
		c.Mode = "hybrid"
	case v1:
		c.Mode = "v1"
	}
	if v2 != "" {
		c.V2 = strings.Fields(m.readLine(v2 + "/cgroup.controllers"))
		for _, ctl := range c.V2 {
			have[ctl] = true
		}
		dir := fmt.Sprintf("%s/user.slice/user-%d.slice/user@%d.service", v2, uid, uid)
		// The cgroup this process runs in comes first when it is the
		// user's (a Delegate=yes scope, or one chowned by hand): hood
		// makes its groups there (cgroup.Delegate).
		if own := m.ownScope(v2); own != "" && uid != 0 && m.delegatedTo(own, uid) {
			dir = own
		}
		if m.exists(dir) {
			c.DelegatedAt = dir
			// Delegated means the user owns the group and its files:
			// systemd chowns them for Delegate= (user@.service has it).
			if m.delegatedTo(dir, uid) {
				c.Delegated = strings.Fields(m.readLine(dir + "/cgroup.controllers"))
				if c.Delegated == nil {
					c.Delegated = []string{}
				}
			}
		}
	}
	for ctl := range have {
		c.Controllers = append(c.Controllers, ctl)
	}
	sort.Strings(c.Controllers)
	sort.Strings(c.V1)
	return c
}

// owner is a file's uid, -1 when it cannot be read. Probes.Owner stands in
// for fixture trees, whose files a test cannot give to another user.
func (m *Machine) owner(path string) int {
	if m.Probes.Owner != nil {
		return m.Probes.Owner(path)
	}
	fi, err := os.Stat(m.path(path))
	if err != nil {
		return -1
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return int(st.Uid)
	}
	return -1
}

// delegatedTo reports whether uid owns dir and the files a delegate
// writes, cgroup.procs and cgroup.subtree_control.
func (m *Machine) delegatedTo(dir string, uid int) bool {
	return m.owner(dir) == uid && m.owner(dir+"/cgroup.procs") == uid && m.owner(dir+"/cgroup.subtree_control") == uid
}

// ownScope is this process's v2 cgroup below the v2 mount, from
// /proc/self/cgroup ("0::/PATH"); the parent when it is hood's own leaf
// (hood-self, where a hood without root moves itself). "" when unknown.
func (m *Machine) ownScope(v2 string) string {
	b, err := os.ReadFile(m.path("/proc/self/cgroup"))
	if err != nil {
		return ""
	}
	for _, l := range strings.Split(string(b), "\n") {
		if p, ok := strings.CutPrefix(l, "0::"); ok && strings.HasPrefix(p, "/") && p == path.Clean(p) {
			if path.Base(p) == "hood-self" {
				p = path.Dir(p)
			}
			return path.Join(v2, p)
		}
	}
	return ""
}
