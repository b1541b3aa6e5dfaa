package nft

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"github.com/google/nftables"
	"github.com/google/nftables/expr"

	"hood/internal/testenv"
)

// inNewNet starts a process in a network namespace of its own, killed at
// the end of the test (its namespace goes with it).
func inNewNet(t *testing.T) int {
	t.Helper()
	cmd := exec.Command("sleep", "60")
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWNET, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return cmd.Process.Pid
}

func hostRuleset(t *testing.T) Ruleset {
	t.Helper()
	c, err := OpenHost(os.Getpid())
	if IsMissing(err) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	rs, calls, err := c.Ruleset()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range calls {
		if m.Netlink == 0 || m.Failed() {
			t.Errorf("%s: want an answered netlink message", m)
		}
	}
	return rs
}

// The rule lands in the namespace's ruleset, is read back in nft(8)'s
// words, and goes with its table; the host's ruleset is the same.
func TestDropInANamespaceOnly(t *testing.T) {
	testenv.Root(t)
	host := hostRuleset(t)
	pid := inNewNet(t)
	c, calls, err := OpenNS("/proc", pid, os.Getpid())
	if err != nil {
		t.Fatalf("%v (%v)", err, calls)
	}
	defer c.Close()
	before, _, err := c.Ruleset()
	if err != nil || len(before.Tables) != 0 || before.Drops("icmp") {
		t.Fatalf("a new namespace's ruleset: %+v, %v; want empty", before, err)
	}
	steps, err := c.Drop("icmp")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"NFNL_MSG_BATCH_BEGIN", "NFT_MSG_NEWTABLE", "NFT_MSG_NEWCHAIN", "NFT_MSG_NEWRULE", "NFNL_MSG_BATCH_END"}
	for i, st := range steps {
		if i >= len(want) || st.Call.Name != want[i] || st.Call.Failed() || MsgName(st.Call.Netlink) != want[i] {
			t.Errorf("step %d: %s (type %#x), want %s acknowledged", i, st.Call, st.Call.Netlink, want[i])
		}
	}
	after, _, err := c.Ruleset()
	if err != nil {
		t.Fatal(err)
	}
	if !after.Drops("icmp") || after.Drops("tcp") || !after.Has("inet", Table) {
		t.Errorf("after the drop: %+v; want table inet hood dropping icmp", after)
	}
	ch := after.Tables[0].Chains[0]
	if ch.Base != "type filter hook input priority filter; policy accept;" || ch.Rules[0].Text != "meta l4proto icmp drop" {
		t.Errorf("chain %q, rule %q", ch.Base, ch.Rules[0].Text)
	}
	if h := hostRuleset(t); len(h.Tables) != len(host.Tables) || h.Rules() != host.Rules() || h.Has("inet", Table) != host.Has("inet", Table) {
		t.Errorf("the host's ruleset changed: %d tables %d rules -> %d tables %d rules", len(host.Tables), host.Rules(), len(h.Tables), h.Rules())
	}
	if _, err := c.Remove(); err != nil {
		t.Fatal(err)
	}
	if rs, _, _ := c.Ruleset(); rs.Has("inet", Table) || rs.Rules() != 0 {
		t.Errorf("after remove: %+v", rs)
	}
	// A second remove: the kernel answers ENOENT for the whole batch.
	steps, err = c.Remove()
	if err == nil || steps[1].Call.ErrName() != "ENOENT" {
		t.Errorf("removing a table that is not there: %v, %s; want ENOENT", err, steps[1].Call)
	}
}

// An expression list hood does not know is named by its kinds.
func TestDecode(t *testing.T) {
	text, kinds := Decode(dropExprs(17))
	if text != "meta l4proto udp drop" || len(kinds) != 3 || kinds[0] != "meta" || kinds[2] != "verdict" {
		t.Errorf("drop udp: %q %v", text, kinds)
	}
	text, kinds = Decode([]expr.Any{&expr.Payload{}, &expr.Cmp{}, &expr.Verdict{Kind: expr.VerdictAccept}})
	if text != "" || len(kinds) != 3 || kinds[0] != "payload" {
		t.Errorf("payload rule: %q %v; want undecoded with kinds", text, kinds)
	}
	if text, _ := Decode([]expr.Any{&expr.Counter{}, &expr.Verdict{Kind: expr.VerdictAccept}}); text != "counter packets 0 bytes 0 accept" {
		t.Errorf("counter accept: %q", text)
	}
}

func TestPrioWord(t *testing.T) {
	inet := nftables.TableFamilyINet
	for _, c := range []struct {
		fam  nftables.TableFamily
		hook uint32
		p    int32
		want string
	}{{inet, 1, 0, "filter"}, {inet, 1, 10, "filter + 10"}, {inet, 1, -5, "filter - 5"}, {inet, 1, 30, "30"},
		{inet, 0, -100, "dstnat"}, {inet, 1, -100, "-100"}, {nftables.TableFamilyNetdev, 0, 0, "0"}} {
		if got := prioWord(c.fam, c.hook, c.p); got != c.want {
			t.Errorf("prioWord(%v, %d, %d) = %q, want %q", c.fam, c.hook, c.p, got, c.want)
		}
	}
}

// A kernel without nf_tables answers with one of these errnos; hood says
// so and names the kernel option, instead of a bare errno.
func TestMissing(t *testing.T) {
	for _, e := range []syscall.Errno{syscall.EPROTONOSUPPORT, syscall.EOPNOTSUPP, syscall.EAFNOSUPPORT} {
		err := missing(fmt.Errorf("netlink socket: %w", e))
		if !IsMissing(err) || !strings.Contains(err.Error(), "CONFIG_NF_TABLES") || !strings.Contains(err.Error(), "modprobe nf_tables") {
			t.Errorf("%v: %v, want nf_tables named missing", e, err)
		}
	}
	if err := missing(syscall.ENOENT); IsMissing(err) {
		t.Errorf("ENOENT (no such table) taken for a missing nf_tables: %v", err)
	}
}
