package main

import (
	"fmt"
	"net"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"hood/internal/kernel/cgroup"
	"hood/internal/kernel/netdev"
)

// hostNet is the host's network as this test sees it: every device (name,
// state, alias, addresses) and route, leaving out devices other hoods made
// meanwhile (their alias carries a mark that is not skip's) and the routes
// through them, since other tests run on this machine at the same time.
func hostNet(t *testing.T, skip string) []string {
	t.Helper()
	n, err := netdev.Open("/proc", os.Getpid(), "host")
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	ls, err := n.Links()
	if err != nil {
		t.Fatal(err)
	}
	rs, err := n.Routes()
	if err != nil {
		t.Fatal(err)
	}
	other := map[string]bool{}
	var out []string
	for _, l := range ls {
		if netdev.Owner(l.Alias) != "" && l.Alias != skip {
			other[l.Name] = true
			continue
		}
		out = append(out, fmt.Sprintf("link %s up=%v alias=%q addrs=%v", l.Name, l.Up, l.Alias, l.Addrs))
	}
	for _, r := range rs {
		if !other[r.Dev] {
			out = append(out, fmt.Sprintf("route %s via %s dev %s", r.Dst, r.Gw, r.Dev))
		}
	}
	slices.Sort(out)
	return out
}

// settled waits for the host's network to be want again (a dead
// namespace's devices go in a kernel work queue, not at once).
func settled(t *testing.T, want []string, mark string) []string {
	var got []string
	for range 100 {
		if got = hostNet(t, mark); slices.Equal(got, want) {
			return got
		}
		time.Sleep(20 * time.Millisecond)
	}
	return got
}

func TestNetVethPingLeavesHostAsItWas(t *testing.T) {
	requireRoot(t)
	for _, kill := range []bool{false, true} {
		name := "exit"
		if kill {
			name = "SIGKILL then hood cleanup"
		}
		t.Run(name, func(t *testing.T) {
			before := hostNet(t, "")
			s := startSession(t)
			dev := fmt.Sprintf("hzt%d", s.hood.PID)
			out := s.run("unshare net", "net veth "+dev+" veth1", "net rename veth1 eth0",
				"net addr "+dev+" 172.22.77.1/24 --host", "net addr eth0 172.22.77.2/24",
				"net up "+dev+" --host", "net up eth0", "ping 172.22.77.1 -c 2", "ns pin box1 net")
			if !strings.Contains(out, "2 sent, 2 received, 0% loss") {
				t.Fatalf("the ping across the pair did not get its replies:\n%s\nstderr %s", out, s.stderr)
			}
			mark := netdev.Mark(cgroup.Token(s.hood.PID))
			during := hostNet(t, mark)
			if !slices.ContainsFunc(during, func(l string) bool {
				return strings.HasPrefix(l, "link "+dev+" up=true alias=\""+mark+"\" addrs=[172.22.77.1/24")
			}) {
				t.Errorf("the host end %s with hood's mark is not on the host: %v", dev, during)
			}
			s.end(t, kill)
			if kill {
				res, err := hoodCommand(t, "hood", "cleanup").CombinedOutput()
				if err != nil {
					t.Fatalf("hood cleanup: %v\n%s", err, res)
				}
			}
			if got := settled(t, before, ""); !slices.Equal(got, before) {
				t.Errorf("the host's network changed:\nbefore %v\nafter  %v", before, got)
			}
		})
	}
}

// hood cleanup deletes the host veth ends of hoods that are gone, and no
// other device: not a live hood's, not one without hood's mark.
func TestCleanupRemovesOnlyDeadHoodsVeths(t *testing.T) {
	requireRoot(t)
	n, err := netdev.Open("/proc", os.Getpid(), "host")
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	tag := os.Getpid() % 100000
	devs := map[string]string{
		fmt.Sprintf("hzd%d", tag): netdev.Mark("1:1"), // PID 1 did not start at tick 1: a dead hood
		fmt.Sprintf("hzl%d", tag): netdev.Mark(cgroup.Token(os.Getpid())),
		fmt.Sprintf("hzn%d", tag): "",
	}
	for dev, mark := range devs {
		if _, err := n.AddVeth(dev, dev+"p", n, mark); err != nil {
			t.Fatalf("creating %s: %v", dev, err)
		}
		t.Cleanup(func() { _, _ = n.Delete(dev) })
	}
	res, err := hoodCommand(t, "hood", "cleanup").CombinedOutput()
	if err != nil {
		t.Fatalf("hood cleanup: %v\n%s", err, res)
	}
	ls, err := n.Links()
	if err != nil {
		t.Fatal(err)
	}
	for dev, mark := range devs {
		dead := mark == netdev.Mark("1:1")
		if gone := netdev.Find(ls, dev) == nil; gone != dead {
			t.Errorf("%s (alias %q): gone=%v after hood cleanup, want %v\n%s", dev, mark, gone, dead, res)
		}
		if dead && !strings.Contains(string(res), dev) {
			t.Errorf("hood cleanup did not name %s:\n%s", dev, res)
		}
		if netdev.Find(ls, dev+"p") != nil && dead {
			t.Errorf("%sp, the peer of a removed end, is still there", dev)
		}
	}
}

// ping refuses every address of the host's own devices, and any address
// outside the box's reach: nothing may leave the machine.
func TestPingRefusesTheHostAndTheOutside(t *testing.T) {
	requireRoot(t)
	n, err := netdev.Open("/proc", os.Getpid(), "host")
	if err != nil {
		t.Fatal(err)
	}
	ls, err := n.Links()
	n.Close()
	if err != nil {
		t.Fatal(err)
	}
	targets := map[string]string{"8.8.8.8": "is not an address of box1's own devices", "10.1.2.3": "is not an address of box1's own devices"}
	for _, l := range ls {
		if netdev.Owner(l.Alias) != "" {
			continue
		}
		for _, a := range l.Addrs {
			if ip, _, err := net.ParseCIDR(a); err == nil && ip.To4() != nil && !ip.IsLoopback() {
				targets[ip.String()] = "is an address of the host's own devices"
			}
		}
	}
	for addr, want := range targets {
		out, err := hoodCommand(t, "hood", "-c", "unshare net; net up lo; ping "+addr+" -c 1").CombinedOutput()
		if err == nil || !strings.Contains(string(out), "refused: "+addr+" "+want) {
			t.Errorf("ping %s: %v, want it refused (%s):\n%s", addr, err, want, out)
		}
		if strings.Contains(string(out), "sin_addr="+addr) {
			t.Errorf("ping %s sent something:\n%s", addr, out)
		}
	}
	out, err := hoodCommand(t, "hood", "-c", "ping 127.0.0.1 -c 1").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "refused: box1 shares the host's network namespace") {
		t.Errorf("ping 127.0.0.1 from the host's namespace: %v\n%s", err, out)
	}
}
