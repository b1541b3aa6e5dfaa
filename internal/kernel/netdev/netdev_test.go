package netdev

import (
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestCheckName(t *testing.T) {
	for name, want := range map[string]string{
		"eth0": "", "hood12345": "", "abcdefghijklmno": "",
		"":                 "cannot be empty",
		"abcdefghijklmnop": "is 16 bytes: the kernel takes at most 15",
		"a/b":              `has '/'`,
		"a b":              `has ' '`,
		"a:b":              `has ':'`,
		"..":               "cannot name a device",
	} {
		err := CheckName(name)
		switch {
		case want == "" && err != nil:
			t.Errorf("CheckName(%q) = %v, want nil", name, err)
		case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
			t.Errorf("CheckName(%q) = %v, want %q", name, err, want)
		}
	}
}

func TestFlagText(t *testing.T) {
	// strace shows ip link add's request as nlmsg_flags=0x605.
	if got := FlagText(fCreate); got != "NLM_F_REQUEST|NLM_F_ACK|NLM_F_EXCL|NLM_F_CREATE" || fCreate != 0x605 {
		t.Errorf("FlagText(%#x) = %q", fCreate, got)
	}
	if got := FlagText(fAck); got != "NLM_F_REQUEST|NLM_F_ACK" || fAck != 5 {
		t.Errorf("FlagText(%#x) = %q", fAck, got)
	}
	if MsgTypes["RTM_NEWLINK"] != 0x10 || MsgTypes["RTM_NEWROUTE"] != 0x18 || MsgTypes["RTM_SETLINK"] != unix.RTM_SETLINK {
		t.Errorf("MsgTypes: %v", MsgTypes)
	}
}

func TestMark(t *testing.T) {
	if m := Mark("42:1234"); m != "hood:42:1234" || Owner(m) != "42:1234" {
		t.Errorf("Mark/Owner: %q %q", m, Owner(m))
	}
	for _, alias := range []string{"", "uplink", "hood", "Hood:1:2"} {
		if Owner(alias) != "" {
			t.Errorf("Owner(%q) = %q, want none", alias, Owner(alias))
		}
	}
}

func TestReserveLabNet(t *testing.T) {
	a, ca, err := ReserveLabNet([]string{"172.22.0.1/24"}, []string{"default", "10.0.0.0/8"})
	if err != nil {
		t.Fatal(err)
	}
	defer ca.Close()
	if a == "172.22.0" {
		t.Fatalf("got 172.22.0, which a host address is in")
	}
	// A second reservation (another hood) gets another network.
	b, cb, err := ReserveLabNet(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cb.Close()
	if b == a {
		t.Fatalf("two reservations got the same network %s", a)
	}
	// A host route over all of 172.22.0.0/16 leaves nothing.
	if _, _, err := ReserveLabNet(nil, []string{"172.22.0.0/16"}); err == nil {
		t.Fatal("reserved a network inside a host route")
	}
}
