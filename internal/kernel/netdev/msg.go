package netdev

import (
	"strings"

	"golang.org/x/sys/unix"

	"hood/internal/kernel/call"
)

// The nlmsg_flags of the requests hood sends, as the netlink package sets
// them (it adds NLM_F_REQUEST to every request).
const (
	fAck    = unix.NLM_F_REQUEST | unix.NLM_F_ACK
	fCreate = fAck | unix.NLM_F_CREATE | unix.NLM_F_EXCL
)

var flagNames = []struct {
	bit  int
	name string
}{
	{unix.NLM_F_REQUEST, "NLM_F_REQUEST"}, {unix.NLM_F_ACK, "NLM_F_ACK"},
	{unix.NLM_F_REPLACE, "NLM_F_REPLACE"}, {unix.NLM_F_EXCL, "NLM_F_EXCL"},
	{unix.NLM_F_CREATE, "NLM_F_CREATE"},
}

// FlagText names the bits of an nlmsg_flags value.
func FlagText(flags int) string {
	var names []string
	for _, f := range flagNames {
		if flags&f.bit != 0 {
			names = append(names, f.name)
		}
	}
	return strings.Join(names, "|")
}

// MsgTypes are the message types hood narrates, by name: the strace test
// compares them with the nlmsg_type strace shows.
var MsgTypes = map[string]int{
	"RTM_NEWLINK": unix.RTM_NEWLINK, "RTM_DELLINK": unix.RTM_DELLINK, "RTM_SETLINK": unix.RTM_SETLINK,
	"RTM_NEWADDR": unix.RTM_NEWADDR, "RTM_NEWROUTE": unix.RTM_NEWROUTE,
}

// msg is the narration of one request of type name with flags, answered
// by err: nil when the kernel's ack carried error 0, the errno it carried
// otherwise. An error with no errno did not come from the kernel (the
// request was never sent): msg returns no call for it, and that error.
func (n *NS) msg(name string, flags int, err error, attrs ...call.Arg) ([]call.Call, error) {
	var answer error
	if err != nil {
		errno := call.ErrnoOf(err)
		if errno == 0 {
			return nil, err
		}
		answer = errno
	}
	c := call.New(n.who, n.me, name, 0, answer, append([]call.Arg{call.F(int64(flags), FlagText(flags))}, attrs...)...)
	c.Netlink = uint16(MsgTypes[name])
	if answer == nil {
		c.RetNote = "(ack)"
	}
	return []call.Call{c}, err
}

// attr is a netlink attribute shown by name: IFLA_IFNAME="eth0".
func attr(name string, a call.Arg) call.Arg { return call.Named(name, a) }
