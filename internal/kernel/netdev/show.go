package netdev

import (
	"errors"
	"net"
	"sort"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// Link is a device as a namespace's RTM_GETLINK dump shows it.
type Link struct {
	Index int
	Name  string
	Kind  string // "veth", "device" (lo, a physical NIC), ...
	Up    bool   // IFF_UP: administratively up
	// Carrier is IFF_LOWER_UP, the carrier as the kernel has it now; the
	// operational state follows it a moment later (linkwatch). A veth
	// end has carrier when both ends are up.
	Carrier bool
	Oper    string // operational state: "up", "down", "lowerlayerdown", "unknown"
	MAC     string
	MTU     int
	Alias   string // IFLA_IFALIAS; hood marks the host ends it makes
	Peer    int    // a veth's peer: its ifindex (IFLA_LINK)
	PeerNS  int    // IFLA_LINK_NETNSID: -1 when the peer is in this namespace
	Addrs   []string
}

// Route is one route of the main table.
type Route struct {
	Dst, Gw, Dev, Src, Scope string
}

// dump runs a netlink dump again when the kernel says it was interrupted
// (NLM_F_DUMP_INTR: the table changed while it was read, as it does when
// other hoods add and remove devices), so that no list is ever partial.
func dump[T any](f func() (T, error)) (T, error) {
	for i := 0; ; i++ {
		v, err := f()
		if errors.Is(err, netlink.ErrDumpInterrupted) && i < 10 {
			continue
		}
		return v, err
	}
}

// Links lists the devices of n, by index, with their addresses.
func (n *NS) Links() ([]Link, error) {
	ls, err := dump(n.h.LinkList)
	if err != nil {
		return nil, err
	}
	out := make([]Link, 0, len(ls))
	for _, l := range ls {
		a := l.Attrs()
		d := Link{Index: a.Index, Name: a.Name, Kind: l.Type(), Up: a.Flags&net.FlagUp != 0,
			Carrier: a.RawFlags&unix.IFF_LOWER_UP != 0, Oper: a.OperState.String(), MTU: a.MTU, Alias: a.Alias, PeerNS: -1}
		if a.HardwareAddr != nil {
			d.MAC = a.HardwareAddr.String()
		}
		if _, ok := l.(*netlink.Veth); ok {
			d.Peer, d.PeerNS = a.ParentIndex, a.NetNsID
		}
		addrs, err := dump(func() ([]netlink.Addr, error) { return n.h.AddrList(l, unix.AF_UNSPEC) })
		if err != nil && !errors.Is(err, unix.ENODEV) { // ENODEV: the device went meanwhile
			return nil, err
		}
		for _, ad := range addrs {
			d.Addrs = append(d.Addrs, ad.IPNet.String())
		}
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Index < out[j].Index })
	return out, nil
}

// Routes lists n's IPv4 routes in the main table.
func (n *NS) Routes() ([]Route, error) {
	rs, err := dump(func() ([]netlink.Route, error) { return n.h.RouteList(nil, unix.AF_INET) })
	if err != nil {
		return nil, err
	}
	names := map[int]string{}
	if ls, err := dump(n.h.LinkList); err == nil {
		for _, l := range ls {
			names[l.Attrs().Index] = l.Attrs().Name
		}
	}
	var out []Route
	for _, r := range rs {
		x := Route{Dst: "default", Dev: names[r.LinkIndex], Scope: r.Scope.String()}
		if ones, _ := maskSize(r.Dst); r.Dst != nil && (ones > 0 || !r.Dst.IP.IsUnspecified()) {
			x.Dst = r.Dst.String()
		}
		if r.Gw != nil {
			x.Gw = r.Gw.String()
		}
		if r.Src != nil {
			x.Src = r.Src.String()
		}
		out = append(out, x)
	}
	return out, nil
}

// Find is the device named name in ls, or nil.
func Find(ls []Link, name string) *Link {
	for i := range ls {
		if ls[i].Name == name {
			return &ls[i]
		}
	}
	return nil
}

// HasIP reports whether any device in ls has the address ip.
func HasIP(ls []Link, ip net.IP) bool {
	for _, l := range ls {
		for _, a := range l.Addrs {
			if x, _, err := net.ParseCIDR(a); err == nil && x.Equal(ip) {
				return true
			}
		}
	}
	return false
}

func maskSize(n *net.IPNet) (int, int) {
	if n == nil {
		return 0, 0
	}
	return n.Mask.Size()
}
