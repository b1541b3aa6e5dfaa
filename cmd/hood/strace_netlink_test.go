package main

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

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

// A netlink send as strace writes it (a type split with <<, a decoded
// nfgen header) parses, and a narrated message is matched to it once.
func TestNetlinkSent(t *testing.T) {
	const trace = `300   socket(0x10, 0x3|0x80800, 0xc) = 4<socket:[77]>
300   sendmsg(4<socket:[77]>, {msg_name={sa_family=0x10, nl_pid=0, nl_groups=00000000}, msg_namelen=12, msg_iov=[{iov_base=[{nlmsg_len=20, nlmsg_type=0xa<<8|0x1, nlmsg_flags=0x301, nlmsg_seq=1, nlmsg_pid=300}, {nfgen_family=0, version=0, res_id=htons(0)}], iov_len=20}], msg_iovlen=1, msg_controllen=0, msg_flags=0}, 0) = 20
300   sendmsg(5<socket:[78]>, {msg_iov=[{iov_base=[{nlmsg_len=20, nlmsg_type=0xa04, nlmsg_flags=0x301}]}]}, 0) = 20
`
	seen, tgid := parseStrace(strings.NewReader(trace))
	if len(seen) != 3 {
		t.Fatalf("%d calls parsed, want 3: %+v", len(seen), seen)
	}
	socks := netfilterSockets(seen, tgid)
	used := map[*traced]map[uint16]int{}
	get := call.Call{Name: "NFT_MSG_GETTABLE", PID: 300, Netlink: 0xa01}
	if why := netlinkSent(get, seen, tgid, socks, used); why != "" {
		t.Error(why)
	}
	if why := netlinkSent(get, seen, tgid, socks, used); why == "" {
		t.Error("one send matched two narrated messages")
	}
	// 0xa04 went on socket 78, which no socket(..., NETLINK_NETFILTER) made.
	if why := netlinkSent(call.Call{Name: "NFT_MSG_GETCHAIN", PID: 300, Netlink: 0xa04}, seen, tgid, socks, used); why == "" {
		t.Error("a send on a socket of unknown protocol matched")
	}
}
