package commands

// Without root, what hood does for the net commands (and says for the
// errors its lack of root causes): see rootless.go for the user namespace.

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"hood/internal/box"
	"hood/internal/kernel/netdev"
	"hood/internal/result"
)

// rootlessErr says, for the errors that come from hood's own lack of
// root rather than the box's, why a user namespace does not help: the one
// place that says it, for every net command.
func (s *Session) rootlessErr(err error) error {
	if err == nil || s.userns == nil {
		return err
	}
	if strings.Contains(err.Error(), "netlink socket in") {
		return &result.UsageError{Msg: fmt.Sprintf("%v\n  why: hood runs as uid %d, and reaches a network namespace without root only through a netlink socket a box opens inside it; this namespace is no box's, and setns(2) into it needs CAP_SYS_ADMIN in the host's user namespace\n  fix: name a box (`box ls`), or start hood with sudo", err, os.Geteuid())}
	}
	var ke *result.KernelError
	if errors.As(err, &ke) && ke.ErrName == "EPERM" && strings.HasPrefix(ke.Call, `mount("proc"`) {
		ke.Meaning = "in a user namespace the kernel mounts a new proc only where a proc is already fully visible in the same mount namespace, with nothing mounted over parts of it (mount_too_revealing in fs/namespace.c); after pivot_root has detached the host's /proc there is none"
		ke.Fix = "mount it before pivot_root detaches the old root, on the new root's proc directory: `mount -t proc proc ROOTFS/proc` from the box in its new mount and PID namespaces, then `pivot_root NAME`; rootless runtimes do the same"
	}
	if errors.As(err, &ke) && ke.ErrName == "EPERM" && strings.HasPrefix(ke.Call, "RTM_") {
		ke.Meaning = fmt.Sprintf("hood runs as uid %d: the host's network namespace belongs to the host's user namespace, where neither hood nor its boxes hold CAP_NET_ADMIN (their capabilities count over %s and what it owns)", os.Geteuid(), s.userns.link)
		ke.Fix = "join two boxes instead, each with `unshare net`: from one, `net veth A B --peer OTHERBOX`; or start hood with sudo for the host's end"
	}
	return err
}

// netBox is, without root, a box in the network namespace of pid, through
// which hood reaches that namespace (netNSFrom); nil as root, or when no
// box is there (the host's namespace stays out of reach, as it should).
func (s *Session) netBox(pid int) *box.Box {
	if s.userns == nil {
		return nil
	}
	want, err := s.links(pid)
	if err != nil || want["net"] == "" {
		return nil
	}
	host, _ := s.hostLinks()
	if want["net"] == host["net"] {
		return nil
	}
	for _, b := range s.Boxes {
		if l, err := s.links(b.PID); err == nil && l["net"] == want["net"] {
			return b
		}
	}
	return nil
}

// netNSFrom opens pid's network namespace through box b, which is in it:
// b opens the NETLINK_ROUTE socket and hood takes a copy with
// pidfd_getfd(2). hood may not setns(2) there itself without root, but
// the kernel lets it send on the socket: it checks CAP_NET_ADMIN in the
// namespace's user namespace for the socket's opener (b) and for the
// sender (hood, that user namespace's owner).
func (s *Session) netNSFrom(b *box.Box, pid int, label string) (*netdev.NS, error) {
	c, err := b.NetlinkSocket()
	if err != nil {
		return nil, err
	}
	s.netCalls = append(s.netCalls, c)
	if c.Failed() {
		return nil, kernelErr(c, "socket")
	}
	fd := int(c.Ret)
	mine, calls := b.CopyFd(fd, "netlink socket of "+b.Name)
	s.netCalls = append(s.netCalls, calls...)
	cl, cerr := b.Close(fd, "netlink socket")
	if cerr == nil {
		s.netCalls = append(s.netCalls, cl)
	}
	if mine < 0 {
		return nil, kernelErr(calls[len(calls)-1], "pidfd_getfd")
	}
	return netdev.OpenSocket(s.ProcRoot, pid, label, mine)
}

// withNetCalls puts in res the calls that handed hood netlink sockets from
// inside boxes during the command (quiet: full narration shows them), and
// says once why hood works that way without root.
func (s *Session) withNetCalls(res *result.Result) *result.Result {
	if len(s.netCalls) == 0 {
		return res
	}
	if res == nil {
		res = &result.Result{}
	}
	calls := make([]result.Syscall, 0, len(s.netCalls)+len(res.Syscalls))
	for _, c := range s.netCalls {
		c.Quiet = true
		calls = append(calls, c)
	}
	res.Syscalls = append(calls, res.Syscalls...)
	if s.netTold {
		res.Say("rootless", "hood's netlink socket came from %s (socket(2) there, pidfd_getfd(2) here)", s.netCalls[0].Who)
	} else {
		res.Say("rootless", "hood's netlink socket was opened by %s, inside its network namespace, and handed to hood with pidfd_getfd(2): hood may not setns(2) there without CAP_SYS_ADMIN in the host's user namespace, but the kernel takes its requests, since both the socket's opener and hood hold CAP_NET_ADMIN over %s (hood as its owner)", s.netCalls[0].Who, s.userns.link)
		s.netTold = true
	}
	s.netCalls = nil
	return res
}

// nftRootless refuses net rule without root, before any request: hood's
// nftables library opens its socket in the box's namespace with setns(2),
// and each rule is compared with the host's ruleset, which only
// CAP_NET_ADMIN in the host's user namespace may read.
func (s *Session) nftRootless() error {
	if s.userns == nil {
		return nil
	}
	return &result.UsageError{Msg: fmt.Sprintf("net rule needs real root, and hood runs as uid %d: the nftables library hood uses opens its socket in the box's network namespace with setns(2), which needs CAP_SYS_ADMIN in the host's user namespace, and hood shows each rule beside the host's ruleset, which only CAP_NET_ADMIN there may read. Start hood with sudo for firewall rules; links, addresses, routes and ping between boxes work without root", os.Geteuid())}
}
