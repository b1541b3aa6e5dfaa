package netdev

import (
	"errors"
	"fmt"
	"net"
	"os"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"hood/internal/journal"
	"hood/internal/kernel/call"
)

// MaxName is the longest device name the kernel takes: IFNAMSIZ (16)
// bytes with the terminating NUL.
const MaxName = unix.IFNAMSIZ - 1

// CheckName says what is wrong with a device name, or nil.
func CheckName(name string) error {
	switch {
	case name == "":
		return errors.New("a device name cannot be empty")
	case len(name) > MaxName:
		return fmt.Errorf("device name %q is %d bytes: the kernel takes at most %d (IFNAMSIZ 16 with the NUL)", name, len(name), MaxName)
	case name == "." || name == "..":
		return fmt.Errorf("%q cannot name a device", name)
	}
	for _, r := range name {
		if r == '/' || r == ':' || r <= ' ' || r > '~' {
			return fmt.Errorf("device name %q has %q: a name is printable ASCII without '/', ':' or spaces", name, r)
		}
	}
	return nil
}

// AddVeth creates a veth pair from n: name in n's namespace and peer in
// peerNS's, created there directly (IFLA_NET_NS_FD in the peer's
// attributes). When alias is not "", a second request sets it on name
// (RTM_SETLINK with IFLA_IFALIAS: the kernel ignores an alias given when
// the device is created); should that fail, the pair is deleted again.
func (n *NS) AddVeth(name, peer string, peerNS *NS, alias string) ([]call.Call, error) {
	// NewLinkAttrs leaves the queue length unset (-1): the kernel's default,
	// as ip link add gives it; a zero LinkAttrs would send IFLA_TXQLEN 0.
	la := netlink.NewLinkAttrs()
	la.Name = name
	v := &netlink.Veth{LinkAttrs: la, PeerName: peer, PeerNamespace: netlink.NsFd(peerNS.Fd())}
	if alias != "" {
		// A marked end is a host end: journaled before it is made.
		journal.Will(journal.Veth, name)
	}
	calls, err := n.msg("RTM_NEWLINK", fCreate, n.h.LinkAdd(v), attr("IFLA_IFNAME", call.S(name)),
		attr("IFLA_INFO_KIND", call.S("veth")), attr("VETH_INFO_PEER.IFLA_IFNAME", call.S(peer)),
		attr("VETH_INFO_PEER.IFLA_NET_NS_FD", call.Fd(peerNS.Fd(), "net:"+peerNS.Label)))
	if err != nil || alias == "" {
		if err != nil && alias != "" {
			journal.Done(journal.Veth, name)
		}
		return calls, err
	}
	more, err := n.msg("RTM_SETLINK", fAck, n.h.LinkSetAlias(v, alias),
		call.Named("ifi_index", call.I(int64(v.Index))), attr("IFLA_IFALIAS", call.S(alias)))
	calls = append(calls, more...)
	if err != nil {
		del, _ := n.Delete(name)
		calls = append(calls, del...)
		journal.Done(journal.Veth, name)
	}
	return calls, err
}

// link finds a device by name in n: nil and a clear error when it has none.
func (n *NS) link(name string) (netlink.Link, error) {
	l, err := n.h.LinkByName(name)
	if err != nil {
		var nf netlink.LinkNotFoundError
		if errors.As(err, &nf) || errors.Is(err, unix.ENODEV) {
			return nil, &NoDevice{Name: name, NS: n.Label}
		}
		return nil, err
	}
	return l, nil
}

// NoDevice is the error for a device a namespace does not have.
type NoDevice struct{ Name, NS string }

func (e *NoDevice) Error() string {
	return fmt.Sprintf("no device %q in %s's network namespace", e.Name, e.NS)
}

// SetUp brings a device up (or down): RTM_NEWLINK with ifi_flags IFF_UP
// (or 0) and ifi_change IFF_UP, as the netlink package sends it.
func (n *NS) SetUp(name string, up bool) ([]call.Call, error) {
	l, err := n.link(name)
	if err != nil {
		return nil, err
	}
	flags := call.F(unix.IFF_UP, "IFF_UP")
	f := n.h.LinkSetUp
	if !up {
		flags, f = call.F(0, "0"), n.h.LinkSetDown
	}
	return n.msg("RTM_NEWLINK", fAck, f(l), call.Named("ifi_index", call.I(int64(l.Attrs().Index))),
		call.Named("ifi_flags", flags), call.Named("ifi_change", call.F(unix.IFF_UP, "IFF_UP")))
}

// Rename gives a device a new name: RTM_SETLINK with IFLA_IFNAME. Older
// kernels refuse it (EBUSY) while the device is up.
func (n *NS) Rename(name, to string) ([]call.Call, error) {
	l, err := n.link(name)
	if err != nil {
		return nil, err
	}
	marked := Owner(l.Attrs().Alias) != ""
	if marked {
		journal.Will(journal.Veth, to)
	}
	calls, err := n.msg("RTM_SETLINK", fAck, n.h.LinkSetName(l, to), call.Named("ifi_index", call.I(int64(l.Attrs().Index))),
		attr("IFLA_IFNAME", call.S(to)))
	if marked && err == nil {
		journal.Done(journal.Veth, name)
	} else if marked {
		journal.Done(journal.Veth, to)
	}
	return calls, err
}

// Delete removes a device (for a veth, both ends): RTM_DELLINK.
func (n *NS) Delete(name string) ([]call.Call, error) {
	l, err := n.link(name)
	if err != nil {
		return nil, err
	}
	calls, err := n.msg("RTM_DELLINK", fAck, n.h.LinkDel(l), call.Named("ifi_index", call.I(int64(l.Attrs().Index))))
	if err == nil && Owner(l.Attrs().Alias) != "" {
		journal.Done(journal.Veth, name)
	}
	return calls, err
}

// DeleteMarked deletes the device called name in hood's own network
// namespace if its alias is mark, and nothing else.
func DeleteMarked(procRoot, name, mark string) error {
	n, err := Open(procRoot, os.Getpid(), "host")
	if err != nil {
		return err
	}
	defer n.Close()
	l, err := n.link(name)
	if err != nil {
		return err
	}
	if l.Attrs().Alias != mark {
		return fmt.Errorf("%s's alias is %q, not %q: not removed", name, l.Attrs().Alias, mark)
	}
	_, err = n.msg("RTM_DELLINK", fAck, n.h.LinkDel(l), call.Named("ifi_index", call.I(int64(l.Attrs().Index))))
	return err
}

// HostAlias is the alias of the device called name in hood's own network
// namespace; ok is false when it has no such device.
func HostAlias(procRoot, name string) (alias string, ok bool) {
	n, err := Open(procRoot, os.Getpid(), "host")
	if err != nil {
		return "", false
	}
	defer n.Close()
	l, err := n.link(name)
	if err != nil {
		return "", false
	}
	return l.Attrs().Alias, true
}

// AddAddr puts an address on a device: RTM_NEWADDR with IFA_LOCAL and
// IFA_ADDRESS, and IFA_BROADCAST, which the netlink package computes for
// an IPv4 prefix of /30 or larger.
func (n *NS) AddAddr(name string, ip *net.IPNet) ([]call.Call, error) {
	l, err := n.link(name)
	if err != nil {
		return nil, err
	}
	ones, _ := ip.Mask.Size()
	a := &netlink.Addr{IPNet: ip}
	err = n.h.AddrAdd(l, a) // fills in a.Broadcast, as it sends it
	attrs := []call.Arg{call.Named("ifa_index", call.I(int64(l.Attrs().Index))), call.Named("ifa_prefixlen", call.I(int64(ones))),
		attr("IFA_LOCAL", call.S(ip.IP.String())), attr("IFA_ADDRESS", call.S(ip.IP.String()))}
	if a.Broadcast != nil {
		attrs = append(attrs, attr("IFA_BROADCAST", call.S(a.Broadcast.String())))
	}
	return n.msg("RTM_NEWADDR", fCreate, err, attrs...)
}

// AddRoute adds a route: to dst (nil: the default route) through gw (nil:
// directly on the device dev's link).
func (n *NS) AddRoute(dst *net.IPNet, gw net.IP, dev string) ([]call.Call, error) {
	r := &netlink.Route{Dst: dst, Gw: gw}
	var attrs []call.Arg
	if dst != nil {
		attrs = append(attrs, attr("RTA_DST", call.S(dst.String())))
	} else {
		attrs = append(attrs, call.Named("rtm_dst_len", call.I(0)))
	}
	if gw != nil {
		attrs = append(attrs, attr("RTA_GATEWAY", call.S(gw.String())))
	}
	if dev != "" {
		l, err := n.link(dev)
		if err != nil {
			return nil, err
		}
		r.LinkIndex = l.Attrs().Index
		r.Scope = netlink.SCOPE_LINK
		attrs = append(attrs, attr("RTA_OIF", call.I(int64(r.LinkIndex))), call.Named("rtm_scope", call.F(unix.RT_SCOPE_LINK, "RT_SCOPE_LINK")))
	}
	return n.msg("RTM_NEWROUTE", fCreate, n.h.RouteAdd(r), attrs...)
}
