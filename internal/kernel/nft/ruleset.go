package nft

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/google/nftables"
	"github.com/google/nftables/expr"
	"golang.org/x/sys/unix"

	"hood/internal/kernel/call"
)

// Ruleset is a namespace's nf_tables tables, as dumps read them.
type Ruleset struct {
	Tables []*TableInfo
}

// TableInfo is one table and its chains.
type TableInfo struct {
	Family string // nft(8)'s word: inet, ip, ip6, arp, bridge, netdev
	Name   string
	Chains []*ChainInfo
}

// ChainInfo is one chain with its rules in nft(8)'s words.
type ChainInfo struct {
	Name  string
	Base  string // "type filter hook input priority filter; policy accept;", "" for a regular chain
	Rules []RuleInfo
}

// RuleInfo is one rule: Text in nft(8)'s words when hood decodes it,
// else Kinds, the expression types it is made of.
type RuleInfo struct {
	Handle uint64
	Text   string
	Kinds  []string
}

// HostSummary is the host's ruleset in short, its tables and its rule
// count, for tests that check hood left the host's firewall as it was; ""
// where the kernel has no nf_tables.
func HostSummary(pid int) string {
	c, err := OpenHost(pid)
	if err != nil {
		return ""
	}
	defer c.Close()
	rs, _, err := c.Ruleset()
	if err != nil {
		return ""
	}
	var out []string
	for _, t := range rs.Tables {
		out = append(out, t.Family+" "+t.Name)
	}
	return fmt.Sprintf("%v, %d rules", out, rs.Rules())
}

// Rules counts the rules in all tables.
func (rs Ruleset) Rules() int {
	n := 0
	for _, t := range rs.Tables {
		for _, c := range t.Chains {
			n += len(c.Rules)
		}
	}
	return n
}

// Has reports whether table FAMILY NAME is there.
func (rs Ruleset) Has(fam, name string) bool {
	for _, t := range rs.Tables {
		if t.Family == fam && t.Name == name {
			return true
		}
	}
	return false
}

// Drops reports whether a chain hooked on input holds hood's rule
// dropping proto (meta l4proto PROTO drop).
func (rs Ruleset) Drops(proto string) bool {
	want := "meta l4proto " + protoWord(Protos[proto]) + " drop"
	for _, t := range rs.Tables {
		for _, c := range t.Chains {
			if !strings.Contains(c.Base, "hook input") {
				continue
			}
			for _, r := range c.Rules {
				if r.Text == want {
					return true
				}
			}
		}
	}
	return false
}

// Ruleset dumps tables, chains and rules (NFT_MSG_GETTABLE, GETCHAIN, one
// GETRULE per chain, each with NLM_F_DUMP), narrated as messages whose
// answer is the number of objects the dump held.
func (c *Conn) Ruleset() (Ruleset, []call.Call, error) {
	var rs Ruleset
	var calls []call.Call
	dump := call.Named("flags", call.F(unix.NLM_F_DUMP, "NLM_F_DUMP"))
	tables, err := c.c.ListTables()
	calls = append(calls, c.msg(subsys|unix.NFT_MSG_GETTABLE, errno(err), int64(len(tables)), "(tables)", family(nftables.TableFamilyUnspecified), dump))
	if call.ErrnoOf(err) == unix.EINVAL {
		// A dump request to a subsystem nfnetlink does not have is
		// answered EINVAL (nfnetlink_rcv_msg): nf_tables is not there.
		return rs, calls, &Missing{err}
	}
	if err != nil {
		return rs, calls, missing(err)
	}
	chains, err := c.c.ListChains()
	calls = append(calls, c.msg(subsys|unix.NFT_MSG_GETCHAIN, errno(err), int64(len(chains)), "(chains)", family(nftables.TableFamilyUnspecified), dump))
	if err != nil {
		return rs, calls, err
	}
	for _, t := range tables {
		ti := &TableInfo{Family: familyWord(t.Family), Name: t.Name}
		rs.Tables = append(rs.Tables, ti)
		for _, ch := range chains {
			if ch.Table.Name != t.Name || ch.Table.Family != t.Family {
				continue
			}
			ci := &ChainInfo{Name: ch.Name, Base: baseWords(ch)}
			rules, err := c.c.GetRules(t, ch)
			calls = append(calls, c.msg(subsys|unix.NFT_MSG_GETRULE, errno(err), int64(len(rules)), "(rules)", family(t.Family),
				call.Named("table", call.S(t.Name)), call.Named("chain", call.S(ch.Name)), dump))
			if err != nil {
				return rs, calls, err
			}
			for _, r := range rules {
				text, kinds := Decode(r.Exprs)
				ci.Rules = append(ci.Rules, RuleInfo{Handle: r.Handle, Text: text, Kinds: kinds})
			}
			ti.Chains = append(ti.Chains, ci)
		}
	}
	return rs, calls, nil
}

func familyWord(f nftables.TableFamily) string {
	switch f {
	case nftables.TableFamilyINet:
		return "inet"
	case nftables.TableFamilyIPv4:
		return "ip"
	case nftables.TableFamilyIPv6:
		return "ip6"
	case nftables.TableFamilyARP:
		return "arp"
	case nftables.TableFamilyBridge:
		return "bridge"
	case nftables.TableFamilyNetdev:
		return "netdev"
	}
	return fmt.Sprint(uint8(f))
}

var hookWords = map[uint32]string{unix.NF_INET_PRE_ROUTING: "prerouting", unix.NF_INET_LOCAL_IN: "input",
	unix.NF_INET_FORWARD: "forward", unix.NF_INET_LOCAL_OUT: "output", unix.NF_INET_POST_ROUTING: "postrouting"}

// The standard priorities nft(8) names in the ip, ip6 and inet families;
// dstnat and srcnat only on the hooks NAT uses.
var prioWords = []struct {
	val  int32
	name string
	hook uint32 // 0xff: any hook
}{{-300, "raw", 0xff}, {-150, "mangle", 0xff}, {-100, "dstnat", unix.NF_INET_PRE_ROUTING},
	{0, "filter", 0xff}, {50, "security", 0xff}, {100, "srcnat", unix.NF_INET_POST_ROUTING}}

// prioWord is a priority as nft prints it: "filter", "filter + 10",
// "mangle - 5", or the number when no standard one is within 10.
func prioWord(fam nftables.TableFamily, hook uint32, p int32) string {
	if fam != nftables.TableFamilyIPv4 && fam != nftables.TableFamilyIPv6 && fam != nftables.TableFamilyINet {
		return fmt.Sprint(p)
	}
	for _, w := range prioWords {
		if w.hook != 0xff && w.hook != hook {
			continue
		}
		switch d := p - w.val; {
		case d == 0:
			return w.name
		case d > 0 && d <= 10:
			return fmt.Sprintf("%s + %d", w.name, d)
		case d < 0 && d >= -10:
			return fmt.Sprintf("%s - %d", w.name, -d)
		}
	}
	return fmt.Sprint(p)
}

// baseWords is a base chain's line as nft list ruleset prints it.
func baseWords(ch *nftables.Chain) string {
	if ch.Hooknum == nil {
		return ""
	}
	hook := hookWords[uint32(*ch.Hooknum)]
	if ch.Table.Family == nftables.TableFamilyNetdev {
		hook = map[uint32]string{0: "ingress", 1: "egress"}[uint32(*ch.Hooknum)]
	}
	if hook == "" {
		hook = fmt.Sprint(uint32(*ch.Hooknum))
	}
	var p int32
	if ch.Priority != nil {
		p = int32(*ch.Priority)
	}
	prio := prioWord(ch.Table.Family, uint32(*ch.Hooknum), p)
	s := fmt.Sprintf("type %s hook %s priority %s;", ch.Type, hook, prio)
	if ch.Policy != nil {
		s += map[nftables.ChainPolicy]string{nftables.ChainPolicyAccept: " policy accept;", nftables.ChainPolicyDrop: " policy drop;"}[*ch.Policy]
	}
	return s
}

// Decode turns a rule's expressions into nft(8)'s words where hood knows
// the pattern (the rules hood makes, a lone verdict, a counter); else text
// is "" and kinds names the expression types ("meta", "cmp", "payload").
func Decode(es []expr.Any) (text string, kinds []string) {
	for _, e := range es {
		kinds = append(kinds, strings.ToLower(reflect.TypeOf(e).Elem().Name()))
	}
	var words []string
	for i := 0; i < len(es); i++ {
		switch e := es[i].(type) {
		case *expr.Meta:
			cmp, ok := next(es, i).(*expr.Cmp)
			if e.Key != expr.MetaKeyL4PROTO || !ok || cmp.Register != e.Register || cmp.Op != expr.CmpOpEq || len(cmp.Data) != 1 {
				return "", kinds
			}
			words = append(words, "meta l4proto "+protoWord(cmp.Data[0]))
			i++
		case *expr.Counter:
			words = append(words, fmt.Sprintf("counter packets %d bytes %d", e.Packets, e.Bytes))
		case *expr.Verdict:
			v := verdictWord(e)
			if v == "" {
				return "", kinds
			}
			words = append(words, v)
		default:
			return "", kinds
		}
	}
	return strings.Join(words, " "), kinds
}

func next(es []expr.Any, i int) expr.Any {
	if i+1 < len(es) {
		return es[i+1]
	}
	return nil
}

func verdictWord(v *expr.Verdict) string {
	switch v.Kind {
	case expr.VerdictAccept:
		return "accept"
	case expr.VerdictDrop:
		return "drop"
	case expr.VerdictReturn:
		return "return"
	case expr.VerdictContinue:
		return "continue"
	case expr.VerdictJump:
		return "jump " + v.Chain
	case expr.VerdictGoto:
		return "goto " + v.Chain
	}
	return ""
}
