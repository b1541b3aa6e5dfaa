package commands

import (
	"errors"
	"fmt"
	"strings"

	"hood/internal/kernel/netns"
	"hood/internal/kernel/ns"
	"hood/internal/result"
)

func init() {
	register(
		&Command{UsageLine: "net ns add NAME", Short: "name the box's network namespace as ip netns does: a bind mount on /run/netns/NAME",
			Long: `hood makes what ip netns attach NAME PID makes, in the host's mount namespace:
the directory /run/netns, made a shared mount point (bound on itself first
when it is no mount point), an empty file /run/netns/NAME and a bind mount of
the current box's /proc/PID/ns/net on it. ip netns list and ip netns exec
NAME in another shell then see the box's namespace, and enter NAME net joins
it. The name outlives the box (it keeps the namespace alive) but not hood:
hood removes the names it made when it ends, and a later start or hood
cleanup removes those of a hood that was killed.`,
			Run: netNSAdd},
		&Command{UsageLine: "net ns ls", Short: "list /run/netns: each name's network namespace, which box is in it, and which hood made it", Run: netNSLs},
		&Command{UsageLine: "net ns rm NAME", Short: "remove a name hood made (umount2 MNT_DETACH and unlink, as ip netns del does)", Run: netNSRm},
	)
}

func netNSAdd(s *Session, args []string) (*result.Result, error) {
	const usage = "net ns add NAME"
	if len(args) != 1 {
		return nil, result.Usagef(usage, "name the namespace, one word, such as `net ns add blue`")
	}
	name := args[0]
	if why := netns.Valid(name); why != "" {
		return nil, result.Usagef(usage, "bad name %q: %s", name, why)
	}
	b, err := s.box()
	if err != nil {
		return nil, err
	}
	ino, err := ns.ReadInode(s.ProcRoot, b.PID, "net")
	if err != nil {
		return nil, err
	}
	if host, err := ns.ReadInode(s.ProcRoot, s.HoodPID, "net"); err == nil && host == ino {
		return nil, &result.UsageError{Msg: fmt.Sprintf("%s is in the host's network namespace (net:[%d]): a name for it would name the host's own. Run `unshare net` first, then name %s's", b.Name, ino, b.Name)}
	}
	src := fmt.Sprintf("%s/%d/ns/net", s.ProcRoot, b.PID)
	r := &result.Result{}
	calls, err := netns.Add(name, src, s.HoodPID)
	r.Add(calls...)
	if errors.Is(err, netns.ErrExists) {
		return r, &result.UsageError{Msg: fmt.Sprintf("%s already exists: `net ns ls` lists the names, `net ns rm %s` removes one hood made", netns.Path(name), name)}
	}
	if err != nil {
		return r, callsErr(calls, err, "netns")
	}
	r.Changes = append(r.Changes, result.Change{Path: netns.Path(name), Before: "(none)", After: fmt.Sprintf("net:[%d], %s's", ino, b.Name),
		Note: "a bind mount in the host's mount namespace"})
	r.Say("mark", "%s/%s says which hood made it: hood removes it when it ends, hood cleanup after a kill", netns.MarkDir, name)
	r.Shell = fmt.Sprintf("ip netns attach %s %d", name, b.PID)
	r.Meaning = fmt.Sprintf("The bind mount keeps net:[%d] alive even after %s is gone, and gives it a name other programs find: ip netns exec %s runs a command in it.", ino, b.Name, name)
	return r, nil
}

func netNSLs(s *Session, args []string) (*result.Result, error) {
	if len(args) != 0 {
		return nil, result.Usagef("net ns ls", "takes no arguments")
	}
	entries, err := netns.List()
	if err != nil {
		return nil, err
	}
	r := &result.Result{}
	if len(entries) == 0 {
		r.Text = netns.RunDir + " holds no names"
		r.Shell = "ip netns list"
		return r, nil
	}
	boxes := map[uint64][]string{}
	for _, b := range s.Boxes {
		if ino, err := ns.ReadInode(s.ProcRoot, b.PID, "net"); err == nil {
			boxes[ino] = append(boxes[ino], b.Name)
		}
	}
	host, _ := ns.ReadInode(s.ProcRoot, s.HoodPID, "net")
	t := &result.Table{Header: []string{"NAME", "NS", "IN IT", "MADE BY"}}
	for _, e := range entries {
		nsw, in := "(not a bind of a namespace)", ""
		if e.Inode != 0 {
			nsw = fmt.Sprintf("net:[%d]", e.Inode)
			in = strings.Join(boxes[e.Inode], " ")
			switch {
			case e.Inode == host:
				in = "the host"
			case len(boxes[e.Inode]) == 0:
				in = "(no box of this hood)"
			}
		}
		by := "not hood"
		switch {
		case e.Mark == "":
		case e.MadeBy(s.HoodPID):
			by = "this hood"
		case e.Gone:
			by = "a hood that is gone (" + e.Mark + ")"
		default:
			by = "another hood (" + e.Mark + ")"
		}
		t.Rows = append(t.Rows, []string{e.Name, nsw, in, by})
		t.Mark = append(t.Mark, e.MadeBy(s.HoodPID))
	}
	r.Table = t
	r.Shell = "ip netns list; ls -i " + netns.RunDir
	return r, nil
}

func netNSRm(s *Session, args []string) (*result.Result, error) {
	const usage = "net ns rm NAME"
	if len(args) != 1 {
		return nil, result.Usagef(usage, "name one namespace that `net ns add` made")
	}
	name := args[0]
	if why := netns.Valid(name); why != "" {
		return nil, result.Usagef(usage, "bad name %q: %s", name, why)
	}
	if !netns.Exists(name) {
		return nil, &result.UsageError{Msg: fmt.Sprintf("there is no %s: `net ns ls` lists the names", netns.Path(name))}
	}
	var inode uint64 // the namespace the name held, to look at afterwards
	if es, err := netns.List(); err == nil {
		for _, e := range es {
			if e.Name == name {
				inode = e.Inode
			}
		}
	}
	calls, err := netns.Remove(name, s.HoodPID)
	var notOurs *netns.ErrNotOurs
	if errors.As(err, &notOurs) {
		return nil, &result.UsageError{Msg: err.Error()}
	}
	r := &result.Result{}
	r.Add(calls...)
	if err != nil {
		return r, callsErr(calls, err, "netns")
	}
	r.Changes = append(r.Changes, result.Change{Path: netns.Path(name), Before: "a bind mount", After: "(none)"})
	for _, c := range calls {
		if c.Name == "umount2" && c.Args[0].Str == netns.RunDir && !c.Failed() {
			r.Say("tidied", "%s was empty and a hood had made its mount: hood undid it (ip netns leaves it; hood leaves the host's mount table as it found it)", netns.RunDir)
		}
	}
	r.Shell = "ip netns del " + name
	r.Meaning = "Only the name goes: the namespace itself lives on while a process, descriptor or other bind mount holds it."
	if freed := s.pairsFreed(); len(freed) > 0 {
		r.Say("veth", "%s gone from the host: the name was the last hold on the namespace, so the kernel freed it and destroyed its devices, and their peers with them (hood sent no RTM_DELLINK)", strings.Join(freed, ", "))
		r.Meaning = "The name was all that kept the namespace: without it the kernel freed the namespace and everything in it."
	} else if n := s.procsInNet(inode); n > 0 {
		r.Say("namespace", "net:[%d] lives on: %d process(es) are still in it", inode, n)
	}
	return r, nil
}
