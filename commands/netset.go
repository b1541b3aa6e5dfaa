package commands

import (
	"fmt"
	"net"
	"strings"
	"time"

	"hood/internal/kernel/call"
	"hood/internal/kernel/netdev"
	"hood/internal/result"
)

const hostNote = `

With --host, the change is made on the host end of a veth pair this hood
made (it carries hood's mark); hood refuses --host on any other host device.`

func init() {
	register(
		&Command{UsageLine: "net addr DEV CIDR [--host]", Short: "put an IPv4 address on a device in the box (RTM_NEWADDR)",
			Long: `Adds the address, such as 172.22.0.2/24, to DEV in the current box's network
namespace, as ip addr add does; the kernel also adds the route to the
prefix on that device (proto kernel). hood refuses an address that a host
device already has, or one inside a network the host routes somewhere
other than a veth end hood made: the box would shadow part of the host's
network.` + hostNote, Flags: []string{"--host"}, Run: netAddr},
		&Command{UsageLine: "net up DEV [--host]", Short: "bring a device up (RTM_NEWLINK with IFF_UP)",
			Long: `Sets IFF_UP on DEV, as ip link set DEV up does. A veth end carries packets
only when both ends are up; lo must be up for 127.0.0.1 to answer.` + hostNote, Flags: []string{"--host"}, Run: netUp},
		&Command{UsageLine: "net down DEV [--host]", Short: "take a device down (RTM_NEWLINK clearing IFF_UP)",
			Long: `Clears IFF_UP on DEV, as ip link set DEV down does; the routes through it
stop being used.` + hostNote, Flags: []string{"--host"}, Run: netDown},
		&Command{UsageLine: "net rename DEV NEW [--host]", Short: "rename a device (RTM_SETLINK with IFLA_IFNAME)",
			Long: `Renames DEV to NEW, as ip link set DEV name NEW does. Older kernels
refuse (EBUSY) while the device is up; take it down first there.` + hostNote, Flags: []string{"--host"}, Run: netRename},
		&Command{UsageLine: "net route default via IP", Short: "add the box's default route through a gateway (RTM_NEWROUTE)",
			Long: `Adds 0.0.0.0/0 via IP in the current box's namespace, as ip route add
default via IP does. The gateway must be reachable on a network a device
of the box already has (the kernel answers ENETUNREACH otherwise).`, Run: netRouteDefault},
		&Command{UsageLine: "net route add CIDR dev DEV", Short: "add a route to a network straight through a device (RTM_NEWROUTE)",
			Long: `Adds a link-scope route to CIDR on DEV in the current box's namespace, as
ip route add CIDR dev DEV does: the addresses in CIDR are reached directly
on DEV's link, with no gateway.`, Run: netRouteAdd},
	)
}

// netTarget opens where a change to dev goes: the current box's network
// namespace, or with --host the host end of a pair hood made. shell is the
// prefix of the equivalent command there.
func (s *Session) netTarget(dev string, host bool, what string) (n *netdev.NS, shell string, err error) {
	if host {
		n, err = s.hostEnd(dev)
		return n, "ip", err
	}
	b, n, err := s.boxNet(what)
	if err != nil {
		return nil, "", err
	}
	return n, fmt.Sprintf("nsenter -t %d -n ip", b.PID), nil
}

func netAddr(s *Session, args []string) (*result.Result, error) {
	const usage = "net addr DEV CIDR [--host]"
	args, host := hostFlag(args)
	if len(args) != 2 {
		return nil, result.Usagef(usage, "name a device and an address, such as `net addr eth0 172.22.0.2/24`")
	}
	ipn, err := parseCIDR(usage, args[1])
	if err != nil {
		return nil, err
	}
	if err := s.hostUses(ipn); err != nil {
		return nil, err
	}
	if host {
		if err := s.hostMayRoute(ipn); err != nil {
			return nil, err
		}
	}
	n, shell, err := s.netTarget(args[0], host, "an address on it")
	if err != nil {
		return nil, err
	}
	defer n.Close()
	calls, err := n.AddAddr(args[0], ipn)
	r := &result.Result{Syscalls: calls, Shell: fmt.Sprintf("%s addr add %s dev %s", shell, ipn, args[0])}
	if err != nil {
		return r, netErr(calls, err)
	}
	r.Say(n.Label, "%s has %s; %s", args[0], ipn, prefixRoute(n, ipn, args[0]))
	r.Meaning = "An address belongs to one namespace's device: the other namespaces do not see it, and packets to it arrive only through that namespace's devices."
	return r, nil
}

// prefixRoute says whether the kernel has added the route to the address's
// network (it does while the device is up).
func prefixRoute(n *netdev.NS, ipn *net.IPNet, dev string) string {
	dst := maskedNet(ipn)
	if rs, err := n.Routes(); err == nil {
		for _, rt := range rs {
			if rt.Dst == dst && rt.Dev == dev {
				return fmt.Sprintf("the kernel added the route %s dev %s (proto kernel)", dst, dev)
			}
		}
	}
	return fmt.Sprintf("the kernel adds the route %s dev %s once %s is up", dst, dev, dev)
}

func maskedNet(n *net.IPNet) string {
	return (&net.IPNet{IP: n.IP.Mask(n.Mask), Mask: n.Mask}).String()
}

// hostRange is where hood puts addresses on the host's side of its pairs.
var hostRange = &net.IPNet{IP: net.IPv4(172, 22, 0, 0).To4(), Mask: net.CIDRMask(16, 32)}

// hostMayRoute refuses a host-side address whose network is not a /24 (or
// narrower) in 172.22.0.0/16 that no host route touches, but for routes
// through this hood's own veth ends: the address puts a route to its
// network into the host's own table, and a wider network, or one the host
// (or another hood) already routes, would take the host's traffic.
func (s *Session) hostMayRoute(ipn *net.IPNet) error {
	ones, _ := ipn.Mask.Size()
	network := maskedNet(ipn)
	here := s.LabNet() + ".0/24"
	if !hostRange.Contains(ipn.IP) || ones < 24 {
		return &result.UsageError{Msg: fmt.Sprintf("on the host, hood adds addresses only in %s with a prefix of /24 or longer (such as %s.1/24): the address puts a route to %s into the host's own routing table, which must not take traffic from the host's networks", hostRange, s.LabNet(), network)}
	}
	ls, rs, err := s.hostNetwork()
	if err != nil {
		return err
	}
	_, want, _ := net.ParseCIDR(network)
	for _, rt := range rs {
		if rt.Dst == "default" {
			continue
		}
		_, dst, err := net.ParseCIDR(rt.Dst)
		if err != nil || !(dst.Contains(want.IP) || want.Contains(dst.IP)) {
			continue
		}
		if l := netdev.Find(ls, rt.Dev); l != nil && l.Alias == s.myMark() {
			continue // this hood's own pair
		}
		return &result.UsageError{Msg: fmt.Sprintf("%s overlaps %s, which the host already routes through %s: two routes to one network would send the host's packets to the wrong place; pick another network, such as %s", network, rt.Dst, rt.Dev, here)}
	}
	return nil
}

// hostNetwork reads the host's devices and routes.
func (s *Session) hostNetwork() ([]netdev.Link, []netdev.Route, error) {
	n, err := s.netNS(s.HoodPID, "host")
	if err != nil {
		return nil, nil, err
	}
	defer n.Close()
	ls, err := n.Links()
	if err != nil {
		return nil, nil, err
	}
	rs, err := n.Routes()
	return ls, rs, err
}

// hostUses refuses an address that a host device has, or one inside a
// network the host routes other than through a veth end hood made.
func (s *Session) hostUses(ipn *net.IPNet) error {
	ls, rs, err := s.hostNetwork()
	if err != nil {
		return err
	}
	for _, l := range ls {
		for _, a := range l.Addrs {
			if ip, _, _ := net.ParseCIDR(a); ip != nil && ip.Equal(ipn.IP) {
				return &result.UsageError{Msg: fmt.Sprintf("%s is already an address of the host's %s: pick one in %s.0/24, the lab's range here", ipn.IP, l.Name, s.LabNet())}
			}
		}
	}
	for _, rt := range rs {
		if rt.Dst == "default" {
			continue
		}
		_, dst, err := net.ParseCIDR(rt.Dst)
		if err != nil || !dst.Contains(ipn.IP) {
			continue
		}
		if l := netdev.Find(ls, rt.Dev); l != nil && netdev.Owner(l.Alias) != "" {
			continue // a veth end hood made
		}
		return &result.UsageError{Msg: fmt.Sprintf("%s is inside %s, which the host routes through %s: an address there would clash with the host's network; pick one in %s.0/24, the lab's range here", ipn.IP, rt.Dst, rt.Dev, s.LabNet())}
	}
	return nil
}

func netUp(s *Session, args []string) (*result.Result, error)   { return netSetUp(s, args, true) }
func netDown(s *Session, args []string) (*result.Result, error) { return netSetUp(s, args, false) }

func netSetUp(s *Session, args []string, up bool) (*result.Result, error) {
	word := upDown(up)
	usage := "net " + word + " DEV [--host]"
	args, host := hostFlag(args)
	if len(args) != 1 {
		return nil, result.Usagef(usage, "name one device, such as `net %s eth0`", word)
	}
	n, shell, err := s.netTarget(args[0], host, "bringing a device "+word)
	if err != nil {
		return nil, err
	}
	defer n.Close()
	before := "?"
	if ls, err := n.Links(); err == nil {
		if l := netdev.Find(ls, args[0]); l != nil {
			before = upDown(l.Up) + " (operstate " + l.Oper + ")"
		}
	}
	calls, err := n.SetUp(args[0], up)
	r := &result.Result{Syscalls: calls, Shell: fmt.Sprintf("%s link set %s %s", shell, args[0], word)}
	if err != nil {
		return r, netErr(calls, err)
	}
	if l := settled(n, args[0]); l != nil {
		r.Changes = append(r.Changes, result.Change{Path: n.Label + ": " + args[0], Before: before,
			After: upDown(l.Up) + " (operstate " + l.Oper + ")", Note: operNote(*l)})
	}
	r.Meaning = "IFF_UP is the administrative switch; the operational state says whether packets can flow (a veth end has no carrier, operstate down, until its peer is up too)."
	return r, nil
}

// settled reads dev once its operational state has caught up with its
// carrier: the kernel sets the carrier at once and the operstate a moment
// later, so a veth end whose peer is up reads "operstate down" at first.
// It waits at most a second and a half.
func settled(n *netdev.NS, dev string) *netdev.Link {
	var l *netdev.Link
	for range 75 {
		ls, err := n.Links()
		if err != nil {
			return l
		}
		if l = netdev.Find(ls, dev); l == nil || !l.Up || !l.Carrier || l.Oper == "up" || l.Oper == "unknown" {
			return l
		}
		time.Sleep(20 * time.Millisecond)
	}
	return l
}

func operNote(l netdev.Link) string {
	switch {
	case l.Kind == "veth" && l.Up && !l.Carrier:
		return "no carrier: its peer is still down"
	case l.Up && l.Carrier && l.Oper != "up" && l.Oper != "unknown":
		return "carrier on; the kernel has not set the operational state yet"
	}
	return ""
}

func netRename(s *Session, args []string) (*result.Result, error) {
	const usage = "net rename DEV NEW [--host]"
	args, host := hostFlag(args)
	if len(args) != 2 {
		return nil, result.Usagef(usage, "name the device and its new name, such as `net rename veth1 eth0`")
	}
	if err := netdev.CheckName(args[1]); err != nil {
		return nil, result.Usagef(usage, "%v", err)
	}
	n, shell, err := s.netTarget(args[0], host, "renaming a device")
	if err != nil {
		return nil, err
	}
	defer n.Close()
	if ls, err := n.Links(); err == nil && netdev.Find(ls, args[1]) != nil {
		return nil, &result.UsageError{Msg: fmt.Sprintf("%s's network namespace already has a device %q", n.Label, args[1])}
	}
	calls, err := n.Rename(args[0], args[1])
	r := &result.Result{Syscalls: calls, Shell: fmt.Sprintf("%s link set %s name %s", shell, args[0], args[1])}
	if err != nil {
		return r, netErr(calls, err)
	}
	for i := range s.net.pairs {
		p := &s.net.pairs[i]
		switch {
		case host && p.Host && p.A == args[0]:
			p.A = args[1]
		case !host && p.B == args[0] && s.Current != nil && p.BBox == s.Current.Name:
			p.B = args[1]
		}
	}
	r.Changes = append(r.Changes, result.Change{Path: n.Label + ": device name", Before: args[0], After: args[1]})
	r.Meaning = "A device's name is only a label in its namespace: the ifindex stays, and two namespaces may each have an eth0."
	return r, nil
}

func netRouteDefault(s *Session, args []string) (*result.Result, error) {
	const usage = "net route default via IP"
	if err := noHostRoute(args); err != nil {
		return nil, err
	}
	// The command's name is "net route default via": args is the rest.
	if len(args) != 1 {
		return nil, result.Usagef(usage, "give the gateway, such as `net route default via 172.22.0.1`")
	}
	gw := net.ParseIP(args[0]).To4()
	if gw == nil {
		return nil, result.Usagef(usage, "%q is not an IPv4 address", args[0])
	}
	b, n, err := s.boxNet("a route in it")
	if err != nil {
		return nil, err
	}
	defer n.Close()
	calls, err := n.AddRoute(nil, gw, "")
	r := &result.Result{Syscalls: calls, Shell: fmt.Sprintf("nsenter -t %d -n ip route add default via %s", b.PID, gw)}
	if err != nil {
		return r, s.routeErr(n, calls, err, gw)
	}
	r.Say(b.Name, "default via %s: every address with no more specific route goes to that gateway", gw)
	r.Meaning = "The default route names the next hop for everything else; whether the gateway passes packets further (forwarding, NAT) is up to the namespace it lives in."
	return r, nil
}

// routeErr explains a refused route, looking at the box's networks.
func (s *Session) routeErr(n *netdev.NS, calls []call.Call, err error, gw net.IP) error {
	e := netErr(calls, err)
	ke, ok := e.(*result.KernelError)
	if !ok || ke.ErrName != "ENETUNREACH" || gw == nil {
		return e
	}
	var nets []string
	if rs, rerr := n.Routes(); rerr == nil {
		for _, rt := range rs {
			if rt.Scope == "link" {
				nets = append(nets, rt.Dst+" dev "+rt.Dev)
			}
		}
	}
	have := "none: no device of " + n.Label + " has an address, or none is up"
	if len(nets) > 0 {
		have = strings.Join(nets, ", ")
	}
	ke.Meaning += fmt.Sprintf("; %s is on none of the networks %s reaches directly (%s)", gw, n.Label, have)
	return ke
}

func netRouteAdd(s *Session, args []string) (*result.Result, error) {
	const usage = "net route add CIDR dev DEV"
	if err := noHostRoute(args); err != nil {
		return nil, err
	}
	if len(args) != 3 || args[1] != "dev" {
		return nil, result.Usagef(usage, "such as `net route add 172.22.0.0/24 dev eth0`")
	}
	ipn, err := parseCIDR(usage, args[0])
	if err != nil {
		return nil, err
	}
	dst := &net.IPNet{IP: ipn.IP.Mask(ipn.Mask), Mask: ipn.Mask}
	b, n, err := s.boxNet("a route in it")
	if err != nil {
		return nil, err
	}
	defer n.Close()
	calls, err := n.AddRoute(dst, nil, args[2])
	r := &result.Result{Syscalls: calls, Shell: fmt.Sprintf("nsenter -t %d -n ip route add %s dev %s", b.PID, dst, args[2])}
	if err != nil {
		return r, netErr(calls, err)
	}
	r.Say(b.Name, "%s dev %s scope link", dst, args[2])
	r.Meaning = "A link-scope route says the addresses are on the device's own link: the kernel asks for them there directly (ARP), with no gateway."
	return r, nil
}

func upDown(up bool) string {
	if up {
		return "up"
	}
	return "down"
}

// noHostRoute refuses --host on a route: hood changes no route of the
// host's, and the host reaches a pair's network already, through the route
// the kernel adds for the address on the host end.
func noHostRoute(args []string) error {
	if _, host := hostFlag(args); host {
		return &result.UsageError{Msg: "hood adds no route to the host's routing table (--host): the host already reaches a pair's network through the route the kernel added with the address on its end (net show host lists it)"}
	}
	return nil
}
