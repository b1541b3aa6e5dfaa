package netdev

import (
	"errors"
	"fmt"
	"os"
	"reflect"

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
	var h *netlink.Handle
	if self, serr := netns.Get(); serr == nil && self.Equal(fd) {
		// hood's own namespace: no setns(2), which without root is
		// refused even into the namespace the thread is already in.
		self.Close()
		h, err = netlink.NewHandle(unix.NETLINK_ROUTE)
	} else {
		if serr == nil {
			self.Close()
		}
		h, err = netlink.NewHandleAt(fd, unix.NETLINK_ROUTE)
	}
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

// OpenSocket is Open for a namespace hood may not setns(2) into (hood
// without root: that takes CAP_SYS_ADMIN in hood's own user namespace too),
// with sock, a NETLINK_ROUTE socket a process inside opened and handed to
// hood (pidfd_getfd): a socket keeps the namespace it was opened in, and
// the kernel checks a request's capabilities against both the socket's
// opener and its sender. OpenSocket takes sock over (it is closed with n,
// or on error).
func OpenSocket(procRoot string, pid int, label string, sock int) (*NS, error) {
	path := fmt.Sprintf("%s/%d/ns/net", procRoot, pid)
	fd, err := netns.GetFromPath(path)
	if err != nil {
		unix.Close(sock)
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	// A handle on a socket of hood's own namespace, whose descriptor
	// then becomes the one from inside (dup3 replaces it in one step).
	h, err := netlink.NewHandle(unix.NETLINK_ROUTE)
	if err == nil {
		err = adopt(h, sock)
	}
	unix.Close(sock)
	if err != nil {
		if h != nil {
			h.Close()
		}
		fd.Close()
		return nil, fmt.Errorf("netlink socket from %s's network namespace: %w", label, err)
	}
	return &NS{Label: label, PID: pid, h: h, fd: fd, me: os.Getpid(),
		who: "hood (netlink socket " + label + " opened in its net ns)"}, nil
}

// adopt makes the NETLINK_ROUTE socket of h be sock: the handle keeps
// its descriptor number, which dup3(2) points at sock's socket.
func adopt(h *netlink.Handle, sock int) error {
	v := reflect.ValueOf(h).Elem().FieldByName("sockets")
	if !v.IsValid() {
		return errors.New("the netlink library's Handle has no sockets field")
	}
	sh := v.MapIndex(reflect.ValueOf(unix.NETLINK_ROUTE))
	if !sh.IsValid() || sh.IsNil() {
		return errors.New("the netlink handle has no NETLINK_ROUTE socket")
	}
	s := sh.Elem().FieldByName("Socket")
	if !s.IsValid() || s.IsNil() {
		return errors.New("the netlink handle's socket is missing")
	}
	f := s.Elem().FieldByName("fd")
	if !f.IsValid() || f.Kind() != reflect.Int32 {
		return errors.New("the netlink library's socket has no fd field")
	}
	return unix.Dup3(sock, int(f.Int()), unix.O_CLOEXEC)
}
