package netdev

import (
	"fmt"
	"os"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// NS is a network namespace hood holds a netlink socket in.
type NS struct {
	Label string // whose namespace: "host", "box1"
	PID   int    // the process whose /proc/PID/ns/net was opened
	h     *netlink.Handle
	fd    netns.NsHandle
	who   string // the narrated caller: hood, with the namespace its socket is in
	me    int    // hood's PID: the socket is hood's
}

// Open opens a NETLINK_ROUTE socket in the network namespace of pid, as
// procRoot/PID/ns/net names it; label says whose it is in the narration.
func Open(procRoot string, pid int, label string) (*NS, error) {
	path := fmt.Sprintf("%s/%d/ns/net", procRoot, pid)
	fd, err := netns.GetFromPath(path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	h, err := netlink.NewHandleAt(fd, unix.NETLINK_ROUTE)
	if err != nil {
		fd.Close()
		return nil, fmt.Errorf("netlink socket in %s's network namespace: %w", label, err)
	}
	return &NS{Label: label, PID: pid, h: h, fd: fd, me: os.Getpid(),
		who: "hood (netlink socket in " + label + "'s net ns)"}, nil
}

// Fd is the descriptor of the namespace file hood holds open: the value of
// IFLA_NET_NS_FD when a device is created in this namespace.
func (n *NS) Fd() int { return int(n.fd) }

// Close releases the socket and the namespace file.
func (n *NS) Close() {
	if n == nil {
		return
	}
	n.h.Close()
	n.fd.Close()
}

// Same reports whether two opened namespaces are one (the same nsfs inode).
func (n *NS) Same(o *NS) bool { return n.fd.Equal(o.fd) }
