// Package ns observes Linux namespaces: the eight namespace types, their
// CLONE_NEW* flags, the /proc/PID/ns links that name a process's namespaces by
// inode, and a host-wide listing like lsns(8).
//
// It only observes. Changing a process's namespaces (unshare(2), setns(2))
// is done by the box process, see internal/box.
//
// Man pages: namespaces(7), unshare(2), setns(2), lsns(8), ioctl_ns(2).
package ns
