package commands

import (
	"fmt"
	"os"
	"strings"

	"hood/internal/box"
	"hood/internal/kernel/ns"
	"hood/internal/result"

	"golang.org/x/sys/unix"
)

const enterUsage = "enter TARGET TYPE... | enter PATH"

func init() {
	register(&Command{
		UsageLine: enterUsage,
		Short:     "move the current box into TARGET's namespaces with setns(2), as nsenter(1) does",
		Long: `TARGET is a box, host (hood's own namespaces), self or a PID; TYPE is one or
more of uts ipc net mnt pid user cgroup time, or all. hood opens
/proc/TARGET/ns/TYPE and the box calls setns(2) on it. Types the box already
shares with TARGET are skipped. As with unshare, joining a pid namespace
changes only pid_for_children: the box's next process is the one that lands
there. Joining a time namespace moves the box itself too (its time and
time_for_children links both change).
With PATH (a namespace file pinned by ns pin, or any /proc/PID/ns/TYPE),
the box joins that namespace; its type comes from the kernel (NS_GET_NSTYPE).
A name in /run/netns (net ns add, ip netns add) is a target too: enter
NAME net joins that network namespace, as ip netns exec NAME does.`,
		Args: []Arg{ArgTarget, ArgNSType},
		Run:  enter,
	})
}

func enter(s *Session, args []string) (*result.Result, error) {
	if len(args) == 1 && strings.HasPrefix(args[0], "/") {
		return enterFile(s, args[0])
	}
	if len(args) < 2 {
		return nil, result.Usagef(enterUsage, "name a target and at least one namespace type")
	}
	if path, ok := s.namedNet(args[0]); ok {
		if len(args) != 2 || args[1] != "net" {
			return nil, result.Usagef(enterUsage, "%s names a network namespace (%s): enter %s net", args[0], path, args[0])
		}
		return enterFile(s, path)
	}
	tg, err := s.resolve(args[0])
	if err != nil {
		return nil, err
	}
	var types []ns.Type
	seen := map[string]bool{}
	for _, a := range args[1:] {
		if a == "all" {
			for _, t := range ns.Types {
				if !seen[t.Name] {
					seen[t.Name] = true
					types = append(types, t)
				}
			}
			continue
		}
		t, ok := ns.Lookup(a)
		if !ok {
			return nil, result.Usagef(enterUsage, "unknown namespace type %q: the types are %s, or all", a, strings.Join(ns.Names(), " "))
		}
		if !seen[t.Name] {
			seen[t.Name] = true
			types = append(types, t)
		}
	}
	// nsenter's order: the user namespace first when unprivileged (it
	// brings the capabilities to join the rest), last when root (root can
	// join the others only from where it is).
	var ordered []ns.Type
	var user []ns.Type
	for _, t := range types {
		if t.Name == "user" {
			user = append(user, t)
		} else {
			ordered = append(ordered, t)
		}
	}
	if os.Geteuid() == 0 {
		ordered = append(ordered, user...)
	} else {
		ordered = append(user, ordered...)
	}
	b, err := s.box()
	if err != nil {
		return nil, err
	}
	theirs, err := s.links(tg.PID)
	if err != nil {
		return nil, err
	}
	mine, err := s.links(b.PID)
	if err != nil {
		return nil, err
	}
	r := &result.Result{}
	shell := []string{"nsenter", "--target", fmt.Sprint(tg.PID)}
	var joined []string
	forChildren := false
	for _, t := range ordered {
		shell = append(shell, t.Option)
		// The link to compare for pid and time is the one the box's
		// children would get: that is what setns changes.
		link := t.Name
		if t.ForChildren != "" {
			link = t.ForChildren
		}
		if t.ForChildren != "" && theirs[t.ForChildren] != "" && theirs[t.ForChildren] != theirs[t.Name] {
			r.Say("note", "%s's own %s namespace is %s, but its children get %s; to join that one, enter one of those children (`box show %s` lists them)",
				tg.Label, t.Name, theirs[t.Name], theirs[t.ForChildren], tg.Label)
		}
		if mine[link] == theirs[t.Name] {
			r.Say("skipped", "%s: %s is already in %s", t.Name, b.Name, theirs[t.Name])
			continue
		}
		path := s.Proc().Path(tg.PID, "ns", t.Name)
		names := []string{link}
		if t.Name == "time" {
			names = []string{"time", "time_for_children"}
		}
		after, err := s.join(r, b, path, t.Flag, mine, names, "")
		if err != nil {
			return r, err
		}
		mine = after
		joined = append(joined, t.Name)
		forChildren = forChildren || t.ForChildren != ""
	}
	r.Shell = strings.Join(shell, " ")
	if len(joined) == 0 {
		r.Meaning = fmt.Sprintf("%s already shares these namespaces with %s: nothing to do.", b.Name, tg.Label)
		return r, nil
	}
	r.Meaning = fmt.Sprintf("%s now shares its %s namespace(s) with %s: same inode, same namespace.", b.Name, strings.Join(joined, ", "), tg.Label)
	if forChildren && seenType(ordered, "pid") {
		r.Meaning += " For pid only the box's next process lands in the joined namespace; the box stays where it was."
	}
	return r, nil
}

// enterFile joins the namespace a file refers to.
func enterFile(s *Session, path string) (*result.Result, error) {
	b, err := s.box()
	if err != nil {
		return nil, err
	}
	info, err := ns.Inspect(path)
	if err != nil {
		return nil, err
	}
	if info.Type.Name == "" {
		return nil, &result.UsageError{Msg: fmt.Sprintf("%s is not a namespace file (NS_GET_NSTYPE answered %s): give a file made by ns pin or a /proc/PID/ns/TYPE link", path, info.Calls[0].Call.Result())}
	}
	t := info.Type
	link := t.Name
	if t.ForChildren != "" {
		link = t.ForChildren
	}
	mine, err := s.links(b.PID)
	if err != nil {
		return nil, err
	}
	r := &result.Result{}
	names := []string{t.Name}
	if link != t.Name {
		names = append(names, link)
	}
	if _, err := s.join(r, b, path, t.Flag, mine, names, "unchanged: setns into a pid namespace changes only what the box's children get"); err != nil {
		return r, err
	}
	r.Shell = fmt.Sprintf("nsenter %s=%s", t.Option, path)
	r.Meaning = fmt.Sprintf("%s joined %s:[%d] through a file that refers to it, with no process of that namespace involved: a namespace can be joined this way for as long as anything (a process, a bind mount, an open file) keeps it alive.", b.Name, t.Name, info.Inode)
	return r, nil
}

// join makes the box call setns(2) on the namespace file at path, narrates
// the call and how the links in names changed, and returns the box's links
// after it.
func (s *Session) join(r *result.Result, b *box.Box, path string, flag uintptr, before links, names []string, note string) (links, error) {
	call, err := b.Setns(path, flag)
	if err != nil {
		return nil, err
	}
	r.Add(call)
	if call.Failed() {
		return nil, kernelErr(call, "setns")
	}
	after, err := s.links(b.PID)
	if err != nil {
		return nil, err
	}
	diff(r, b.PID, before, after, names, note)
	if flag == unix.CLONE_NEWNET && before["net"] != after["net"] {
		s.netAfterLeave(b, r)
	}
	return after, nil
}
