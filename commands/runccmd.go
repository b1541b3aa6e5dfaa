package commands

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"hood/internal/kernel/cgroup"
	"hood/internal/oci"
	"hood/internal/result"
	"hood/internal/statedir"
)

func init() {
	register(&Command{UsageLine: "rootfs runc NAME [--delete]", Short: "start a container from the bundle of rootfs NAME with runc, or (--delete) kill and delete it",
		Long: `hood runs the program runc (not a system call: hood shows each command
line and how it ended) on the bundle rootfs bundle NAME wrote:
  runc --root ROOT create --bundle BUNDLE ID   namespaces, cgroup, mounts,
                                               and an init that waits
  runc --root ROOT start ID                    the init execs the process
  runc --root ROOT state ID                    its PID on the host
ROOT is STATEDIR/runc/PID-STARTTIME, this hood's own, and ID is
hood-PID-NAME, so that two hoods never share a container. Then the word
runc (or runc:NAME) is a TARGET: caps runc, ns compare box1 runc, seccomp
show runc, mounts runc --diff, cgroup show runc read the container's
process as they read a box's; rootfs compare BOX NAME sets the two side
by side. --delete runs runc kill ID KILL and runc delete --force ID, which
removes its cgroups; hood does the same when it exits or a lab is reset,
and hood cleanup after a hood that was killed.
runc must be installed (apt-get install runc).`,
		Args: []Arg{ArgRootfs}, Flags: []string{"--delete"}, Run: rootfsRunc})
}

// runcContainer is a container this hood started with runc.
type runcContainer struct {
	Name, ID, Bundle string
	PID              int
	rc               oci.Runc
}

// runcRoot is this hood's --root for runc.
func (s *Session) runcRoot() (string, error) {
	dir, uid, gid, err := statedir.Dir()
	if err != nil {
		return "", err
	}
	tok := cgroup.Token(s.HoodPID)
	if tok == "" {
		return "", errors.New("hood cannot read its own /proc/PID/stat for its owner mark")
	}
	// STATE/runc is the invoking user's, as the state directory is; the
	// root itself, which runc writes its containers' state in, is root's,
	// and both are 0700.
	root := oci.RootFor(dir, tok)
	if err := statedir.MkdirOwned(filepath.Dir(root), uid, gid); err != nil {
		return "", err
	}
	if err := statedir.MkdirOwned(root, -1, -1); err != nil {
		return "", err
	}
	return root, nil
}

// runcNamed is the container of rootfs name, or nil.
func (s *Session) runcNamed(name string) *runcContainer {
	for _, c := range s.runcs {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// runcTarget resolves the TARGET words runc (the one container) and
// runc:NAME.
func (s *Session) runcTarget(word string) (target, bool, error) {
	name, ok := strings.CutPrefix(word, "runc:")
	if word != "runc" && !ok {
		return target{}, false, nil
	}
	var c *runcContainer
	switch {
	case ok:
		c = s.runcNamed(name)
	case len(s.runcs) == 1:
		c = s.runcs[0]
	case len(s.runcs) > 1:
		return target{}, true, &result.UsageError{Msg: "more than one runc container runs: say which, as runc:NAME"}
	}
	if c == nil {
		return target{}, true, &result.UsageError{Msg: "no runc container of this hood runs: rootfs bundle NAME, then rootfs runc NAME"}
	}
	return target{"runc " + c.Name, c.PID}, true, nil
}

// ran adds one run of runc to r, as a program run (no syscall).
func ran(r *result.Result, x oci.Ran) {
	end := fmt.Sprintf("exit status %d", x.Status)
	if x.Status < 0 {
		end = fmt.Sprint(x.Err)
	}
	r.Say("program", "%s -> %s", x.Line(), end)
	if x.Status != 0 && x.Output != "" {
		r.Say("runc said", "%s", x.Output)
	}
}

func rootfsRunc(s *Session, args []string) (*result.Result, error) {
	const usage = "rootfs runc NAME [--delete]"
	if s.userns != nil {
		return nil, &result.UsageError{Msg: fmt.Sprintf("rootfs runc needs real root, and hood runs as uid %d: hood's bundle asks runc for a container as root, with cgroups of its own, and runc without root needs a user namespace in config.json and a delegated cgroup v2 subtree (runc spec --rootless). Most of the same container by hand works without root: the namespaces, pivot_root, capabilities and seccomp", os.Geteuid())}
	}
	var name string
	del := false
	for _, a := range args {
		switch {
		case a == "--delete":
			del = true
		case strings.HasPrefix(a, "-"):
			return nil, result.Usagef(usage, "unknown option %q", a)
		case name != "":
			return nil, result.Usagef(usage, "one NAME at a time")
		default:
			name = a
		}
	}
	if name == "" {
		return nil, result.Usagef(usage, "name the root filesystem whose bundle to run")
	}
	if del {
		c := s.runcNamed(name)
		if c == nil {
			return nil, &result.UsageError{Msg: fmt.Sprintf("no runc container of rootfs %s runs in this hood", name)}
		}
		r := &result.Result{}
		d := s.deleteRunc(r, c)
		alive := s.Proc().Alive(c.PID)
		switch {
		case d.Status != 0:
			r.Meaning = fmt.Sprintf("runc delete did not succeed, so the container may still be there: runc --root %s list shows it.", c.rc.Root)
		case alive:
			r.Meaning = fmt.Sprintf("runc delete removed the container's state and its cgroups, but its process %d is still alive.", c.PID)
		default:
			r.Meaning = fmt.Sprintf("runc delete removed the container's state and its cgroups, and its process %d has ended: its namespaces go with it unless something else holds them (a process that entered them, a bind mount of a link).", c.PID)
		}
		return r, nil
	}
	if s.runcNamed(name) != nil {
		return nil, &result.UsageError{Msg: fmt.Sprintf("the runc container of %s runs already: rootfs runc %s --delete first", name, name)}
	}
	if err := rootfsCheckName(usage, name); err != nil {
		return nil, err
	}
	bundle, err := bundleDir(name)
	if err != nil {
		return nil, err
	}
	sp, err := oci.Load(bundle)
	if errors.Is(err, os.ErrNotExist) {
		return nil, &result.UsageError{Msg: fmt.Sprintf("rootfs %s has no bundle (no %s/config.json): rootfs bundle %s writes it", name, bundle, name)}
	}
	if err != nil {
		return nil, err
	}
	if sp.Root == nil || sp.Linux == nil {
		return nil, &result.UsageError{Msg: fmt.Sprintf("%s/config.json has no root or linux section: rootfs bundle %s writes a whole one", bundle, name)}
	}
	if _, err := os.Lstat(filepath.Join(sp.Root.Path, "bin", "sh")); err != nil {
		return nil, &result.UsageError{Msg: fmt.Sprintf("the bundle's root.path %s holds no bin/sh (the root filesystem is gone?): rootfs make %s, then rootfs bundle %s; nothing was started", sp.Root.Path, name, name)}
	}
	// The bundle is right: now what runs it.
	bin, err := oci.Find()
	if err != nil {
		return nil, &result.UsageError{Msg: err.Error()}
	}
	if hs, err := s.hierarchies(); err == nil {
		if gaps := cgroup.SubtreeGaps(hs); len(gaps) > 0 {
			return nil, &result.UsageError{Msg: fmt.Sprintf("on cgroup v2 runc enables every controller in the cgroup.subtree_control of each cgroup above its own, and here that would change cgroups hood did not make (%s): hood does not run it", strings.Join(gaps, "; "))}
		}
	}
	r := &result.Result{}
	// The group is this hood's: a bundle written by another hood named
	// that hood's PID in linux.cgroupsPath.
	if cg := s.runcCgroup(name); sp.Linux.CgroupsPath != cg {
		r.Say("bundle", "linux.cgroupsPath %s -> %s (this hood's)", sp.Linux.CgroupsPath, cg)
		sp.Linux.CgroupsPath = cg
		_, uid, gid, err := statedir.Dir()
		if err != nil {
			return nil, err
		}
		if _, err := oci.Write(bundle, sp, uid, gid); err != nil {
			return nil, err
		}
	}
	root, err := s.runcRoot()
	if err != nil {
		return nil, err
	}
	c := &runcContainer{Name: name, ID: fmt.Sprintf("hood-%d-%s", s.HoodPID, name), Bundle: bundle, rc: oci.Runc{Bin: bin, Root: root}}
	x := c.rc.Create(c.ID, bundle)
	ran(r, x)
	if x.Err != nil {
		// Whatever runc made before it failed (state, cgroups) goes.
		ran(r, c.rc.Delete(c.ID))
		return r, fmt.Errorf("runc create failed (exit status %d): %s", x.Status, x.Output)
	}
	s.runcs = append(s.runcs, c)
	x = c.rc.Start(c.ID)
	ran(r, x)
	if x.Err != nil {
		s.deleteRunc(r, c)
		return r, fmt.Errorf("runc start failed (exit status %d): %s", x.Status, x.Output)
	}
	st, x := c.rc.State(c.ID)
	ran(r, x)
	if x.Err != nil || st.PID <= 0 {
		s.deleteRunc(r, c)
		return r, fmt.Errorf("runc state did not give the container's PID: %v", x.Err)
	}
	c.PID = st.PID
	r.Say("container", "%s: %s, PID %d on the host", c.ID, st.Status, c.PID)
	r.Say("look", "caps runc, ns compare host runc, seccomp show runc, mounts runc --diff, cgroup show runc; rootfs compare BOX %s", name)
	r.Shell = fmt.Sprintf("runc --root %s create --bundle %s %s && runc --root %s start %s", root, bundle, c.ID, root, c.ID)
	r.Meaning = "From config.json, runc made the calls the container lab makes one by one: runc itself the cgroup writes, its init process (started with unshare and a fork) the mounts and pivot_root, sethostname, capset, prctl and seccomp; at runc start the init execve'd the bundle's process. (strace -f of the runc create line shows them.)"
	return r, nil
}

// rootfsCheckName refuses a NAME that is not a valid rootfs name.
func rootfsCheckName(usage, name string) error {
	_, err := nameArg(usage, []string{name}, "")
	return err
}

// deleteRunc kills and deletes c (runc delete removes its cgroups) and
// forgets it; r gets the runs of runc, when given.
func (s *Session) deleteRunc(r *result.Result, c *runcContainer) oci.Ran {
	k := c.rc.Kill(c.ID)
	d := c.rc.Delete(c.ID)
	if r != nil {
		ran(r, k)
		ran(r, d)
	}
	s.reapRunc(r, c.PID)
	for i, o := range s.runcs {
		if o == c {
			s.runcs = append(s.runcs[:i], s.runcs[i+1:]...)
			break
		}
	}
	if len(s.runcs) == 0 {
		os.Remove(c.rc.Root) // empty once runc has no container there
	}
	return d
}

// closeRunc deletes every runc container this hood started.
func (s *Session) closeRunc() {
	for len(s.runcs) > 0 {
		s.deleteRunc(nil, s.runcs[0])
	}
}

// RuncPID is the host PID of the runc container of rootfs name that this
// hood started, or 0.
func (s *Session) RuncPID(name string) int {
	if c := s.runcNamed(name); c != nil {
		return c.PID
	}
	return 0
}

// RuncID is the container ID and --root this hood gives rootfs name's
// runc container, whether it runs or not.
func (s *Session) RuncID(name string) (id, root string, err error) {
	root, err = s.runcRoot()
	return fmt.Sprintf("hood-%d-%s", s.HoodPID, name), root, err
}

// RuncCgroupDirs are the directories runc makes for the container of
// rootfs name (linux.cgroupsPath in each hierarchy).
func (s *Session) RuncCgroupDirs(name string) []string {
	hs, err := s.hierarchies()
	if err != nil {
		return nil
	}
	p := s.runcCgroup(name)
	var out []string
	for _, h := range hs {
		switch {
		case filepath.IsAbs(p) && h.Version() == 2:
			out = append(out, filepath.Join(h.Mount, p))
		case !filepath.IsAbs(p):
			out = append(out, filepath.Join(h.Dir(), p))
		}
	}
	return out
}

// reapRunc waits for the container's init once it is dead: runc's
// create exits, and hood, a child subreaper, inherits the init, so its
// zombie is hood's to reap. A process that is not dead within a second
// is left alone (and said to be there).
func (s *Session) reapRunc(r *result.Result, pid int) {
	if pid <= 0 {
		return
	}
	for t0 := time.Now(); time.Since(t0) < time.Second; time.Sleep(10 * time.Millisecond) {
		st, err := s.Proc().Stat(pid)
		if err != nil {
			return // gone, reaped by someone else
		}
		if st.State.Dead() && st.PPID == s.HoodPID {
			if p, err := os.FindProcess(pid); err == nil {
				_, _ = p.Wait()
			}
			return
		}
	}
	if r != nil {
		r.Say("still", "the container's process %d is still there after runc delete", pid)
	}
}

// runcUsing lists the runc containers of any hood whose root filesystem
// is the directory rootfs.
func (s *Session) runcUsing(rootfs string) []string {
	dir, _, _, err := statedir.Dir()
	if err != nil {
		return nil
	}
	return oci.Using(dir, rootfs)
}
