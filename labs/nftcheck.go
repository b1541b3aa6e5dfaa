package labs

import (
	"fmt"
	"os"

	"hood/internal/box"
	"hood/internal/kernel/netns"
	"hood/internal/kernel/nft"
	"hood/internal/kernel/ns"
)

// NFTRuleCheck: the box's network namespace has a rule dropping Drops
// (hood's meta l4proto PROTO drop, in a chain hooked on input), and the
// host's ruleset has no table of hood's.
type NFTRuleCheck struct {
	Box   string `yaml:"box"`
	Drops string `yaml:"drops"`
}

func (c *NFTRuleCheck) validate() error {
	if _, ok := nft.Protos[c.Drops]; !ok {
		return fmt.Errorf("drops: unknown protocol %q (icmp, icmpv6, tcp, udp)", c.Drops)
	}
	return nil
}

func (c *NFTRuleCheck) eval(e *env) (bool, string) {
	host, err := nft.OpenHost(os.Getpid())
	if err != nil {
		return false, err.Error()
	}
	hrs, _, err := host.Ruleset()
	host.Close()
	if err != nil {
		return false, "reading the host's ruleset: " + err.Error()
	}
	if hrs.Has("inet", nft.Table) {
		return false, "the host's ruleset has table inet hood: the rule must be in the box's namespace only"
	}
	return e.anyBox(c.Box, func(b *box.Box) (bool, string) {
		if e.sharesHostNet(b) {
			return false, b.Name + " shares the host's network namespace"
		}
		conn, _, err := nft.OpenNS(e.s.ProcRoot, b.PID, os.Getpid())
		if err != nil {
			return false, err.Error()
		}
		defer conn.Close()
		rs, _, err := conn.Ruleset()
		if err != nil {
			return false, err.Error()
		}
		if !rs.Drops(c.Drops) {
			return false, fmt.Sprintf("%s's ruleset (%d tables, %d rules) drops no incoming %s", b.Name, len(rs.Tables), rs.Rules(), c.Drops)
		}
		return true, fmt.Sprintf("%s drops incoming %s; the host's ruleset (%d tables) has no table of hood's", b.Name, c.Drops, len(hrs.Tables))
	})
}

func (e *env) sharesHostNet(b *box.Box) bool { return e.sameNetAsHost(b.PID) }

// sameNetAsHost reports whether pid is in the host's network namespace
// (or either cannot be read).
func (e *env) sameNetAsHost(pid int) bool {
	mine, err1 := ns.ReadInode(e.s.ProcRoot, pid, "net")
	host, err2 := ns.ReadInode(e.s.ProcRoot, e.s.HoodPID, "net")
	return err1 != nil || err2 != nil || mine == host
}

// NetnsNamedCheck: /run/netns/NAME is a bind mount of the box's network
// namespace (the same inode), as ip netns sees it.
type NetnsNamedCheck struct {
	Name string `yaml:"name"`
	Box  string `yaml:"box"`
}

func (c *NetnsNamedCheck) validate() error {
	if why := netns.Valid(c.Name); why != "" {
		return fmt.Errorf("name: %s", why)
	}
	return nil
}

func (c *NetnsNamedCheck) eval(e *env) (bool, string) {
	entries, err := netns.List()
	if err != nil {
		return false, err.Error()
	}
	name := e.expand(c.Name) // lab{hood}: a name per hood, as two may run the lab at once
	var ino uint64
	for _, en := range entries {
		if en.Name == name {
			ino = en.Inode
		}
	}
	if ino == 0 {
		return false, netns.Path(name) + " is not a bind mount of a network namespace"
	}
	return e.anyBox(c.Box, func(b *box.Box) (bool, string) {
		mine, err := ns.ReadInode(e.s.ProcRoot, b.PID, "net")
		if err != nil {
			return false, err.Error()
		}
		return mine == ino, fmt.Sprintf("%s is net:[%d]; %s is in net:[%d]", netns.Path(name), ino, b.Name, mine)
	})
}
