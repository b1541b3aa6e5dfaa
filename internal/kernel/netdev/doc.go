// Package netdev acts on network devices, addresses and routes through
// rtnetlink: the messages ip(8) sends. Each request hood makes is narrated
// as one call.Call whose Netlink field is its nlmsg_type; its name is that
// type's (RTM_NEWLINK, RTM_NEWADDR, RTM_NEWROUTE, RTM_DELLINK), its first argument
// the nlmsg_flags, the others the attributes that matter, and its answer the
// kernel's NLMSG_ERROR acknowledgement (0, or -errno). strace shows such a
// request as a sendto(2) on a NETLINK_ROUTE socket and the acknowledgement
// in the recvfrom(2) that follows; cmd/hood's strace test holds the
// narration to both.
//
// A network namespace is reached without moving any of hood's threads for
// longer than one socket(2): netlink.NewHandleAt opens the socket on a
// locked thread that setns(2)s into /proc/PID/ns/net and back, and a
// socket keeps the namespace it was opened in for its whole life. A veth
// end is created directly in another namespace with IFLA_NET_NS_FD.
//
// The package also holds the ping probe (ping.go): the Go code a box's
// child runs, in the box's namespaces and with its credentials, to send
// ICMP echo requests on a raw socket.
//
// Man pages: rtnetlink(7), netlink(7), veth(4), ip-link(8), ip-address(8),
// ip-route(8), icmp(7), raw(7).
package netdev
