package main

import (
	"fmt"
	"regexp"
	"strings"

	"hood/internal/kernel/call"
)

// A narrated netlink message (call.Call.Netlink set: NFT_MSG_NEWTABLE, ...)
// is not a system call: it travels inside a sendmsg(2) or sendto(2) on a
// netlink socket. The check: the process the message names made such a
// call on a NETLINK_NETFILTER socket (one its own socket(AF_NETLINK, ...,
// NETLINK_NETFILTER) returned) whose buffer holds a message of that
// nlmsg_type, one not already matched to another narrated message. strace
// writes the type as 0xa00 or, when it can look the socket's protocol up,
// as 0xa<<8|0; both are accepted. The kernel's answer (ack or error) comes
// back by recvmsg and is not compared.

var (
	nlSocketRE = regexp.MustCompile(`= \d+<socket:\[(\d+)\]>`)
	nlSendRE   = regexp.MustCompile(`^\d+<socket:\[(\d+)\]>`)
)

// netfilterSockets are the inodes of the NETLINK_NETFILTER sockets each
// thread group made: socket(0x10 /* AF_NETLINK */, ..., 0xc /* NETLINK_NETFILTER */).
func netfilterSockets(seen []*traced, tgid map[int]int) map[string]int {
	out := map[string]int{}
	for _, s := range seen {
		if s.name != "socket" || s.errno != "" || len(s.args) < 3 || s.args[0] != "0x10" || s.args[2] != "0xc" {
			continue
		}
		if m := nlSocketRE.FindStringSubmatch(s.line); m != nil {
			out[m[1]] = tgid[s.tid]
		}
	}
	return out
}

// netlinkSent finds the sendmsg or sendto that carried c and counts it in
// used; it returns "" when found, else what it saw.
func netlinkSent(c call.Call, seen []*traced, tgid map[int]int, socks map[string]int, used map[*traced]map[uint16]int) string {
	hex := fmt.Sprintf("nlmsg_type=%#x,", c.Netlink)
	split := fmt.Sprintf("nlmsg_type=%#x<<8|%#x,", c.Netlink>>8, c.Netlink&0xff)
	if c.Netlink < 0x100 {
		split = hex
	}
	var near []string
	for _, s := range seen {
		if (s.name != "sendmsg" && s.name != "sendto") || tgid[s.tid] != c.PID || len(s.args) == 0 || s.errno != "" {
			continue
		}
		m := nlSendRE.FindStringSubmatch(s.args[0])
		if m == nil || socks[m[1]] != c.PID {
			continue
		}
		n := strings.Count(s.line, hex) + strings.Count(s.line, split)
		if used[s] == nil {
			used[s] = map[uint16]int{}
		}
		if used[s][c.Netlink] < n {
			used[s][c.Netlink]++
			return ""
		}
		near = append(near, s.line)
	}
	if len(near) > 3 {
		near = near[len(near)-3:]
	}
	return fmt.Sprintf("hood narrated the netlink message %s [%s, PID %d], but no sendmsg/sendto of that process on a NETLINK_NETFILTER socket carried a message of type %#x; its netfilter sends:\n  %s",
		c, c.Who, c.PID, c.Netlink, strings.Join(near, "\n  "))
}
