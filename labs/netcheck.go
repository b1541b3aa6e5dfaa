package labs

import (
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"

	"hood/internal/box"
	"hood/internal/kernel/cgroup"
	"hood/internal/kernel/netdev"
)

// The network checks: netdev, route, ping, veth_left. They read the live
// kernel through netdev (a netlink socket in the namespace looked at).

// netOf runs f on the devices of the network namespace ref stands for:
// "host", or a box reference.
func netOf(e *env, ref string, f func(label string, pid int, ls []netdev.Link) (bool, string)) (bool, string) {
	look := func(label string, pid int) (bool, string) {
		ls, err := e.s.NetLinks(pid)
		if err != nil {
			return false, err.Error()
		}
		return f(label, pid, ls)
	}
	if ref == "host" {
		return look("the host", e.s.HoodPID)
	}
	return e.anyBox(ref, func(b *box.Box) (bool, string) { return look(b.Name, b.PID) })
}

// NetDevCheck: in Box's network namespace ("host": the host's), the
// namespace has exactly the devices Only (for a box, in a namespace of
// its own: a host with only lo, as in a VM, must not pass); or device Dev exists (with Absent,
// does not), is up or down (Up), has the address Addr, and, for a veth,
// has its peer in PeerIn's namespace ("host" or a box).
type NetDevCheck struct {
	Box    string   `yaml:"box"`
	Only   []string `yaml:"only"`
	Dev    string   `yaml:"dev"`
	Absent bool     `yaml:"absent"`
	Up     *bool    `yaml:"up"`
	Addr   string   `yaml:"addr"`
	PeerIn string   `yaml:"peer_in"`
}

func (c *NetDevCheck) validate() error {
	if c.Box == "" {
		return errors.New("box names a box, current, any or host")
	}
	if (c.Dev == "") == (len(c.Only) == 0) {
		return errors.New("give dev or only")
	}
	if c.Addr != "" {
		// {net}.1/24: the placeholder is filled in when the check runs.
		if _, _, err := net.ParseCIDR(strings.ReplaceAll(c.Addr, "{net}", "172.22.0")); err != nil {
			return fmt.Errorf("addr: %v", err)
		}
	}
	return nil
}

func (c *NetDevCheck) eval(e *env) (bool, string) {
	return netOf(e, c.Box, func(label string, pid int, ls []netdev.Link) (bool, string) {
		var names []string
		for _, l := range ls {
			names = append(names, l.Name+"("+upDown(l.Up)+")")
		}
		have := fmt.Sprintf("%s has %s", label, strings.Join(names, " "))
		if len(c.Only) > 0 {
			if c.Box != "host" && e.sameNetAsHost(pid) {
				return false, label + " is in the host's network namespace"
			}
			var got []string
			for _, l := range ls {
				got = append(got, l.Name)
			}
			if !slices.Equal(got, c.Only) {
				return false, have
			}
			for _, l := range ls {
				if c.Up != nil && l.Up != *c.Up {
					return false, have
				}
			}
			return true, have
		}
		dev := e.expand(c.Dev)
		l := netdev.Find(ls, dev)
		switch {
		case c.Absent:
			return l == nil, have
		case l == nil:
			return false, fmt.Sprintf("%s: no %s", have, dev)
		case c.Up != nil && l.Up != *c.Up:
			return false, fmt.Sprintf("%s is %s in %s", dev, upDown(l.Up), label)
		case c.Addr != "" && !slices.Contains(l.Addrs, c.Addr):
			return false, fmt.Sprintf("%s in %s has the addresses %v, not %s", dev, label, l.Addrs, c.Addr)
		case c.PeerIn != "":
			return c.peer(e, *l, label)
		}
		return true, fmt.Sprintf("%s in %s: %s, %v", dev, label, upDown(l.Up), l.Addrs)
	})
}

// peer looks for l's other end in PeerIn's namespace.
func (c *NetDevCheck) peer(e *env, l netdev.Link, label string) (bool, string) {
	if l.Kind != "veth" {
		return false, fmt.Sprintf("%s in %s is a %s, not a veth", l.Name, label, l.Kind)
	}
	return netOf(e, c.PeerIn, func(plabel string, _ int, ps []netdev.Link) (bool, string) {
		for _, p := range ps {
			if p.Kind == "veth" && p.Index == l.Peer && p.Peer == l.Index && p.PeerNS >= 0 {
				return true, fmt.Sprintf("%s in %s is the peer of %s in %s", p.Name, plabel, l.Name, label)
			}
		}
		return false, fmt.Sprintf("the peer of %s in %s (ifindex %d) is not in %s", l.Name, label, l.Peer, plabel)
	})
}

func upDown(up bool) string {
	if up {
		return "up"
	}
	return "down"
}

// RouteCheck: Box's namespace has a route to Dst ("default" or a CIDR),
// through Via when given.
type RouteCheck struct {
	Box string `yaml:"box"`
	Dst string `yaml:"dst"`
	Via string `yaml:"via"`
}

func (c *RouteCheck) validate() error {
	if c.Box == "" || c.Dst == "" {
		return errors.New("give box and dst")
	}
	return nil
}

func (c *RouteCheck) eval(e *env) (bool, string) {
	return e.anyBox(c.Box, func(b *box.Box) (bool, string) {
		rs, err := e.s.NetRoutes(b.PID)
		if err != nil {
			return false, err.Error()
		}
		var all []string
		for _, r := range rs {
			all = append(all, r.Dst+" via "+r.Gw)
			if r.Dst == c.Dst && (c.Via == "" || r.Gw == c.Via) {
				return true, fmt.Sprintf("%s has the route %s via %s dev %s", b.Name, r.Dst, r.Gw, r.Dev)
			}
		}
		return false, fmt.Sprintf("%s's routes: %v", b.Name, all)
	})
}

// PingCheck: the last ping (from Box, to Addr) got at least Replies echo
// replies; with Lost, sent requests and got no reply; with Errno, was
// refused with that errno.
type PingCheck struct {
	Box     string `yaml:"box"`
	Addr    string `yaml:"addr"`
	Replies int    `yaml:"replies"`
	Lost    bool   `yaml:"lost"`
	Errno   string `yaml:"errno"`
}

func (c *PingCheck) validate() error {
	n := 0
	for _, set := range []bool{c.Replies > 0, c.Lost, c.Errno != ""} {
		if set {
			n++
		}
	}
	if n != 1 {
		return errors.New("give one of replies (at least 1), lost or errno")
	}
	return nil
}

func (c *PingCheck) eval(e *env) (bool, string) {
	p := e.s.LastPing()
	if p == nil {
		return false, "no ping yet"
	}
	what := fmt.Sprintf("the last ping, from %s to %s: %d sent, %d replies", p.Box, p.Addr, p.Sent, p.Received)
	if p.Errno != "" {
		what += ", " + p.Errno
	}
	if (c.Box != "" && c.Box != "any" && c.Box != p.Box) || (c.Addr != "" && c.Addr != p.Addr) {
		return false, what
	}
	switch {
	case c.Errno != "":
		return p.Errno == c.Errno, what
	case c.Lost:
		return p.Errno == "" && p.Sent > 0 && p.Received == 0, what
	}
	return p.Received >= c.Replies, what
}

// VethLeftCheck: with None, no device in the host's network namespace
// carries this hood's mark: every host veth end it made is gone. With
// Orphan, one still does although no box is in the namespace of its peer:
// something else (a name in /run/netns) holds that namespace.
type VethLeftCheck struct {
	None   bool `yaml:"none"`
	Orphan bool `yaml:"orphan"`
}

func (c *VethLeftCheck) validate() error {
	if c.None == c.Orphan {
		return errors.New("veth_left takes {none: true} or {orphan: true}")
	}
	return nil
}

func (c *VethLeftCheck) eval(e *env) (bool, string) {
	ls, err := e.s.NetLinks(e.s.HoodPID)
	if err != nil {
		return false, err.Error()
	}
	mark := netdev.Mark(cgroup.Token(e.s.HoodPID))
	var mine []netdev.Link
	for _, l := range ls {
		if l.Alias == mark {
			mine = append(mine, l)
		}
	}
	if c.None {
		if len(mine) > 0 {
			return false, fmt.Sprintf("%s is still on the host (alias %q)", mine[0].Name, mark)
		}
		return true, "no device on the host carries " + mark
	}
	for _, l := range mine {
		if b := peerBox(e, l); b != "" {
			return false, fmt.Sprintf("%s's peer is in %s's network namespace", l.Name, b)
		}
	}
	if len(mine) == 0 {
		return false, "no device on the host carries " + mark
	}
	return true, fmt.Sprintf("%s is still on the host, and no box is in its peer's namespace", mine[0].Name)
}

// peerBox is the box whose network namespace has the peer of the host
// end l, or "".
func peerBox(e *env, l netdev.Link) string {
	for _, b := range e.s.Boxes {
		ps, err := e.s.NetLinks(b.PID)
		if err != nil {
			continue
		}
		for _, p := range ps {
			if p.Kind == "veth" && p.Index == l.Peer && p.Peer == l.Index && p.PeerNS >= 0 {
				return b.Name
			}
		}
	}
	return ""
}
