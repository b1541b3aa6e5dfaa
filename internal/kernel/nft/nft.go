package nft

import (
	"errors"
	"fmt"
	"syscall"

	"github.com/google/nftables"
	"golang.org/x/sys/unix"

	"hood/internal/kernel/call"
)

// The table, chain and rule hood makes: `table inet hood`, its chain
// `input` hooked on the input path at the filter priority.
const (
	Table = "hood"
	Chain = "input"
)

// Conn is a netlink connection to one network namespace's nf_tables.
type Conn struct {
	c    *nftables.Conn
	who  string // "hood" for a box's namespace, "hood (host)" for the host's
	pid  int    // hood's PID: hood sends every message
	Host bool   // bound to hood's own namespace, the host's
	// Inode is the network namespace's inode (net:[N]) when opened from
	// a file; 0 for OpenHost.
	Inode uint64
}

// Missing is nf_tables (or nfnetlink) not being in this kernel.
type Missing struct{ Err error }

func (m *Missing) Error() string {
	return fmt.Sprintf("nf_tables is not in this kernel (%v): it needs CONFIG_NF_TABLES (and CONFIG_NETFILTER_NETLINK), built in or loaded with `modprobe nf_tables`", m.Err)
}

func (m *Missing) Unwrap() error { return m.Err }

// missing turns the errnos of a kernel without nf_tables into *Missing:
// EPROTONOSUPPORT for socket(AF_NETLINK, ..., NETLINK_NETFILTER) without
// nfnetlink, EOPNOTSUPP or ENOENT for a request to the nf_tables subsystem
// that is not registered.
func missing(err error) error {
	switch call.ErrnoOf(err) {
	case unix.EPROTONOSUPPORT, unix.EOPNOTSUPP, unix.EAFNOSUPPORT:
		return &Missing{err}
	}
	return err
}

// IsMissing reports whether err says nf_tables is missing.
func IsMissing(err error) bool {
	var m *Missing
	return errors.As(err, &m)
}

// OpenNS opens procRoot/PID/ns/net (narrated as hood's openat) and a
// netlink connection bound to that namespace. The descriptor is closed
// once the socket exists: the socket keeps the namespace.
func OpenNS(procRoot string, pid, hoodPID int) (*Conn, []call.Call, error) {
	return OpenFile(fmt.Sprintf("%s/%d/ns/net", procRoot, pid), hoodPID)
}

// OpenFile is OpenNS for a network namespace file given by path: a
// /proc/PID/ns/net link or a name in /run/netns.
func OpenFile(path string, hoodPID int) (*Conn, []call.Call, error) {
	const flags = unix.O_RDONLY | unix.O_CLOEXEC
	fd, err := unix.Openat(unix.AT_FDCWD, path, flags, 0)
	open := call.New("hood", hoodPID, "openat", int64(fd), err, call.Cwd(), call.S(path), call.F(flags, "O_RDONLY|O_CLOEXEC"))
	calls := []call.Call{open}
	if err != nil {
		return nil, calls, call.Wrap("open "+path, err)
	}
	defer func() {
		cl := call.New("hood", hoodPID, "close", 0, unix.Close(fd), call.Fd(fd, path))
		cl.Quiet = true
		calls = append(calls, cl)
	}()
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return nil, calls, call.Wrap("fstat "+path, err)
	}
	c, err := nftables.New(nftables.WithNetNSFd(fd), nftables.AsLasting())
	if err != nil {
		return nil, calls, missing(fmt.Errorf("netlink socket in %s: %w", path, err))
	}
	return &Conn{c: c, who: "hood", pid: hoodPID, Inode: st.Ino}, calls, nil
}

// OpenHost is a connection in hood's own network namespace: the host's,
// which hood only reads.
func OpenHost(hoodPID int) (*Conn, error) {
	c, err := nftables.New(nftables.AsLasting())
	if err != nil {
		return nil, missing(fmt.Errorf("netlink socket: %w", err))
	}
	return &Conn{c: c, who: "hood (host)", pid: hoodPID, Host: true}, nil
}

// Close closes the netlink socket.
func (c *Conn) Close() { _ = c.c.CloseLasting() }

// The netlink message types, nlmsg_type: nfnetlink's subsystem in the
// high byte, the message in the low one (nfnetlink.h, nf_tables.h).
const (
	subsys     = unix.NFNL_SUBSYS_NFTABLES << 8
	batchBegin = unix.NFNL_MSG_BATCH_BEGIN
	batchEnd   = unix.NFNL_MSG_BATCH_END
)

var msgNames = map[uint16]string{
	batchBegin:                     "NFNL_MSG_BATCH_BEGIN",
	batchEnd:                       "NFNL_MSG_BATCH_END",
	subsys | unix.NFT_MSG_NEWTABLE: "NFT_MSG_NEWTABLE",
	subsys | unix.NFT_MSG_GETTABLE: "NFT_MSG_GETTABLE",
	subsys | unix.NFT_MSG_DELTABLE: "NFT_MSG_DELTABLE",
	subsys | unix.NFT_MSG_NEWCHAIN: "NFT_MSG_NEWCHAIN",
	subsys | unix.NFT_MSG_GETCHAIN: "NFT_MSG_GETCHAIN",
	subsys | unix.NFT_MSG_NEWRULE:  "NFT_MSG_NEWRULE",
	subsys | unix.NFT_MSG_GETRULE:  "NFT_MSG_GETRULE",
}

// MsgName is the name of a message type hood sends.
func MsgName(t uint16) string { return msgNames[t] }

// msg is one narrated netlink message: not a system call, but carried by
// the sendmsg(2) of its batch or request, so Netlink holds its type.
func (c *Conn) msg(t uint16, answer error, ret int64, note string, args ...call.Arg) call.Call {
	m := call.New(c.who, c.pid, msgNames[t], ret, answer, args...)
	m.Netlink = t
	if answer == nil {
		m.RetNote = note
	}
	return m
}

func family(f nftables.TableFamily) call.Arg {
	return call.Named("family", call.F(int64(f), familyConst[f]))
}

var familyConst = map[nftables.TableFamily]string{
	nftables.TableFamilyUnspecified: "NFPROTO_UNSPEC", nftables.TableFamilyINet: "NFPROTO_INET",
	nftables.TableFamilyIPv4: "NFPROTO_IPV4", nftables.TableFamilyIPv6: "NFPROTO_IPV6",
	nftables.TableFamilyARP: "NFPROTO_ARP", nftables.TableFamilyNetdev: "NFPROTO_NETDEV",
	nftables.TableFamilyBridge: "NFPROTO_BRIDGE",
}

// errno is the kernel's answer inside a library error, as an error that
// call.New takes; a library error without one stays as it is.
func errno(err error) error {
	if e := call.ErrnoOf(err); e != 0 {
		return syscall.Errno(e)
	}
	return err
}
