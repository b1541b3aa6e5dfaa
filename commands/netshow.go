package commands

import (
	"fmt"
	"strconv"
	"strings"

	"hood/internal/kernel/netdev"
	"hood/internal/result"
)

func init() {
	register(&Command{UsageLine: "net show [TARGET]", Short: "devices, addresses and routes as a box (or host, or PID) sees them, beside the host's",
		Long: `Lists the network devices of TARGET's network namespace (the current box's
by default) with their state, MAC address, MTU and addresses, and for a
veth the device at its other end and the namespace that end is in; then
the routes of the main table. The host's are shown beside them. hood asks
the kernel with RTM_GETLINK, RTM_GETADDR and RTM_GETROUTE dumps on a
netlink socket opened in that namespace.`,
		Args: []Arg{ArgTarget}, Run: netShow})
}

// netView is one namespace's devices and routes, read for net show.
type netView struct {
	label  string
	pid    int
	links  []netdev.Link
	routes []netdev.Route
	nsid   string // net:[inode]
}

func (s *Session) netView(label string, pid int) (netView, error) {
	v := netView{label: label, pid: pid}
	n, err := s.netNS(pid, label)
	if err != nil {
		return v, err
	}
	defer n.Close()
	if v.links, err = n.Links(); err != nil {
		return v, err
	}
	if v.routes, err = n.Routes(); err != nil {
		return v, err
	}
	if l, err := s.links(pid); err == nil {
		v.nsid = l["net"]
	}
	return v, nil
}

func netShow(s *Session, args []string) (*result.Result, error) {
	tg, err := s.optionalTarget("net show [TARGET]", args)
	if err != nil {
		return nil, err
	}
	views := []netView{}
	mine, err := s.netView(tg.Label, tg.PID)
	if err != nil {
		return nil, err
	}
	host, err := s.netView("host", s.HoodPID)
	if err != nil {
		return nil, err
	}
	views = append(views, mine)
	same := mine.nsid == host.nsid
	if !same {
		views = append(views, host)
	}
	// The other boxes' namespaces, to name where a veth's peer is.
	all := append([]netView{}, views...)
	for _, b := range s.Boxes {
		if b.PID != tg.PID {
			if v, err := s.netView(b.Name, b.PID); err == nil {
				all = append(all, v)
			}
		}
	}
	r := &result.Result{Table: &result.Table{Header: []string{"NS", "DEV", "STATE", "MAC", "MTU", "PEER", "ADDRESSES"}}}
	for _, v := range views {
		for _, l := range v.links {
			state := "DOWN"
			if l.Up {
				state = "UP"
			}
			if l.Oper != "" && l.Oper != "unknown" && l.Oper != strings.ToLower(state) {
				state += " (" + l.Oper + ")"
			}
			r.Table.Rows = append(r.Table.Rows, []string{v.label, l.Name, state, l.MAC, strconv.Itoa(l.MTU), peerOf(v, l, all), strings.Join(l.Addrs, " ")})
			r.Table.Mark = append(r.Table.Mark, v.label != "host")
		}
	}
	for _, v := range views {
		var rs []string
		for _, rt := range v.routes {
			x := rt.Dst
			if rt.Gw != "" {
				x += " via " + rt.Gw
			}
			x += " dev " + rt.Dev
			if rt.Scope == "link" {
				x += " scope link"
			}
			rs = append(rs, x)
		}
		if len(rs) == 0 {
			rs = []string{"none"}
		}
		r.Say("routes ("+v.label+")", "%s", strings.Join(rs, "; "))
	}
	if same {
		r.Say("namespace", "%s is in the host's network namespace (%s): it sees the host's devices", tg.Label, mine.nsid)
		r.Shell = "ip -d link; ip addr; ip route"
	} else {
		r.Say("namespace", "%s: %s, host: %s", tg.Label, mine.nsid, host.nsid)
		r.Shell = fmt.Sprintf("nsenter -t %d -n ip -d link; nsenter -t %d -n ip addr; nsenter -t %d -n ip route", tg.PID, tg.PID, tg.PID)
	}
	r.Meaning = "Each network namespace has its own devices, addresses, routes and firewall: a new one has only lo, and lo is down."
	return r, nil
}

// peerOf names a veth's other end and the namespace it is in.
func peerOf(v netView, l netdev.Link, all []netView) string {
	if l.Kind != "veth" || l.Peer == 0 {
		return ""
	}
	for _, o := range all {
		if l.PeerNS < 0 && o.nsid != v.nsid {
			continue // the peer is in this namespace
		}
		if l.PeerNS >= 0 && o.nsid == v.nsid {
			continue
		}
		for _, p := range o.links {
			if p.Kind == "veth" && p.Index == l.Peer && p.Peer == l.Index {
				return p.Name + " in " + o.label
			}
		}
	}
	if l.PeerNS >= 0 {
		return fmt.Sprintf("ifindex %d in netnsid %d", l.Peer, l.PeerNS)
	}
	return fmt.Sprintf("ifindex %d", l.Peer)
}
