package cgroup

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"hood/internal/journal"
)

// SelfLeaf is the leaf cgroup a hood without root moves itself into, in
// the v2 cgroup delegated to it (its scope): a cgroup that holds processes
// cannot enable controllers for its children (v2's no-internal-processes
// rule), so hood leaves the scope first, as runc and crun do rootless and
// as systemd's documentation of Delegate= asks.
const SelfLeaf = "hood-self"

// Scope is the v2 cgroup a hood without root makes its groups in: the one
// it runs in, or the parent of its SelfLeaf once it has moved there.
func (h Hierarchy) Scope() string {
	dir := h.Dir()
	if filepath.Base(dir) == SelfLeaf {
		return filepath.Dir(dir)
	}
	return dir
}

// Writable reports whether the calling process may make cgroups in dir and
// move processes through it: dir and its cgroup.procs are writable by it
// (what systemd's Delegate= and a chown by hand give a user).
func Writable(dir string) bool {
	return unix.Access(dir, unix.W_OK) == nil && unix.Access(filepath.Join(dir, "cgroup.procs"), unix.W_OK) == nil &&
		unix.Access(filepath.Join(dir, "cgroup.subtree_control"), unix.W_OK) == nil
}

// Delegable lists the controllers a delegated scope may hand to its
// children: those its parent enabled for it (its cgroup.controllers).
func Delegable(scope string) []string { return readWords(scope, "cgroup.controllers") }

// Delegation is what Delegate changed, for Undo.
type Delegation struct {
	Scope, Leaf string
	Enabled     []string // the controllers Delegate enabled in Scope's subtree_control
	pid         int
}

// one delegation per process: hood moves itself once, however many
// sessions (lab --check-all runs one per lab) use it.
var deleg struct {
	sync.Mutex
	d     *Delegation
	users int
}

// Delegate prepares hood's delegated scope in the v2 hierarchy h for its
// groups: it makes SCOPE/hood-self, moves hood (pid) into it, with its own
// boxes already started (mine: the box forked before Go started; one that
// has ended is passed over) and nothing else, and enables in SCOPE's
// cgroup.subtree_control every controller delegated to SCOPE (its
// cgroup.controllers) that is not on yet. Every
// call is in ops. Each Delegate that succeeds needs one Undo. When other
// processes stay in SCOPE, the kernel refuses the controllers (EBUSY):
// hood moves itself back, removes the leaf, and says which processes they
// are.
func Delegate(h Hierarchy, pid int, mine ...int) (*Delegation, []Op, error) {
	deleg.Lock()
	defer deleg.Unlock()
	if deleg.d != nil {
		deleg.users++
		return deleg.d, nil, nil
	}
	scope := h.Scope()
	d := &Delegation{Scope: scope, Leaf: filepath.Join(scope, SelfLeaf), pid: pid}
	var o ops
	created, err := o.ensureDir(d.Leaf)
	if err != nil {
		return nil, o, err
	}
	if created {
		markOwner(d.Leaf, pid)
	}
	if err := o.write(d.Leaf, "cgroup.procs", strconv.Itoa(pid)); err != nil {
		d.undo(&o)
		return nil, o, err
	}
	for _, p := range mine {
		if err := o.write(d.Leaf, "cgroup.procs", strconv.Itoa(p)); err != nil && !errors.Is(err, unix.ESRCH) {
			d.undo(&o)
			return nil, o, err
		}
	}
	enabled := readWords(scope, "cgroup.subtree_control")
	var add []string
	for _, c := range Delegable(scope) {
		if !slices.Contains(enabled, c) {
			add = append(add, c)
		}
	}
	if len(add) > 0 {
		journal.Will(journal.Controllers, ControllersEntry(scope, add))
		if err := o.write(scope, "cgroup.subtree_control", "+"+strings.Join(add, " +")); err != nil {
			journal.Done(journal.Controllers, ControllersEntry(scope, add)) // refused: nothing was enabled
			if errors.Is(err, unix.EBUSY) {
				err = fmt.Errorf("%w: %s still holds processes besides hood (%s), and a v2 cgroup with processes in it cannot enable controllers for its children; start hood as the only process of a delegated scope (systemd-run --user --scope -p Delegate=yes hood, or exec hood)", err, scope, others(scope, pid))
			}
			d.undo(&o)
			return nil, o, err
		}
		d.Enabled = add
	}
	deleg.d, deleg.users = d, 1
	return d, o, nil
}

// ControllersEntry is the journal's name for controllers ctl enabled in
// scope's cgroup.subtree_control: "SCOPE memory,pids".
func ControllersEntry(scope string, ctl []string) string {
	return scope + " " + strings.Join(ctl, ",")
}

// ParseControllersEntry splits a ControllersEntry.
func ParseControllersEntry(what string) (scope string, ctl []string) {
	i := strings.LastIndex(what, " ")
	if i < 0 {
		return what, nil
	}
	return what[:i], strings.Split(what[i+1:], ",")
}

// LeftControllers reports whether the controllers ctl that a dead hood
// enabled in scope are still enabled there and nothing can be using them:
// scope has no child cgroup (hood's hood-self and groups are gone, and no
// one else made one since).
func LeftControllers(scope string, ctl []string) bool {
	if !StillEnabled(scope, ctl) {
		return false
	}
	child, err := HasChild(scope)
	return err == nil && !child
}

// StillEnabled reports whether every one of ctl is on in scope's
// cgroup.subtree_control.
func StillEnabled(scope string, ctl []string) bool {
	on := readWords(scope, "cgroup.subtree_control")
	for _, c := range ctl {
		if !slices.Contains(on, c) {
			return false
		}
	}
	return len(ctl) > 0
}

// DisableControllers writes "-c" for each of ctl to scope's
// cgroup.subtree_control: what hood cleanup gives back for a dead hood.
func DisableControllers(scope string, ctl []string) error {
	var o ops
	return o.write(scope, "cgroup.subtree_control", "-"+strings.Join(ctl, " -"))
}

// others lists the PIDs in dir's cgroup.procs other than pid.
func others(dir string, pid int) string {
	pids, _ := readProcs(dir)
	var out []string
	for _, p := range pids {
		if p != pid {
			out = append(out, strconv.Itoa(p))
		}
	}
	if len(out) == 0 {
		return "none listed now"
	}
	return "PID " + strings.Join(out, ", ")
}

// Undo gives back what Delegate changed, once its last user is done: the
// controllers it enabled are disabled in the scope's subtree_control (the
// boxes' groups must be gone by then), hood moves back into the scope and
// removes its leaf. Every call is in ops.
func (d *Delegation) Undo() ([]Op, error) {
	deleg.Lock()
	defer deleg.Unlock()
	if deleg.d != d {
		return nil, nil
	}
	if deleg.users--; deleg.users > 0 {
		return nil, nil
	}
	deleg.d = nil
	var o ops
	err := d.undo(&o)
	return o, err
}

func (d *Delegation) undo(o *ops) error {
	var errs []error
	if len(d.Enabled) > 0 {
		if err := o.write(d.Scope, "cgroup.subtree_control", "-"+strings.Join(d.Enabled, " -")); err != nil {
			errs = append(errs, err)
		} else {
			journal.Done(journal.Controllers, ControllersEntry(d.Scope, d.Enabled))
		}
	}
	if err := o.write(d.Scope, "cgroup.procs", strconv.Itoa(d.pid)); err != nil {
		errs = append(errs, err)
	}
	// a leaf a killed hood left is removed too: hood was in it. rmdir
	// answers EBUSY until the kernel has freed the cgroup, a little after
	// its last process (a box just killed) is gone: as Group.Remove, it
	// retries for up to a second.
	err := o.rmdir(d.Leaf)
	for deadline := time.Now().Add(time.Second); errors.Is(err, unix.EBUSY) && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
		var calls []Op
		if calls, err = rmdir(d.Leaf); !errors.Is(err, unix.EBUSY) {
			*o = append(*o, calls...)
		}
	}
	if errors.Is(err, unix.EBUSY) {
		err = fmt.Errorf("%w (%s/cgroup.procs: %s; cgroup.events: %s)", err, d.Leaf, others(d.Leaf, 0), strings.Join(readWords(d.Leaf, "cgroup.events"), " "))
	}
	if err != nil && !errors.Is(err, unix.ENOENT) {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// rootless reports whether the caller has no root: it makes its groups
// in its delegated scope only.
func rootless() bool { return os.Geteuid() != 0 }
