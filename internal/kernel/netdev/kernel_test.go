package netdev

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"testing"
	"time"

	"hood/internal/testenv"
)

// A pair made from the host's namespace with its peer in a new one: each
// end sees the other, an address and a route land where they were sent,
// and deleting one end deletes both.
func TestVethAcrossNamespaces(t *testing.T) {
	testenv.Root(t)
	if _, err := exec.LookPath("unshare"); err != nil {
		t.Skip("requires unshare(1)")
	}
	holder := exec.Command("unshare", "--net", "sleep", "60")
	if err := holder.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = holder.Process.Kill(); _ = holder.Wait() }()
	host, err := Open("/proc", os.Getpid(), "host")
	if err != nil {
		t.Fatal(err)
	}
	defer host.Close()
	var inside *NS
	for range 100 { // until unshare(1) has unshared and exec'd sleep
		if inside, err = Open("/proc", holder.Process.Pid, "holder"); err == nil && !inside.Same(host) {
			break
		}
		inside.Close()
		inside = nil
		time.Sleep(10 * time.Millisecond)
	}
	if inside == nil {
		t.Fatal("the holder never had a network namespace of its own")
	}
	defer inside.Close()
	name := fmt.Sprintf("hzk%d", os.Getpid()%100000)
	calls, err := host.AddVeth(name, "eth0", inside, "")
	if err != nil || len(calls) != 1 || calls[0].Failed() || calls[0].Netlink != 0x10 {
		t.Fatalf("AddVeth: %v %v", calls, err)
	}
	defer func() { _, _ = host.Delete(name) }()
	if _, err := host.AddVeth(name, "eth1", inside, ""); err == nil {
		t.Errorf("a second %s was created", name)
	}
	hl, _ := host.Links()
	il, _ := inside.Links()
	h, i := Find(hl, name), Find(il, "eth0")
	if h == nil || i == nil {
		t.Fatalf("host end %v, inside end %v", h, i)
	}
	if h.Peer != i.Index || i.Peer != h.Index || h.PeerNS < 0 || i.PeerNS < 0 {
		t.Errorf("the ends do not name each other: host %+v, inside %+v", *h, *i)
	}
	_, ipn, _ := net.ParseCIDR("172.22.78.2/24")
	ipn.IP = net.ParseIP("172.22.78.2").To4()
	if c, err := inside.AddAddr("eth0", ipn); err != nil || c[0].Failed() {
		t.Fatalf("AddAddr: %v %v", c, err)
	}
	if c, err := inside.SetUp("eth0", true); err != nil || c[0].Failed() {
		t.Fatalf("SetUp: %v %v", c, err)
	}
	il, _ = inside.Links()
	if e := Find(il, "eth0"); e == nil || !e.Up || !HasIP(il, ipn.IP) {
		t.Errorf("inside: %+v", il)
	}
	hl, _ = host.Links()
	if HasIP(hl, ipn.IP) {
		t.Errorf("the host has the box's address")
	}
	c, err := inside.AddRoute(nil, net.ParseIP("10.99.0.1"), "")
	if err == nil || len(c) != 1 || c[0].ErrName() != "ENETUNREACH" {
		t.Errorf("a default route via an unreachable gateway: %v %v", c, err)
	}
	if c, err := host.Delete(name); err != nil || c[0].Failed() {
		t.Fatalf("Delete: %v %v", c, err)
	}
	il, _ = inside.Links()
	if Find(il, "eth0") != nil {
		t.Errorf("the peer outlived its deleted end")
	}
}
