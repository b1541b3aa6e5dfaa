package main

import (
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"hood/internal/kernel/call"
	"hood/internal/kernel/netdev"
)

// An rtnetlink request hood narrates (netdev: RTM_NEWLINK, ...) is no system
// call of its own: strace shows it as a sendto (or sendmsg) on a netlink
// socket,
//
//	4242  sendto(7<socket:[9]>, [{nlmsg_len=92, nlmsg_type=0x10, nlmsg_flags=0x605, nlmsg_seq=3, nlmsg_pid=0}, ...], 92, 0, {...}, 12) = 92
//
// and the kernel's answer as an NLMSG_ERROR message (type 0x2) with the
// same sequence number in a later recvfrom (or recvmsg) on the same socket:
//
//	4242  recvfrom(7<socket:[9]>, [{nlmsg_len=36, nlmsg_type=0x2, nlmsg_flags=0x100, nlmsg_seq=3, nlmsg_pid=4242}, {error=-17, ...}], ...) = 36
//
// checkRouteNetlink holds the narration to both: that process sent a message
// of that nlmsg_type with those nlmsg_flags, and the ack with its
// sequence number carried the narrated error.
func checkRouteNetlink(t *testing.T, c call.Call, seen []*traced, tgid map[int]int) {
	t.Helper()
	typ, ok := netdev.MsgTypes[c.Name]
	if !ok {
		t.Errorf("hood narrates the netlink message %s, which netdev.MsgTypes does not name", c)
		return
	}
	if len(c.Args) == 0 || c.Args[0].Kind != call.Flags {
		t.Errorf("the netlink message %s does not begin with its nlmsg_flags", c)
		return
	}
	sent := regexp.MustCompile(fmt.Sprintf(`nlmsg_type=%#x, nlmsg_flags=%#x, nlmsg_seq=(\d+),`, typ, c.Args[0].Int))
	want := -int(c.Errno)
	var near []string
	for i, s := range seen {
		if s.used || (s.name != "sendto" && s.name != "sendmsg") || tgid[s.tid] != c.PID {
			continue
		}
		m := sent.FindStringSubmatch(s.line)
		if m == nil {
			continue
		}
		if why := missingAttr(c, s.line); why != "" {
			near = append(near, s.line+"   ("+why+")")
			continue
		}
		// nlmsg_pid is the socket's port id: the PID for a process's first
		// netlink socket, a number the kernel picks (strace may show it
		// negative) for the others.
		ack := regexp.MustCompile(`nlmsg_type=0x2, nlmsg_flags=[^,]+, nlmsg_seq=` + m[1] + `, nlmsg_pid=-?\d+\}, \{error=(-?\d+)`)
		for _, r := range seen[i+1:] {
			// Sequence numbers count per socket: the ack is on the same
			// one (-y shows it as fd<socket:[inode]>).
			if r.used || (r.name != "recvfrom" && r.name != "recvmsg") || tgid[r.tid] != c.PID ||
				len(r.args) == 0 || len(s.args) == 0 || r.args[0] != s.args[0] {
				continue
			}
			a := ack.FindStringSubmatch(r.line)
			if a == nil {
				continue
			}
			if got, _ := strconv.Atoi(a[1]); got != want {
				near = append(near, fmt.Sprintf("%s   (ack error=%d, narrated %d)", r.line, got, want))
				break
			}
			s.used, r.used = true, true
			return
		}
	}
	t.Errorf("hood narrated the netlink message %s [%s, PID %d], which strace did not see that process send and have acknowledged so (nlmsg_type %#x)\n  %v",
		c, c.Who, c.PID, typ, near)
}

// missingAttr says which narrated string attribute (IFLA_IFNAME="eth0",
// IFA_LOCAL="172.22.0.2") the request strace shows does not carry, "" when
// it carries them all. strace shows an attribute's bytes as a string
// ("eth0"), or, inside a blob it does not decode, as \x escapes; an IPv4
// address is its four bytes.
func missingAttr(c call.Call, line string) string {
	for _, a := range c.Args[1:] {
		if a.Kind != call.Str || a.Name == "" {
			continue
		}
		b := []byte(a.Str)
		if ip := net.ParseIP(a.Str).To4(); ip != nil {
			b = ip
		} else if ip, _, err := net.ParseCIDR(a.Str); err == nil && ip.To4() != nil {
			b = ip.To4() // RTA_DST: the network's address (its length is rtm_dst_len)
		}
		var hex strings.Builder
		for _, x := range b {
			fmt.Fprintf(&hex, "\\x%02x", x)
		}
		if !strings.Contains(line, strconv.Quote(a.Str)) && !strings.Contains(line, hex.String()) {
			return fmt.Sprintf("no %s=%q in the request", a.Name, a.Str)
		}
	}
	return ""
}
