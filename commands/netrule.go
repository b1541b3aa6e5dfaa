package commands

import (
	"fmt"
	"sort"
	"strings"

	"hood/internal/box"
	"hood/internal/kernel/nft"
	"hood/internal/kernel/ns"
	"hood/internal/result"
)

func init() {
	protos := make([]string, 0, len(nft.Protos))
	for p := range nft.Protos {
		protos = append(protos, p)
	}
	sort.Strings(protos)
	register(
		&Command{UsageLine: "net rule drop PROTO", Short: "add a firewall rule in the box's network namespace only: drop incoming PROTO (nf_tables)",
			Long: `hood adds, in the current box's network namespace and nowhere else, the table
inet hood, its chain input (type filter hook input priority filter; policy
accept) and the rule meta l4proto PROTO drop, in one netlink batch of
NETLINK_NETFILTER messages, as nft(8) does. PROTO is ` + strings.Join(protos, ", ") + `. Every
network namespace has a firewall of its own: the host's is not touched, and
hood shows that its ruleset is the same before and after. The box must have
a network namespace of its own first (unshare net).`,
			Args: []Arg{ArgWord}, Words: protos, Run: netRuleDrop},
		&Command{UsageLine: "net rule ls [TARGET]", Short: "list a box's nf_tables ruleset (as nft list ruleset does), beside the host's",
			Long: `hood dumps the tables, chains and rules of TARGET's network namespace (the
current box by default; a name in /run/netns works too) with NFT_MSG_GETTABLE, NFT_MSG_GETCHAIN and
NFT_MSG_GETRULE, and prints them in nft(8)'s words: the rules hood makes
exactly, others by the kinds of expression they hold. The host's ruleset is
counted beside it.`,
			Args: []Arg{ArgTarget}, Run: netRuleLs},
		&Command{UsageLine: "net rule rm", Short: "delete hood's table (inet hood) from the box's network namespace, with all its rules",
			Run: netRuleRm},
	)
}

// ruleBox is the current box, refused when it shares the host's network
// namespace: a rule there would be the host's firewall.
func (s *Session) ruleBox() (*box.Box, error) {
	b, err := s.box()
	if err != nil {
		return nil, err
	}
	mine, host, err := s.linksAndHost(b.PID)
	if err != nil {
		return nil, err
	}
	if mine["net"] == host["net"] {
		return nil, &result.UsageError{Msg: fmt.Sprintf("%s shares the host's network namespace (%s): a rule there would change the host's firewall, which hood never does. Run `unshare net` first: then %s has a firewall of its own", b.Name, mine["net"], b.Name)}
	}
	if err := s.notMade(b, "net", mine); err != nil {
		return nil, err
	}
	return b, nil
}

// hostRules reads the host's ruleset (hood's own namespace), read only;
// the dump messages go in r as quiet calls (full narration shows them).
func (s *Session) hostRules(r *result.Result) (nft.Ruleset, error) {
	c, err := nft.OpenHost(s.HoodPID)
	if err != nil {
		return nft.Ruleset{}, err
	}
	defer c.Close()
	rs, calls, err := c.Ruleset()
	addQuiet(r, calls)
	return rs, err
}

// boxDrops looks whether b's own ruleset drops incoming proto; the dump
// messages go in r as quiet calls.
func (s *Session) boxDrops(b *box.Box, proto string, r *result.Result) bool {
	c, opens, err := nft.OpenNS(s.ProcRoot, b.PID, s.HoodPID)
	addQuiet(r, opens)
	if err != nil {
		return false
	}
	defer c.Close()
	rs, calls, err := c.Ruleset()
	addQuiet(r, calls)
	return err == nil && rs.Drops(proto)
}

func addQuiet(r *result.Result, calls []result.Syscall) {
	for _, m := range calls {
		m.Quiet = true
		r.Add(m)
	}
}

func rulesetWords(rs nft.Ruleset) string {
	return fmt.Sprintf("%d table(s), %d rule(s)%s", len(rs.Tables), rs.Rules(), map[bool]string{true: ", with table inet hood", false: ", no table inet hood"}[rs.Has("inet", nft.Table)])
}

// nftErr says plainly when nf_tables is missing; other errors keep their errno.
func nftErr(err error, key string) error {
	if nft.IsMissing(err) {
		return &result.UsageError{Msg: err.Error()}
	}
	return errnoErr(err, key)
}

func netRuleDrop(s *Session, args []string) (*result.Result, error) {
	if err := s.nftRootless(); err != nil {
		return nil, err
	}
	const usage = "net rule drop PROTO"
	if len(args) != 1 {
		return nil, result.Usagef(usage, "name one protocol: icmp, icmpv6, tcp or udp")
	}
	if _, ok := nft.Protos[args[0]]; !ok {
		return nil, result.Usagef(usage, "unknown protocol %q: hood drops icmp, icmpv6, tcp or udp", args[0])
	}
	b, err := s.ruleBox()
	if err != nil {
		return nil, err
	}
	r := &result.Result{}
	hostBefore, err := s.hostRules(r)
	if err != nil {
		return r, nftErr(err, "NFT_MSG_GETTABLE")
	}
	c, calls, err := nft.OpenNS(s.ProcRoot, b.PID, s.HoodPID)
	r.Add(calls...)
	if err != nil {
		return r, nftErr(err, "openat")
	}
	defer c.Close()
	before, calls, err := c.Ruleset()
	if err != nil {
		return r, nftErr(err, "NFT_MSG_GETTABLE")
	}
	addQuiet(r, calls) // the dumps around the change are not the lesson
	if before.Drops(args[0]) {
		return r, &result.UsageError{Msg: fmt.Sprintf("%s already drops incoming %s (table inet hood, chain input): `net rule ls` shows it, `net rule rm` removes it", b.Name, args[0])}
	}
	steps, err := c.Drop(args[0])
	var shell []string
	for _, st := range steps {
		r.Add(st.Call)
		if st.Shell != "" {
			shell = append(shell, st.Shell)
		}
	}
	if err != nil {
		r.Say("batch", "the kernel applies a batch whole or not at all: nothing of it was added")
		return r, nftErr(err, "NFT_MSG_NEWTABLE")
	}
	after, calls, err := c.Ruleset()
	addQuiet(r, calls)
	if err != nil {
		return r, nftErr(err, "NFT_MSG_GETTABLE")
	}
	hostAfter, err := s.hostRules(r)
	if err != nil {
		return r, nftErr(err, "NFT_MSG_GETTABLE")
	}
	r.Changes = append(r.Changes,
		result.Change{Path: b.Name + "'s ruleset", Before: rulesetWords(before), After: rulesetWords(after)},
		result.Change{Path: "host's ruleset", Before: rulesetWords(hostBefore), After: rulesetWords(hostAfter), Note: sameNote(hostBefore, hostAfter)})
	r.Say("socket", "the library opened the NETLINK_NETFILTER socket on a thread that joined %s's network namespace for that one call: every message on it reaches that namespace's nf_tables", b.Name)
	r.Shell = "nsenter -t " + fmt.Sprint(b.PID) + " -n sh -c '" + strings.Join(shell, "; ") + "'"
	r.Meaning = fmt.Sprintf("Each network namespace has its own nf_tables ruleset: %s now drops incoming %s packets, and hood sent nothing but dumps to the host's.", b.Name, args[0])
	return r, nil
}

func sameNote(a, b nft.Ruleset) string {
	if len(a.Tables) == len(b.Tables) && a.Rules() == b.Rules() {
		return "unchanged: the rule is in the box's namespace only"
	}
	return "changed meanwhile: not by hood, which sent nothing to the host's namespace"
}

func netRuleLs(s *Session, args []string) (*result.Result, error) {
	if err := s.nftRootless(); err != nil {
		return nil, err
	}
	if len(args) > 1 {
		return nil, result.Usagef("net rule ls [TARGET]", "name at most one target")
	}
	word := "self"
	if len(args) == 1 {
		word = args[0]
	}
	path, label, shell := "", "", ""
	if p, ok := s.namedNet(word); ok {
		path, label, shell = p, p, "ip netns exec "+word+" nft list ruleset"
	} else {
		tg, err := s.resolve(word)
		if err != nil {
			return nil, err
		}
		path = fmt.Sprintf("%s/%d/ns/net", s.ProcRoot, tg.PID)
		label, shell = tg.Label+"'s", fmt.Sprintf("nsenter -t %d -n nft list ruleset", tg.PID)
	}
	r := &result.Result{}
	c, calls, err := nft.OpenFile(path, s.HoodPID)
	r.Add(calls...)
	if err != nil {
		return r, nftErr(err, "openat")
	}
	defer c.Close()
	rs, calls, err := c.Ruleset()
	r.Add(calls...)
	if err != nil {
		return r, nftErr(err, "NFT_MSG_GETTABLE")
	}
	r.Text = strings.TrimRight(rulesetText(rs), "\n")
	if r.Text == "" {
		r.Text = "(no tables: an empty ruleset, every packet accepted)"
	}
	mine := c.Inode
	host, _ := ns.ReadInode(s.ProcRoot, s.HoodPID, "net")
	r.Say("namespace", "net:[%d], %s", mine, label)
	if mine == host {
		r.Say("host", "the same namespace: this is the host's ruleset")
	} else if hr, err := s.hostRules(r); err == nil {
		r.Say("host", "%s", rulesetWords(hr))
	}
	r.Shell = shell
	r.Meaning = "The ruleset belongs to the network namespace: nft list ruleset inside the box and on the host show different firewalls."
	return r, nil
}

// rulesetText is the ruleset as nft list ruleset prints it (two spaces a
// level instead of nft's tabs, and no line wider than 76 columns, so that
// it is printed as it is, never reflowed).
func rulesetText(rs nft.Ruleset) string {
	var b strings.Builder
	for _, t := range rs.Tables {
		fmt.Fprintf(&b, "table %s %s {\n", t.Family, t.Name)
		for _, c := range t.Chains {
			fmt.Fprintf(&b, "  chain %s {\n", c.Name)
			if c.Base != "" {
				fmt.Fprintf(&b, "    %s\n", c.Base)
			}
			for _, ru := range c.Rules {
				if ru.Text != "" {
					fmt.Fprintf(&b, "    %s  # handle %d\n", ru.Text, ru.Handle)
					continue
				}
				line := fmt.Sprintf("    # handle %d, a rule hood does not decode:", ru.Handle)
				for _, k := range ru.Kinds {
					if len(line)+len(k)+1 > 76 {
						b.WriteString(line + "\n")
						line = "    #  "
					}
					line += " " + k
				}
				b.WriteString(line + "\n")
			}
			b.WriteString("  }\n")
		}
		b.WriteString("}\n")
	}
	return b.String()
}

func netRuleRm(s *Session, args []string) (*result.Result, error) {
	if err := s.nftRootless(); err != nil {
		return nil, err
	}
	if len(args) != 0 {
		return nil, result.Usagef("net rule rm", "takes no arguments: it removes table inet hood from the current box")
	}
	b, err := s.ruleBox()
	if err != nil {
		return nil, err
	}
	r := &result.Result{}
	c, calls, err := nft.OpenNS(s.ProcRoot, b.PID, s.HoodPID)
	r.Add(calls...)
	if err != nil {
		return r, nftErr(err, "openat")
	}
	defer c.Close()
	before, calls, err := c.Ruleset()
	addQuiet(r, calls)
	if err != nil {
		return r, nftErr(err, "NFT_MSG_GETTABLE")
	}
	if !before.Has("inet", nft.Table) {
		return r, &result.UsageError{Msg: fmt.Sprintf("%s has no table inet hood: nothing to remove (net rule drop PROTO adds it)", b.Name)}
	}
	steps, err := c.Remove()
	for _, st := range steps {
		r.Add(st.Call)
	}
	if err != nil {
		return r, nftErr(err, "NFT_MSG_DELTABLE")
	}
	after, calls, _ := c.Ruleset()
	addQuiet(r, calls)
	r.Changes = append(r.Changes, result.Change{Path: b.Name + "'s ruleset", Before: rulesetWords(before), After: rulesetWords(after)})
	r.Shell = fmt.Sprintf("nsenter -t %d -n nft delete table inet %s", b.PID, nft.Table)
	r.Meaning = "Deleting a table deletes its chains and rules with it: the box's namespace accepts every packet again."
	return r, nil
}
