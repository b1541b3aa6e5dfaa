package netdev

import (
	"fmt"
	"io"
	"net"
)

// LabNets is where the net lab's /24 networks come from: 172.22.N.0/24,
// N from 0. Two hoods on one machine (a workshop's shared server, or the
// test suite's packages running side by side) must not both put
// 172.22.N.1 on the host.
const LabNets = "172.22"

// ReserveLabNet returns the first 172.22.N (N = 0..255) whose /24 no host
// address or route touches (hostAddrs: "IP/PREFIX"; hostRoutes: "NET/PREFIX"
// or "default", which does not count) and that no other hood holds. A hood
// holds N by binding the abstract unix socket @hood-labnet-172.22.N, which
// the kernel releases when the process goes, whatever way it goes: there is
// nothing to clean up. Close the returned Closer to give N back.
//
// The socket is a lock, not a channel: hood never reads it, and shuts its
// receiving side at once, so that a datagram another process sends to it
// is refused (EPIPE) rather than queued. hood's only channel to its boxes
// is the socketpair each box is started with, which has no name at all.
func ReserveLabNet(hostAddrs, hostRoutes []string) (string, io.Closer, error) {
	for n := 0; n < 256; n++ {
		prefix := fmt.Sprintf("%s.%d", LabNets, n)
		_, subnet, _ := net.ParseCIDR(prefix + ".0/24")
		if touches(subnet, hostAddrs) || touches(subnet, hostRoutes) {
			continue
		}
		c, err := net.ListenPacket("unixgram", "@hood-labnet-"+prefix)
		if err != nil {
			continue // another hood holds it
		}
		if err := c.(*net.UnixConn).CloseRead(); err != nil {
			c.Close()
			return "", nil, fmt.Errorf("shut the reading side of @hood-labnet-%s: %w", prefix, err)
		}
		return prefix, c, nil
	}
	return "", nil, fmt.Errorf("every 172.22.N.0/24 is in use on this host or by another hood")
}

// touches reports whether any of the networks overlaps subnet.
func touches(subnet *net.IPNet, cidrs []string) bool {
	for _, c := range cidrs {
		_, n, err := net.ParseCIDR(c)
		if err != nil {
			continue
		}
		if n.Contains(subnet.IP) || subnet.Contains(n.IP) {
			return true
		}
	}
	return false
}
