package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"hood/internal/journal"
	"hood/internal/kernel/cgroup"
	"hood/internal/kernel/loop"
	"hood/internal/kernel/netdev"
	"hood/internal/kernel/netns"
	"hood/internal/oci"
	"hood/internal/statedir"
)

// there says whether entry e of journal j (token tok) is still on the
// host and still that hood's: its owner mark, where the thing has one,
// names tok, and what has none (a half-made root filesystem, a loop
// device) is checked by its name or backing file.
func there(j *journal.Journal, e journal.Entry) bool {
	tok := j.Token()
	// What the journal identified once made must be that very thing.
	switch path := e.What; e.Kind {
	case journal.Netns:
		path = netns.Path(e.What)
		fallthrough
	case journal.Cgroup, journal.Rootfs, journal.Capcopy, journal.File:
		if e.ID != "" && journal.InodeOf(path) != e.ID {
			return false
		}
	}
	switch e.Kind {
	case journal.Cgroup:
		st, err := os.Stat(e.What)
		if err != nil || !st.IsDir() {
			return false
		}
		if isParent(e) {
			// The shared parent: the dead hood's only while no group
			// (another hood's) is in it.
			child, err := cgroup.HasChild(e.What)
			return err == nil && !child
		}
		if filepath.Base(e.What) == cgroup.SelfLeaf {
			// the leaf a hood without root moved itself into, in its
			// delegated scope: once empty
			procs, err := os.ReadFile(filepath.Join(e.What, "cgroup.procs"))
			return err == nil && len(procs) == 0 && cgroup.MarkOf(e.What) == tok
		}
		if filepath.Base(filepath.Dir(e.What)) != "hood" {
			return false
		}
		return groupMark(j, e.What) == tok
	case journal.Controllers:
		return cgroup.LeftControllers(cgroup.ParseControllersEntry(e.What))
	case journal.Veth:
		alias, ok := netdev.HostAlias("/proc", e.What)
		return ok && alias == netdev.Mark(tok)
	case journal.Netns:
		_, err := os.Lstat(netns.Path(e.What))
		return err == nil && netns.MarkOf(e.What) == tok
	case journal.Loop:
		dev, backing, _ := strings.Cut(e.What, " ")
		// The kernel names the backing file as the dead pin holder saw
		// it (/run/loopN.img): the base name must match, and no process
		// may hold the device (a running hood keeps its own open).
		b := loop.Backing(dev)
		return b != "" && filepath.Base(b) == filepath.Base(backing) && !loop.Held(dev)
	case journal.Rootfs:
		_, err := os.Lstat(e.What)
		return err == nil && strings.HasPrefix(filepath.Base(e.What), ".partial-") &&
			strings.Contains(filepath.Base(e.What), fmt.Sprintf("-%d-", j.PID))
	case journal.Capcopy:
		_, err := os.Lstat(e.What)
		return err == nil && filepath.Base(e.What) == "hood-"+strings.ReplaceAll(tok, ":", "-")
	case journal.Pins:
		// The dead hood's pin holder, still running: the same PID with
		// the same start time.
		return !cgroup.Gone(e.What)
	case journal.File:
		st, err := os.Lstat(e.What)
		return err == nil && st.Mode().IsRegular() && strings.Contains(filepath.Base(e.What), fmt.Sprintf("%d-", j.PID))
	case journal.Runc:
		root, id, _ := strings.Cut(e.What, " ")
		_, err := os.Lstat(filepath.Join(root, id))
		return err == nil && filepath.Base(root) == strings.ReplaceAll(tok, ":", "-")
	}
	return false
}

// isParent: hood/ itself, shared by the groups of every hood in one cgroup.
func isParent(e journal.Entry) bool {
	return e.Kind == journal.Cgroup && filepath.Base(e.What) == "hood"
}

// groupMark is the owner mark of a group directory; a v1 hierarchy that
// takes no extended attributes has none, and then the mark on the same
// group in another hierarchy the journal names counts.
func groupMark(j *journal.Journal, dir string) string {
	if m := cgroup.MarkOf(dir); m != "" {
		return m
	}
	for _, e := range j.Pending {
		if e.Kind == journal.Cgroup && filepath.Base(e.What) == filepath.Base(dir) && e.What != dir {
			if m := cgroup.MarkOf(e.What); m != "" {
				return m
			}
		}
	}
	return ""
}

// remove removes one leftover that there has vouched for; a cgroup still
// busy is tried again until deadline.
func remove(j *journal.Journal, e journal.Entry, deadline time.Time) error {
	switch e.Kind {
	case journal.Cgroup:
		// A box killed with its hood may take a moment to leave.
		for {
			err := unix.Rmdir(e.What)
			if err == nil || err == unix.ENOENT {
				return nil
			}
			if isParent(e) && (err == unix.ENOTEMPTY || err == unix.EBUSY) {
				return nil // another hood's groups are in it: theirs now
			}
			if (err != unix.EBUSY && err != unix.ENOTEMPTY) || time.Now().After(deadline) {
				return fmt.Errorf("rmdir %s: %w", e.What, err)
			}
			time.Sleep(20 * time.Millisecond)
		}
	case journal.Controllers:
		return cgroup.DisableControllers(cgroup.ParseControllersEntry(e.What))
	case journal.Veth:
		return netdev.DeleteMarked("/proc", e.What, netdev.Mark(j.Token()))
	case journal.Netns:
		return netns.RemoveStale(e.What, j.Token())
	case journal.Loop:
		dev, _, _ := strings.Cut(e.What, " ")
		return loop.Clear(dev)
	case journal.Rootfs, journal.Capcopy:
		return os.RemoveAll(e.What)
	case journal.File:
		return os.Remove(e.What)
	case journal.Pins:
		var pid int
		fmt.Sscanf(e.What, "%d:", &pid)
		if pid <= 0 || cgroup.Gone(e.What) {
			return nil
		}
		if err := unix.Kill(pid, unix.SIGKILL); err != nil {
			return fmt.Errorf("kill pin holder %d: %w", pid, err)
		}
		for t0 := time.Now(); !cgroup.Gone(e.What) && time.Since(t0) < 2*time.Second; {
			time.Sleep(20 * time.Millisecond)
		}
		return nil
	case journal.Runc:
		if dir, _, _, err := statedir.Dir(); err == nil {
			_, err := oci.CleanupStale(dir, func(t string) bool { return t == j.Token() })
			return err
		}
	}
	return nil
}

// removeOrder: runc containers first (runc delete removes their cgroups),
// then /run/netns names (a veth's peer may die with one), veth ends, the
// cgroups deepest first, the controllers enabled in a delegated scope
// (once its children are gone), then the rest.
var removeOrder = []string{journal.Runc, journal.Pins, journal.Netns, journal.Veth, journal.Cgroup, journal.Controllers, journal.Loop, journal.Rootfs, journal.Capcopy, journal.File}

// journalCleanup reads the journals of hoods that are gone and, unless
// dry, removes what they left (checking each thing first) and their
// journals. It returns one paragraph per dead hood, and names each thing
// removed, one line each (hood cleanup -v). A cgroup still busy (a
// process killed with its hood not yet gone) is waited for up to
// patience in all: hood cleanup waits, a start does not.
func journalCleanup(dry bool, patience time.Duration) (paras, removed []string) {
	deadline := time.Now().Add(patience)
	dead, err := journal.Others(cgroup.Gone)
	if err != nil {
		return []string{"hood: reading the journals of other hoods: " + err.Error()}, nil
	}
	for _, j := range dead {
		var left, listed []journal.Entry
		for _, e := range j.Pending {
			switch {
			case there(j, e) && !isParent(e):
				listed = append(listed, e)
				left = append(left, e)
			case isParent(e):
				// Checked again once its groups are gone.
				if _, err := os.Stat(e.What); err == nil {
					left = append(left, e)
				}
			case e.Kind == journal.Controllers && cgroup.StillEnabled(cgroup.ParseControllersEntry(e.What)):
				// Disabled once the groups below the scope are gone.
				listed = append(listed, e)
				left = append(left, e)
			}
		}
		var failed []string
		if !dry {
			for _, kind := range removeOrder {
				for i := len(left) - 1; i >= 0; i-- {
					e := left[i]
					if e.Kind != kind {
						continue
					}
					if !there(j, e) {
						if kind == journal.Controllers {
							scope, _ := cgroup.ParseControllersEntry(e.What)
							failed = append(failed, "the controllers stay on in "+scope+", which has child cgroups again (another hood's?)")
						}
						continue
					}
					if err := remove(j, e, deadline); err != nil && there(j, e) {
						// Not when another hood starting now took it.
						failed = append(failed, err.Error())
					} else if !isParent(e) {
						removed = append(removed, describeEntry(j, e))
					}
				}
			}
			if len(failed) == 0 {
				_ = j.Forget()
			}
		}
		if len(listed) > 0 {
			paras = append(paras, paragraph(j, listed, dry, failed))
		}
	}
	return paras, removed
}

// describeEntry is one removed thing for hood cleanup -v.
func describeEntry(j *journal.Journal, e journal.Entry) string {
	switch e.Kind {
	case journal.Netns:
		return "removed " + netns.Path(e.What) + " (a /run/netns name)"
	case journal.Runc:
		root, id, _ := strings.Cut(e.What, " ")
		return "removed runc container " + id + " (--root " + root + ")"
	case journal.Veth:
		return "removed veth " + e.What + " (and its peer)"
	case journal.Loop:
		return "detached " + e.What
	case journal.Pins:
		return "ended pin holder " + e.What + " (PID:STARTTIME)"
	case journal.Controllers:
		scope, ctl := cgroup.ParseControllersEntry(e.What)
		return "disabled " + strings.Join(ctl, " ") + " in " + scope + "/cgroup.subtree_control (enabled for hood's groups)"
	}
	return "removed " + e.Kind + " " + e.What
}

// paragraph is what one dead hood left, in one sentence:
// "hood 1234 (started 10:02, gone) left 2 cgroups and 1 veth end; removed."
func paragraph(j *journal.Journal, left []journal.Entry, dry bool, failed []string) string {
	groups := map[string]bool{}
	count := map[string]int{}
	for _, e := range left {
		if e.Kind == journal.Cgroup {
			groups[filepath.Base(e.What)] = true
			continue
		}
		count[e.Kind]++
	}
	var parts []string
	if n := len(groups); n > 0 {
		parts = append(parts, plural(n, "cgroup", "cgroups"))
	}
	names := map[string][2]string{
		journal.Veth:        {"veth end", "veth ends"},
		journal.Netns:       {"/run/netns name", "/run/netns names"},
		journal.Loop:        {"loop device", "loop devices"},
		journal.Rootfs:      {"half-made root filesystem", "half-made root filesystems"},
		journal.Capcopy:     {"directory of file-capability copies", "directories of file-capability copies"},
		journal.Runc:        {"runc container", "runc containers"},
		journal.File:        {"scratch file", "scratch files"},
		journal.Pins:        {"pin holder still running (its pinned namespaces)", "pin holders still running"},
		journal.Controllers: {"set of controllers enabled in its delegated scope", "sets of controllers enabled in its delegated scopes"},
	}
	for _, k := range []string{journal.Veth, journal.Netns, journal.Pins, journal.Loop, journal.Rootfs, journal.Capcopy, journal.Runc, journal.File, journal.Controllers} {
		if n := count[k]; n > 0 {
			parts = append(parts, plural(n, names[k][0], names[k][1]))
		}
	}
	what := strings.Join(parts, ", ")
	if i := strings.LastIndex(what, ", "); i >= 0 {
		what = what[:i] + " and " + what[i+2:]
	}
	started := j.Began.Format("15:04")
	if time.Since(j.Began) > 20*time.Hour {
		started = j.Began.Format("Jan 2 15:04")
	}
	end := "removed."
	switch {
	case dry:
		end = "not removed (--dry-run): `hood cleanup` removes them."
	case len(failed) > 0:
		end = "could not remove all: " + strings.Join(failed, "; ") + " (hood cleanup tries again)."
	}
	return fmt.Sprintf("hood %d (started %s, gone) left %s; %s", j.PID, started, what, end)
}

func plural(n int, one, many string) string {
	if n == 1 {
		if strings.HasPrefix(one, "/") {
			return "a " + one
		}
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// endJournal closes this hood's journal at exit: what it removed is
// marked done, and what is gone by other means too.
func endJournal() {
	self := &journal.Journal{PID: os.Getpid()}
	if t := cgroup.Token(os.Getpid()); t != "" {
		fmt.Sscanf(t[strings.Index(t, ":")+1:], "%d", &self.Start)
	}
	self.Pending = journal.Pending()
	for _, e := range self.Pending {
		// The shared hood/ parent another hood's group kept a moment ago
		// may be empty now.
		if isParent(e) && unix.Rmdir(e.What) == nil {
			journal.Done(e.Kind, e.What)
		}
	}
	left := journal.End(func(e journal.Entry) bool { return there(self, e) })
	if len(left) > 0 {
		fmt.Fprintf(os.Stderr, "hood: %s made by this hood still there (%s, ...): the next hood, or hood cleanup, removes it\n",
			plural(len(left), "thing", "things"), left[0].Kind+" "+left[0].What)
	}
}
