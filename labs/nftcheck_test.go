package labs

import (
	"fmt"
	"os"
	"testing"

	"hood/commands"
	"hood/internal/kernel/netns"
	"hood/internal/testenv"
)

// labSession is a session with box1, as a lab starts it, and its env.
func labSession(t *testing.T) (*commands.Session, *env) {
	t.Helper()
	s := commands.NewSession()
	null, _ := os.Open(os.DevNull)
	t.Cleanup(func() { s.Close(); null.Close() })
	s.Stdin, s.Stdout, s.Stderr = null, null, null
	if _, err := s.StartBox("box1"); err != nil {
		t.Fatal(err)
	}
	return s, &env{s: s}
}

func do(t *testing.T, s *commands.Session, words ...string) {
	t.Helper()
	if _, err := s.Exec(words); err != nil {
		t.Fatalf("%v: %v", words, err)
	}
}

// nft_rule fails in the host's namespace and in a new one without the
// rule, and holds once net rule drop icmp is done.
func TestNFTRuleCheck(t *testing.T) {
	testenv.Root(t)
	s, e := labSession(t)
	c := &NFTRuleCheck{Box: "any", Drops: "icmp"}
	if err := c.validate(); err != nil {
		t.Fatal(err)
	}
	if err := (&NFTRuleCheck{Drops: "gre"}).validate(); err == nil {
		t.Error("drops: gre accepted")
	}
	if ok, d := c.eval(e); ok {
		t.Errorf("holds before unshare net: %s", d)
	}
	do(t, s, "unshare", "net")
	if ok, d := c.eval(e); ok {
		t.Errorf("holds before the rule: %s", d)
	}
	do(t, s, "net", "rule", "drop", "icmp")
	if ok, d := c.eval(e); !ok {
		t.Errorf("fails after net rule drop icmp: %s", d)
	}
	if ok, d := (&NFTRuleCheck{Box: "any", Drops: "tcp"}).eval(e); ok {
		t.Errorf("drops: tcp holds after a rule for icmp: %s", d)
	}
}

// netns_named fails before net ns add and for another box, holds after.
func TestNetnsNamedCheck(t *testing.T) {
	testenv.Root(t)
	s, e := labSession(t)
	name := fmt.Sprintf("hoodcheck%d", os.Getpid())
	c := &NetnsNamedCheck{Name: name, Box: "box1"}
	if err := c.validate(); err != nil {
		t.Fatal(err)
	}
	if err := (&NetnsNamedCheck{Name: "a/b"}).validate(); err == nil {
		t.Error("name a/b accepted")
	}
	do(t, s, "unshare", "net")
	if ok, d := c.eval(e); ok {
		t.Errorf("holds before net ns add: %s", d)
	}
	do(t, s, "net", "ns", "add", name)
	t.Cleanup(func() { netns.RemoveOwned(os.Getpid()) })
	if ok, d := c.eval(e); !ok {
		t.Errorf("fails after net ns add: %s", d)
	}
	do(t, s, "box", "new", "b2")
	if ok, d := (&NetnsNamedCheck{Name: name, Box: "b2"}).eval(e); ok {
		t.Errorf("holds for b2, in the host's namespace: %s", d)
	}
}
