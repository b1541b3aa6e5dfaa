package commands

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"

	"hood/internal/kernel/cgroup"
	"hood/internal/result"
)

func init() {
	register(
		&Command{UsageLine: "cgroup attach [BOX]", Short: "put a box (the current one by default) in a cgroup of its own, hood/BOX, in every hierarchy",
			Long: `hood creates hood/BOX below the cgroup hood itself runs in, in every
mounted hierarchy (each v1 controller's tree, and the v2 tree), and writes
the box's PID to cgroup.procs there. Programs the box starts later are born
in it. The group is removed when the box ends.`,
			Args: []Arg{ArgBox}, Run: cgroupAttach},
		&Command{UsageLine: "cgroup show [TARGET]", Short: "a box's or PID's cgroups, from /proc/PID/cgroup: as the host sees them and as the box itself does",
			Args: []Arg{ArgTarget}, Run: cgroupShow},
	)
}

// hierarchies are hood's own cgroup hierarchies, read once per session.
func (s *Session) hierarchies() ([]cgroup.Hierarchy, error) {
	if s.hier == nil {
		hs, err := cgroup.Hierarchies(s.ProcRoot, s.HoodPID)
		if err != nil {
			return nil, err
		}
		if len(hs) == 0 {
			return nil, errors.New("no cgroup hierarchy is mounted (nothing under /sys/fs/cgroup): hood cannot make cgroups on this machine")
		}
		s.hier = hs
	}
	return s.hier, nil
}

func cgroupAttach(s *Session, args []string) (*result.Result, error) {
	b, err := s.namedBox("cgroup attach [BOX]", args, true)
	if err != nil {
		return nil, err
	}
	if s.groups[b.Name] != nil {
		return nil, &result.UsageError{Msg: fmt.Sprintf("%s is already in its group (%s); `cgroup show %s` shows it", b.Name, s.groups[b.Name].Dirs[0], b.Name)}
	}
	hs, err := s.hierarchies()
	if err != nil {
		return nil, err
	}
	r := &result.Result{}
	g, ops, err := cgroup.NewGroup(hs, b.Name, s.HoodPID)
	addOps(r, ops)
	if err != nil {
		return r, cgroupErr(err)
	}
	if s.groups == nil {
		s.groups = map[string]*cgroup.Group{}
	}
	s.groups[b.Name] = g
	ops, err = g.Attach(b.PID)
	addOps(r, ops)
	if err != nil {
		return r, cgroupErr(err)
	}
	r.Changes = append(r.Changes, result.Change{Path: fmt.Sprintf("%s/%d/cgroup", s.ProcRoot, b.PID), Before: "hood's own cgroups", After: "hood/" + lastElem(g.Dirs[0]) + " in each of the " + fmt.Sprint(len(g.Dirs)) + " hierarchies"})
	r.Shell = fmt.Sprintf("mkdir %s && echo %d > %s/cgroup.procs  # and so on for each hierarchy", g.Dirs[0], b.PID, g.Dirs[0])
	r.Meaning = fmt.Sprintf("%s now sits in a cgroup of its own, in every hierarchy; what it starts is born there. Its namespaces did not change: a cgroup is where the kernel accounts and limits, not what a process can see.", b.Name)
	return r, nil
}

func lastElem(p string) string { return p[strings.LastIndexByte(p, '/')+1:] }

func addOps(r *result.Result, ops []cgroup.Op) {
	for _, o := range ops {
		c := result.Syscall{Who: "hood", Call: o.Call, Ret: "0"}
		if o.Err != nil {
			c.Ret = "-1"
			var e syscall.Errno
			if errors.As(o.Err, &e) {
				c.Errno, c.ErrName = e, errnoName(e)
			}
		}
		r.Add(c)
	}
}

func cgroupErr(err error) error {
	var e syscall.Errno
	if errors.As(err, &e) && (e == syscall.EACCES || e == syscall.EPERM || e == syscall.EROFS) {
		return fmt.Errorf("%w: creating cgroups needs root (or a delegated cgroup); run hood as root", err)
	}
	return err
}

// dropGroup removes a box's cgroup, if it has one, after the box is gone.
func (s *Session) dropGroup(name string) {
	if g := s.groups[name]; g != nil {
		_, _ = g.Remove()
		delete(s.groups, name)
	}
}

// readCgroupFile reads /proc/PID/cgroup as hood sees it.
func readCgroupFile(procRoot string, pid int) ([]string, error) {
	data, err := os.ReadFile(fmt.Sprintf("%s/%d/cgroup", procRoot, pid))
	if err != nil {
		return nil, err
	}
	return strings.Split(strings.TrimSpace(string(data)), "\n"), nil
}

func cgroupShow(s *Session, args []string) (*result.Result, error) {
	word := "self"
	if len(args) > 1 {
		return nil, result.Usagef("cgroup show [TARGET]", "one target at a time")
	}
	if len(args) == 1 {
		word = args[0]
	}
	tg, err := s.resolve(word)
	if err != nil {
		return nil, err
	}
	outside, err := readCgroupFile(s.ProcRoot, tg.PID)
	if err != nil {
		return nil, err
	}
	var inside []string
	if b := s.find(tg.Label); b != nil {
		if data, err := b.ReadFile("/proc/self/cgroup"); err == nil {
			inside = strings.Split(strings.TrimSpace(string(data)), "\n")
		}
	}
	t := &result.Table{Header: []string{"hierarchy", "controllers", "path (host's view)"}}
	if inside != nil {
		t.Header = append(t.Header, "path ("+tg.Label+"'s own view)")
	}
	//	/proc/PID/cgroup:  hierarchy-ID:controller-list:cgroup-path
	//	                   4:memory:/hood/box1        0::/hood/box1
	for i, l := range outside {
		f := strings.SplitN(l, ":", 3)
		if len(f) != 3 {
			continue
		}
		ctl := f[1]
		if f[0] == "0" && ctl == "" {
			ctl = "(v2)"
		}
		row := []string{f[0], ctl, f[2]}
		mark := strings.Contains(f[2], "/hood/")
		if inside != nil {
			in := "?"
			if i < len(inside) {
				if g := strings.SplitN(inside[i], ":", 3); len(g) == 3 {
					in = g[2]
				}
			}
			row = append(row, in)
		}
		t.Rows = append(t.Rows, row)
		t.Mark = append(t.Mark, mark)
	}
	r := &result.Result{Table: t}
	r.Shell = fmt.Sprintf("cat /proc/%d/cgroup", tg.PID)
	if inside != nil {
		r.Meaning = "The host's view is the full path from each hierarchy's root; the box's own view is relative to the root of its cgroup namespace, which is \"/\" where it unshared cgroup."
	}
	return r, nil
}
