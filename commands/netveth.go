package commands

import (
	"errors"
	"fmt"
	"strings"

	"hood/internal/kernel/netdev"
	"hood/internal/result"
)

func init() {
	register(&Command{UsageLine: "net veth HOSTSIDE BOXSIDE [--peer TARGET]",
		Short: "create a veth pair: one end on the host, the other in the current box's network namespace",
		Long: `A veth pair is two network devices joined like the ends of a cable: what
one sends, the other receives. hood sends one RTM_NEWLINK request that
creates HOSTSIDE in the host's namespace and BOXSIDE directly in the box's
(IFLA_NET_NS_FD, the box's /proc/PID/ns/net opened by hood), as
ip link add HOSTSIDE type veth peer name BOXSIDE netns PID does. The host
end carries hood's mark in its alias (hood:PID:START), so that cleanup
removes only veth ends of hoods that are gone. With --peer TARGET (another
box), HOSTSIDE goes in the current box and BOXSIDE in TARGET's namespace,
joining two boxes. When a box's network namespace dies, the kernel
destroys the pair.`,
		Flags: []string{"--peer"}, Run: netVeth})
}

func netVeth(s *Session, args []string) (*result.Result, error) {
	const usage = "net veth HOSTSIDE BOXSIDE [--peer TARGET]"
	var names []string
	peer := ""
	for i := 0; i < len(args); i++ {
		if args[i] == "--peer" {
			if i+1 >= len(args) {
				return nil, result.Usagef(usage, "--peer needs a box")
			}
			i++
			peer = args[i]
			continue
		}
		names = append(names, args[i])
	}
	if len(names) != 2 {
		return nil, result.Usagef(usage, "name both ends, such as `net veth hood0 eth0`")
	}
	for _, n := range names {
		if err := netdev.CheckName(n); err != nil {
			return nil, result.Usagef(usage, "%v", err)
		}
	}
	b, boxNS, err := s.boxNet("a veth end in it")
	if err != nil {
		return nil, err
	}
	defer boxNS.Close()
	p := vethPair{A: names[0], B: names[1], ALabel: "host", APID: s.HoodPID, BBox: b.Name, BPID: b.PID, Host: true}
	aNS, bNS := (*netdev.NS)(nil), boxNS
	shell := ""
	if peer != "" {
		other := s.find(peer)
		if other == nil || other == b {
			var others []string
			for _, n := range s.BoxNames() {
				if n != b.Name {
					others = append(others, n)
				}
			}
			if len(others) == 0 {
				return nil, result.Usagef(usage, "--peer names another box, and %s is the only one: `box new NAME` starts one", b.Name)
			}
			return nil, result.Usagef(usage, "--peer names another box (%s), not %q", strings.Join(others, ", "), peer)
		}
		if shared, err := s.sharesHostNet(other); err != nil || shared {
			return nil, &result.UsageError{Msg: fmt.Sprintf("%s shares the host's network namespace: `unshare net` in it first", other.Name)}
		}
		if bNS, err = s.netNS(other.PID, other.Name); err != nil {
			return nil, err
		}
		defer bNS.Close()
		if bNS.Same(boxNS) {
			return nil, &result.UsageError{Msg: fmt.Sprintf("%s and %s share one network namespace: a pair between them would have both ends in it", b.Name, other.Name)}
		}
		aNS = boxNS
		p = vethPair{A: names[0], B: names[1], ALabel: b.Name, APID: b.PID, BBox: other.Name, BPID: other.PID}
		shell = fmt.Sprintf("nsenter -t %d -n ip link add %s type veth peer name %s netns %d", b.PID, names[0], names[1], other.PID)
	} else {
		if aNS, err = s.netNS(s.HoodPID, "host"); err != nil {
			return nil, err
		}
		defer aNS.Close()
		shell = fmt.Sprintf("ip link add %s type veth peer name %s netns %d", names[0], names[1], b.PID)
	}
	if err := s.freeNames(aNS, bNS, names[0], names[1]); err != nil {
		return nil, err
	}
	mark := ""
	if p.Host {
		mark = s.myMark()
	}
	calls, err := aNS.AddVeth(names[0], names[1], bNS, mark)
	r := &result.Result{Syscalls: calls, Shell: shell}
	if err != nil {
		return r, netErr(calls, err)
	}
	if l, err := s.links(p.APID); err == nil {
		p.ANS = l["net"]
	}
	if l, err := s.links(p.BPID); err == nil {
		p.BNS = l["net"]
	}
	s.net.pairs = append(s.net.pairs, p)
	r.Say(p.ALabel, "%s (veth), down", names[0])
	r.Say(p.BBox, "%s (veth), down: its peer is %s in %s's namespace", names[1], names[0], p.ALabel)
	if p.Host {
		r.Say("mark", "%s's alias is %q: hood cleanup deletes it once this hood is gone", names[0], mark)
	}
	r.Meaning = "The two ends are one cable across two network namespaces: they carry packets only once both are up and addressed (net addr, net up), and the kernel destroys both when either namespace dies."
	return r, nil
}

// freeNames refuses names already taken in the namespace they would go in:
// the kernel would answer EEXIST; hood says where.
func (s *Session) freeNames(aNS, bNS *netdev.NS, a, b string) error {
	for _, x := range []struct {
		ns   *netdev.NS
		name string
	}{{aNS, a}, {bNS, b}} {
		ls, err := x.ns.Links()
		if err != nil {
			return err
		}
		if netdev.Find(ls, x.name) != nil {
			return &result.UsageError{Msg: fmt.Sprintf("%s's network namespace already has a device %q: pick another name (net show lists them)", x.ns.Label, x.name)}
		}
	}
	return nil
}

// netErr is the error of a netlink change: the kernel's answer explained,
// with the extended ack message the kernel may add; or err itself.
func netErr(calls []result.Syscall, err error) error {
	for _, c := range calls {
		if c.Failed() {
			e := kernelErr(c, "")
			if msg := err.Error(); msg != c.Errno.Error() {
				if ke, ok := e.(*result.KernelError); ok {
					ke.Meaning = fmt.Sprintf("%s (the kernel's message: %q)", ke.Meaning, msg)
				}
			}
			return e
		}
	}
	var nd *netdev.NoDevice
	if errors.As(err, &nd) {
		return &result.UsageError{Msg: nd.Error() + " (net show lists them)"}
	}
	return err
}
