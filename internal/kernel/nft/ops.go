package nft

import (
	"fmt"

	"github.com/google/nftables"
	"github.com/google/nftables/expr"
	"golang.org/x/sys/unix"

	"hood/internal/kernel/call"
)

// Protos are the protocols `net rule drop` takes, with their numbers as
// the kernel's meta l4proto compares them (IPPROTO_*).
var Protos = map[string]byte{"icmp": unix.IPPROTO_ICMP, "icmpv6": unix.IPPROTO_ICMPV6, "tcp": unix.IPPROTO_TCP, "udp": unix.IPPROTO_UDP}

// protoWord is nft(8)'s name for a protocol number.
func protoWord(p byte) string {
	switch p {
	case unix.IPPROTO_ICMPV6:
		return "ipv6-icmp"
	}
	for w, n := range Protos {
		if n == p {
			return w
		}
	}
	return fmt.Sprint(p)
}

// Step is one message of a batch with the nft(8) line that sends the same.
type Step struct {
	Call  call.Call
	Shell string
}

// Drop adds, in one batch, table inet hood, its chain input (type filter
// hook input priority filter; policy accept) and the rule
// `meta l4proto PROTO drop`. The table and chain are added with NLM_F_CREATE
// but not NLM_F_EXCL, as `nft add` does: adding them again is no error.
// The kernel applies a batch whole or not at all, so every message has
// the batch's answer.
func (c *Conn) Drop(proto string) ([]Step, error) {
	p, ok := Protos[proto]
	if !ok {
		return nil, fmt.Errorf("unknown protocol %q", proto)
	}
	t := c.c.AddTable(&nftables.Table{Family: nftables.TableFamilyINet, Name: Table})
	policy := nftables.ChainPolicyAccept
	ch := c.c.AddChain(&nftables.Chain{Name: Chain, Table: t, Type: nftables.ChainTypeFilter,
		Hooknum: nftables.ChainHookInput, Priority: nftables.ChainPriorityFilter, Policy: &policy})
	c.c.AddRule(&nftables.Rule{Table: t, Chain: ch, Exprs: dropExprs(p)})
	err := errno(c.c.Flush())
	in := call.F(unix.NF_INET_LOCAL_IN, "NF_INET_LOCAL_IN")
	steps := []Step{
		{c.msg(batchBegin, err, 0, "", call.Named("res_id", call.F(unix.NFNL_SUBSYS_NFTABLES, "NFNL_SUBSYS_NFTABLES"))), ""},
		{c.msg(subsys|unix.NFT_MSG_NEWTABLE, err, 0, "(ack)", family(t.Family), call.Named("name", call.S(Table)),
			call.Named("flags", call.F(unix.NLM_F_CREATE, "NLM_F_CREATE"))), "nft add table inet " + Table},
		{c.msg(subsys|unix.NFT_MSG_NEWCHAIN, err, 0, "(ack)", family(t.Family), call.Named("table", call.S(Table)),
			call.Named("name", call.S(Chain)), call.Named("type", call.S("filter")), call.Named("hook", in),
			call.Named("priority", call.I(0)), call.Named("policy", call.F(1, "NF_ACCEPT"))),
			"nft add chain inet " + Table + " " + Chain + " \"{ type filter hook input priority filter; policy accept; }\""},
		{c.msg(subsys|unix.NFT_MSG_NEWRULE, err, 0, "(ack)", family(t.Family), call.Named("table", call.S(Table)),
			call.Named("chain", call.S(Chain)), call.Named("expressions", call.P("[meta load l4proto => reg 1, cmp eq reg 1 "+fmt.Sprint(p)+", immediate reg 0 drop]"))),
			"nft add rule inet " + Table + " " + Chain + " meta l4proto " + protoWord(p) + " drop"},
		{c.msg(batchEnd, err, 0, "", call.Named("res_id", call.F(unix.NFNL_SUBSYS_NFTABLES, "NFNL_SUBSYS_NFTABLES"))), ""},
	}
	return steps, missing(err)
}

func dropExprs(p byte) []expr.Any {
	return []expr.Any{
		&expr.Meta{Key: expr.MetaKeyL4PROTO, Register: 1},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: []byte{p}},
		&expr.Verdict{Kind: expr.VerdictDrop},
	}
}

// Remove deletes table inet hood and everything in it, in one batch.
func (c *Conn) Remove() ([]Step, error) {
	c.c.DelTable(&nftables.Table{Family: nftables.TableFamilyINet, Name: Table})
	err := errno(c.c.Flush())
	steps := []Step{
		{c.msg(batchBegin, err, 0, "", call.Named("res_id", call.F(unix.NFNL_SUBSYS_NFTABLES, "NFNL_SUBSYS_NFTABLES"))), ""},
		{c.msg(subsys|unix.NFT_MSG_DELTABLE, err, 0, "(ack)", family(nftables.TableFamilyINet), call.Named("name", call.S(Table))),
			"nft delete table inet " + Table},
		{c.msg(batchEnd, err, 0, "", call.Named("res_id", call.F(unix.NFNL_SUBSYS_NFTABLES, "NFNL_SUBSYS_NFTABLES"))), ""},
	}
	return steps, missing(err)
}
