package commands

import (
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"time"

	"hood/internal/box"
	"hood/internal/kernel/cgroup"
	"hood/internal/kernel/netdev"
	"hood/internal/kernel/ns"
	"hood/internal/result"

	"golang.org/x/sys/unix"
)

// netState is what the net commands made and saw in one session.
type netState struct {
	pairs  []vethPair
	ping   *PingOutcome
	labNet string    // the net lab's 172.22.N, once chosen
	hold   io.Closer // keeps labNet this hood's
}

// vethPair is a veth pair hood made: end A in the namespace of process
// APID (the host's, or a box's with --peer), end B in box BBox's.
type vethPair struct {
	A, B   string
	ALabel string // "host" or a box name
	APID   int
	BBox   string
	BPID   int
	Host   bool   // A is in the host's namespace and carries hood's mark
	ANS    string // the network namespaces the ends were made in: "net:[N]"
	BNS    string
}

// PingOutcome is the last ping's result, for lab checks.
type PingOutcome struct {
	Box, Addr      string
	Sent, Received int
	Errno          string
}

// LastPing is the outcome of the last ping in this session, or nil.
func (s *Session) LastPing() *PingOutcome { return s.net.ping }

// netNS opens a netlink socket in pid's network namespace.
func (s *Session) netNS(pid int, label string) (*netdev.NS, error) {
	if b := s.netBox(pid); b != nil {
		return s.netNSFrom(b, pid, label)
	}
	n, err := netdev.Open(s.ProcRoot, pid, label)
	if err != nil {
		var errno syscall.Errno
		if errors.As(err, &errno) {
			why := fmt.Sprintf("hood reads a network namespace through /proc/PID/ns/net, and the kernel refused it for %s: opening another process's namespace file passes the ptrace access check (PTRACE_MODE_READ), which this one does not", label)
			if errno == syscall.ENOENT || errno == syscall.ESRCH {
				why = fmt.Sprintf("there is no process %d any more", pid)
			}
			return nil, &result.KernelError{What: fmt.Sprintf("open %s/%d/ns/net: %v (%s)", s.ProcRoot, pid, errno, errnoName(errno)), Errno: errno, ErrName: errnoName(errno),
				Meaning: why, Fix: "name a box (box ls) or a process of your own"}
		}
		return nil, err
	}
	return n, nil
}

// NetLinks lists the devices of pid's network namespace (for lab checks).
func (s *Session) NetLinks(pid int) ([]netdev.Link, error) {
	n, err := s.netNS(pid, fmt.Sprint(pid))
	if err != nil {
		return nil, err
	}
	defer n.Close()
	return n.Links()
}

// sharesHostNet reports whether b is in the host's network namespace.
func (s *Session) sharesHostNet(b *box.Box) (bool, error) {
	mine, host, err := s.linksAndHost(b.PID)
	if err != nil {
		return false, err
	}
	return mine["net"] == host["net"], nil
}

// boxNet is the current box's network namespace, refused when it is the
// host's: hood changes no device, address or route of the host's own.
func (s *Session) boxNet(what string) (*box.Box, *netdev.NS, error) {
	b, err := s.box()
	if err != nil {
		return nil, nil, err
	}
	shared, err := s.sharesHostNet(b)
	if err != nil {
		return nil, nil, err
	}
	if shared {
		return nil, nil, &result.UsageError{Msg: fmt.Sprintf("%s shares the host's network namespace: %s would change the host's own network; `unshare net` first gives %s a namespace of its own", b.Name, what, b.Name)}
	}
	if err := s.notMadeNow(b, "net"); err != nil {
		return nil, nil, err
	}
	if st, err := s.Proc().Status(b.PID); err == nil && st.CapEff&(1<<unix.CAP_NET_ADMIN) == 0 {
		return nil, nil, &result.UsageError{Msg: fmt.Sprintf("%s has no CAP_NET_ADMIN (its CapEff, %016x, lacks bit 12): %s is a change the kernel allows only with it. hood would make it with its own capabilities, over its own netlink socket, so it does not: `run ip link set lo up` shows the kernel refusing %s itself (RTNETLINK answers: Operation not permitted, EPERM)", b.Name, st.CapEff, what, b.Name)}
	}
	n, err := s.netNS(b.PID, b.Name)
	return b, n, err
}

// hostEnd opens the host's namespace for a change to dev, which must be
// the host end of a pair this hood made (it carries this hood's mark).
func (s *Session) hostEnd(dev string) (*netdev.NS, error) {
	n, err := s.netNS(s.HoodPID, "host")
	if err != nil {
		return nil, err
	}
	ls, err := n.Links()
	if err != nil {
		n.Close()
		return nil, err
	}
	l := netdev.Find(ls, dev)
	if l == nil {
		n.Close()
		return nil, &result.UsageError{Msg: fmt.Sprintf("no device %q in the host's network namespace", dev)}
	}
	if l.Alias != s.myMark() {
		n.Close()
		return nil, &result.UsageError{Msg: fmt.Sprintf("%s is not the host end of a veth pair this hood made: with --host hood changes only its own veth ends, never the host's own devices, addresses or routes", dev)}
	}
	return n, nil
}

// myMark is the alias hood gives the host ends it makes.
func (s *Session) myMark() string { return netdev.Mark(cgroup.Token(s.HoodPID)) }

// hostFlag takes --host out of args.
func hostFlag(args []string) ([]string, bool) {
	var rest []string
	host := false
	for _, a := range args {
		if a == "--host" {
			host = true
		} else {
			rest = append(rest, a)
		}
	}
	return rest, host
}

// closeNet deletes the host ends this hood made that are still there (a
// box's namespace kept alive by a pin, or one the kernel is still tearing
// down), as hood exits.
func (s *Session) closeNet() {
	if s.net.hold != nil {
		s.net.hold.Close()
		s.net.hold = nil
	}
	if len(s.net.pairs) == 0 {
		return
	}
	n, err := s.netNS(s.HoodPID, "host")
	if err != nil {
		return
	}
	defer n.Close()
	ls, _ := n.Links()
	for _, l := range ls {
		if l.Alias == s.myMark() {
			_, _ = n.Delete(l.Name)
		}
	}
	s.net.pairs = nil
}

// waitGone waits up to a second for device dev of pid's network namespace
// to disappear (the kernel tears a dead namespace down in a work queue,
// not at once) and reports whether it did.
func (s *Session) waitGone(pid int, dev string) bool {
	for range 50 {
		ls, err := s.NetLinks(pid)
		if err == nil && netdev.Find(ls, dev) == nil {
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false
}

// netAfterKill says what became of the pairs with an end in b, which was
// just killed.
func (s *Session) netAfterKill(b *box.Box, r *result.Result) {
	var keep []vethPair
	for _, p := range s.net.pairs {
		if p.BPID != b.PID && p.APID != b.PID {
			keep = append(keep, p)
			continue
		}
		if !p.Host {
			// Look at the end in the namespace that lives on.
			pid, dev, label := p.BPID, p.B, p.BBox
			if p.BPID == b.PID {
				pid, dev, label = p.APID, p.A, p.ALabel
			}
			if s.waitGone(pid, dev) {
				r.Say("veth", "%s is gone from %s too: the kernel destroyed the pair with %s's network namespace", dev, label, b.Name)
			} else {
				r.Say("veth", "%s is still in %s: something else holds %s's network namespace", dev, label, b.Name)
				keep = append(keep, p)
			}
			continue
		}
		if s.waitGone(s.HoodPID, p.A) {
			r.Say("veth", "%s is gone from the host: the kernel destroyed the pair when %s's network namespace died with its last process (hood sent no RTM_DELLINK)", p.A, b.Name)
		} else {
			if other := s.boxInNet(p.BNS, b); other != "" {
				r.Say("veth", "%s is still on the host: %s is still in the network namespace %s had, and keeps it (and its end of the pair) alive", p.A, other, b.Name)
			} else {
				r.Say("veth", "%s is still on the host: something else holds %s's network namespace (a name in /run/netns, a pin, an open descriptor)", p.A, b.Name)
			}
			keep = append(keep, p)
		}
	}
	s.net.pairs = keep
}

// netAfterLeave says what became of the pairs hood made with their box end
// in b's network namespace, which b has just left (a second unshare net, or
// enter ... net): when b was the last process in it, the kernel freed it
// and destroyed the pair; otherwise the namespace, and the pair, live on.
func (s *Session) netAfterLeave(b *box.Box, r *result.Result) {
	var keep []vethPair
	for _, p := range s.net.pairs {
		if p.BPID != b.PID || !p.Host {
			keep = append(keep, p)
			continue
		}
		if s.waitGone(s.HoodPID, p.A) {
			r.Say("veth", "%s is gone from the host: %s was the last process in the network namespace it left, so the kernel freed it and destroyed the pair (hood sent no RTM_DELLINK)", p.A, b.Name)
			continue
		}
		r.Say("veth", "%s is still on the host: something else (another process, a name in /run/netns, a pin) holds the network namespace %s left, and its end of the pair with it", p.A, b.Name)
		p.BPID, p.BBox = -1, "" // the box end is in no box's namespace now
		keep = append(keep, p)
	}
	s.net.pairs = keep
}

// parseCIDR reads an IPv4 address with its prefix: 172.22.0.2/24.
func parseCIDR(usage, word string) (*net.IPNet, error) {
	ip, n, err := net.ParseCIDR(word)
	if err != nil || ip.To4() == nil {
		return nil, result.Usagef(usage, "%q is not an IPv4 address with a prefix length, such as 172.22.0.2/24", word)
	}
	n.IP = ip.To4()
	return n, nil
}

// NetRoutes lists the IPv4 routes of pid's network namespace (for lab
// checks).
func (s *Session) NetRoutes(pid int) ([]netdev.Route, error) {
	n, err := s.netNS(pid, fmt.Sprint(pid))
	if err != nil {
		return nil, err
	}
	defer n.Close()
	return n.Routes()
}

// LabNet is the first three numbers of the net lab's /24 for this hood:
// 172.22.0, or the next 172.22.N when the host or another hood uses that
// one. It is chosen once and held for the session.
func (s *Session) LabNet() string {
	if s.net.labNet != "" {
		return s.net.labNet
	}
	var addrs, routes []string
	if ls, err := s.NetLinks(s.HoodPID); err == nil {
		for _, l := range ls {
			addrs = append(addrs, l.Addrs...)
		}
	}
	if rs, err := s.NetRoutes(s.HoodPID); err == nil {
		for _, r := range rs {
			routes = append(routes, r.Dst)
		}
	}
	prefix, hold, err := netdev.ReserveLabNet(addrs, routes)
	if err != nil {
		return netdev.LabNets + ".0"
	}
	s.net.labNet, s.net.hold = prefix, hold
	return prefix
}

// boxInNet names a box other than gone that is in the network namespace
// ns, or "".
func (s *Session) boxInNet(ns string, gone *box.Box) string {
	for _, b := range s.Boxes {
		if b == gone {
			continue
		}
		if l, err := s.links(b.PID); err == nil && l["net"] == ns {
			return b.Name
		}
	}
	return ""
}

// pairsFreed looks at the pairs whose box end's box is gone (kept alive by
// something else, such as a name in /run/netns) and returns the host ends
// that have gone since: the kernel destroyed them with the namespace.
func (s *Session) pairsFreed() []string {
	var freed []string
	var keep []vethPair
	for _, p := range s.net.pairs {
		if !p.Host || s.Proc().Alive(p.BPID) || !s.waitGone(s.HoodPID, p.A) {
			keep = append(keep, p)
			continue
		}
		freed = append(freed, p.A)
	}
	s.net.pairs = keep
	return freed
}

// procsInNet counts the processes in the network namespace with inode.
func (s *Session) procsInNet(inode uint64) int {
	if inode == 0 {
		return 0
	}
	list, err := ns.List(s.ProcRoot)
	if err != nil {
		return 0
	}
	for _, n := range list {
		if n.Type == "net" && n.Inode == inode {
			return n.NProcs
		}
	}
	return 0
}
