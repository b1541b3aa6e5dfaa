package commands

import (
	"encoding/json"
	"fmt"
	"net"
	"strconv"
	"strings"

	"hood/internal/box"
	"hood/internal/kernel/netdev"
	"hood/internal/result"
)

func init() {
	register(&Command{UsageLine: "ping ADDR [-c N]", Short: "send ICMP echo requests from the box (built in, on a raw socket)",
		Long: `A child of the current box, so in its namespaces and with its credentials,
opens a raw ICMP socket (socket(AF_INET, SOCK_RAW, IPPROTO_ICMP), which
needs CAP_NET_RAW in the user namespace that owns the box's network
namespace), sends N echo requests (3 by default, at most 10) with sendto
and waits up to a second for each reply with recvfrom. hood pings only
addresses on devices of the box's own namespace or at the other end of a
veth pair hood made from it (or any address the box has no route to,
which the kernel refuses to send at all): no packet leaves the machine.`,
		Flags: []string{"-c"}, Run: ping})
}

func ping(s *Session, args []string) (*result.Result, error) {
	const usage = "ping ADDR [-c N]"
	count := 3
	var addr string
	for i := 0; i < len(args); i++ {
		switch {
		case args[i] == "-c" && i+1 < len(args):
			n, err := strconv.Atoi(args[i+1])
			if err != nil || n < 1 || n > 10 {
				return nil, result.Usagef(usage, "-c takes a count from 1 to 10, not %q", args[i+1])
			}
			count = n
			i++
		case addr == "" && !strings.HasPrefix(args[i], "-"):
			addr = args[i]
		default:
			return nil, result.Usagef(usage, "unexpected %q", args[i])
		}
	}
	ip := net.ParseIP(addr).To4()
	if ip == nil {
		return nil, result.Usagef(usage, "name an IPv4 address, such as `ping 172.22.0.1`")
	}
	b, err := s.box()
	if err != nil {
		return nil, err
	}
	if shared, err := s.sharesHostNet(b); err != nil || shared {
		return nil, &result.UsageError{Msg: fmt.Sprintf("refused: %s shares the host's network namespace, and hood never pings from there (a packet from the host's namespace could leave the machine); `unshare net` first", b.Name)}
	}
	n, err := s.netNS(b.PID, b.Name)
	if err != nil {
		return nil, err
	}
	links, lerr := n.Links()
	routes, rerr := n.Routes()
	n.Close()
	if lerr != nil || rerr != nil {
		return nil, fmt.Errorf("reading %s's network: %v %v", b.Name, lerr, rerr)
	}
	why, ok := s.pingAllowed(b, ip, links, routes)
	if !ok {
		return nil, &result.UsageError{Msg: why}
	}
	var p box.Probe
	var out []byte
	if s.Terminal {
		// The terminal's foreground job, as `run` starts a program:
		// Ctrl-C stops the ping, not hood.
		p, out, err = b.RunGoProbeOn(s.Stdin, "go-ping", ip.String(), strconv.Itoa(count), "1000")
	} else {
		p, out, err = b.RunGoProbe("go-ping", ip.String(), strconv.Itoa(count), "1000")
	}
	r := &result.Result{}
	r.Add(p.Fork)
	if p.Fork.Failed() {
		return r, s.forkErr(b, p.Fork)
	}
	if err != nil {
		return r, err
	}
	var rep netdev.PingReport
	if err := json.Unmarshal(out, &rep); err != nil {
		return r, fmt.Errorf("the ping probe's report: %v", err)
	}
	who := fmt.Sprintf("%s's ping (PID %d)", b.Name, p.HostPID)
	for _, c := range rep.Calls {
		c.Who, c.PID = who, p.HostPID
		r.Add(c)
	}
	s.net.ping = &PingOutcome{Box: b.Name, Addr: ip.String(), Sent: rep.Sent, Received: rep.Received, Errno: rep.Errno}
	r.Shell = fmt.Sprintf("nsenter -t %d -n ping -c %d %s", b.PID, count, ip)
	if len(rep.Calls) > 0 && rep.Calls[0].Failed() {
		r.Say("socket", "a raw socket needs CAP_NET_RAW in the user namespace that owns %s's network namespace, and the ping did not hold it there; %s", b.Name, s.pingGroupNote(b))
	} else {
		r.Say("socket", "raw (SOCK_RAW): the kernel let the ping open one, so it holds CAP_NET_RAW in the user namespace that owns %s's network namespace; %s", b.Name, s.pingGroupNote(b))
	}
	switch {
	case rep.Errno == "ENETUNREACH":
		r.Say("unreachable", "%s", unreachableWhy(b.Name, links, routes))
		return r, kernelErr(lastFailed(r.Syscalls), "")
	case rep.Errno != "":
		return r, kernelErr(lastFailed(r.Syscalls), "")
	}
	loss := 100 * (rep.Sent - rep.Received) / max(rep.Sent, 1)
	r.Say("ping", "%d sent, %d received, %d%% loss", rep.Sent, rep.Received, loss)
	if rep.Interrupted {
		r.Say("stopped", "by Ctrl-C (SIGINT) after %d of %d requests", rep.Sent, count)
	}
	if len(rep.RTTs) > 0 {
		r.Say("rtt", "%s ms", fmtRTTs(rep.RTTs))
	}
	r.Meaning = "The echo requests and replies went only through the box's own devices, and across a veth pair hood made when the address is at its far end: namespaces are joined only where a veth joins them."
	if rep.Received == 0 {
		r.Meaning = "No reply reached the ping within a second per request: the address is routed, but the request or its reply was lost on the way (a device down, no route back, or a firewall rule)."
		if s.boxDrops(b, "icmp", r) {
			r.Say("firewall", "%s's own ruleset drops incoming icmp (net rule ls): an echo reply that came back died at its input hook", b.Name)
		}
	}
	return r, nil
}

func lastFailed(calls []result.Syscall) result.Syscall {
	for i := len(calls) - 1; i >= 0; i-- {
		if calls[i].Failed() {
			return calls[i]
		}
	}
	return result.Syscall{}
}

func fmtRTTs(v []float64) string {
	parts := make([]string, len(v))
	for i, x := range v {
		parts[i] = strconv.FormatFloat(x, 'f', 3, 64)
	}
	return strings.Join(parts, " ")
}

// pingGroupNote reads net.ipv4.ping_group_range as the box sees it (it
// is per network namespace) to say why the ping is not a datagram socket.
func (s *Session) pingGroupNote(b *box.Box) string {
	data, err := b.ReadFile("/proc/sys/net/ipv4/ping_group_range")
	if err != nil {
		return "net.ipv4.ping_group_range could not be read in the box"
	}
	f := strings.Fields(string(data))
	v := strings.Join(f, " ")
	lo, hi := -1, -1
	if len(f) == 2 {
		lo, _ = strconv.Atoi(f[0])
		hi, _ = strconv.Atoi(f[1])
	}
	if lo > hi {
		note := "a datagram ICMP socket would need the caller's group in net.ipv4.ping_group_range, which reads %q in the box: its low end is above its high end, an empty range, no group at all (every new network namespace starts with \"1 0\")"
		if lo == 65534 {
			note += "; 65534 is the overflow gid: gid 1 has no mapping in the box's user namespace"
		}
		return fmt.Sprintf(note, v)
	}
	return fmt.Sprintf("net.ipv4.ping_group_range is %q in the box (the groups that may open datagram ICMP sockets)", v)
}

// unreachableWhy says why the kernel had no route, from what the box has.
func unreachableWhy(name string, links []netdev.Link, routes []netdev.Route) string {
	var devs []string
	for _, l := range links {
		st := "down"
		if l.Up {
			st = "up"
		}
		devs = append(devs, l.Name+" ("+st+")")
	}
	why := fmt.Sprintf("%s's namespace has the devices %s and %d route(s)", name, strings.Join(devs, ", "), len(routes))
	if len(links) == 1 && links[0].Name == "lo" && !links[0].Up {
		why = fmt.Sprintf("%s's namespace has only lo, and lo is down: no route exists, so the kernel refused at sendto", name)
	}
	return why
}

// pingAllowed decides whether a ping from b to ip stays on the machine: ip
// is on a device of b's namespace, or on the far end of a veth pair hood
// made with its near end there; or ip is in the lab's range, 172.22.0.0/16,
// and b's namespace has no route to it at all (the kernel refuses to send:
// ENETUNREACH). Any other address is refused, the host's own first.
func (s *Session) pingAllowed(b *box.Box, ip net.IP, links []netdev.Link, routes []netdev.Route) (string, bool) {
	if netdev.HasIP(links, ip) {
		return "", true
	}
	mine := ""
	if l, err := s.links(b.PID); err == nil {
		mine = l["net"]
	}
	// Pairs are matched by namespace, not by box: a box that entered
	// another's network namespace is at the same end of the pair.
	for _, p := range s.net.pairs {
		var farNS, far string
		var farPID int
		switch {
		case p.BNS == mine && netdev.Find(links, p.B) != nil:
			farNS, far, farPID = p.ANS, p.A, p.APID
		case p.ANS == mine && netdev.Find(links, p.A) != nil:
			farNS, far, farPID = p.BNS, p.B, p.BPID
		default:
			continue
		}
		if pid := s.pidInNet(farNS, farPID); pid > 0 {
			if ls, err := s.NetLinks(pid); err == nil {
				if l := netdev.Find(ls, far); l != nil && netdev.HasIP([]netdev.Link{*l}, ip) {
					return "", true
				}
			}
		}
	}
	refused := fmt.Sprintf("refused: %s is not an address of %s's own devices nor of the far end of a veth pair hood made from %s's network namespace; hood pings nothing else, so that no packet leaves this machine (net show lists the addresses)", ip, b.Name, b.Name)
	if host, err := s.NetLinks(s.HoodPID); err == nil && netdev.HasIP(host, ip) {
		for _, l := range host {
			if !netdev.HasIP([]netdev.Link{l}, ip) {
				continue
			}
			switch {
			case l.Alias == s.myMark():
				return fmt.Sprintf("refused: %s is on %s, the host end of a pair this hood made, but %s is not in the namespace of that pair's other end; %s", ip, l.Name, b.Name, refused[len("refused: "):]), false
			case netdev.Owner(l.Alias) != "":
				return fmt.Sprintf("refused: %s is on %s, a veth end another hood made (%s); %s", ip, l.Name, l.Alias, refused[len("refused: "):]), false
			}
		}
		return fmt.Sprintf("refused: %s is an address of the host's own devices, not of a veth end hood made; %s", ip, refused[len("refused: "):]), false
	}
	if labRange.Contains(ip) && !routed(ip, routes) {
		return "", true
	}
	return refused, false
}

// pidInNet is a process in the network namespace ns ("net:[N]"): pid when
// it still is, else one of the boxes, else 0.
func (s *Session) pidInNet(ns string, pid int) int {
	if l, err := s.links(pid); err == nil && l["net"] == ns {
		return pid
	}
	for _, b := range s.Boxes {
		if l, err := s.links(b.PID); err == nil && l["net"] == ns {
			return b.PID
		}
	}
	return 0
}

// labRange holds the net lab's networks (172.22.N.0/24, netdev.LabNets):
// hood lets the kernel refuse a ping there when the box has no route to it
// (the lab's first ping).
var labRange = &net.IPNet{IP: net.IPv4(172, 22, 0, 0).To4(), Mask: net.CIDRMask(16, 32)}

// routed reports whether any route of the namespace covers ip.
func routed(ip net.IP, routes []netdev.Route) bool {
	for _, rt := range routes {
		if rt.Dst == "default" {
			return true
		}
		if _, n, err := net.ParseCIDR(rt.Dst); err == nil && n.Contains(ip) {
			return true
		}
	}
	return false
}
