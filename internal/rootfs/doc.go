// Package rootfs keeps the root filesystems a box can chroot or pivot_root
// into: directory trees holding a small Linux userland, each in
// STATEDIR/rootfs/NAME (see hood/internal/statedir), built from
// busybox-static (Make) or unpacked from a tarball the user brings (Import:
// a `docker export` output, an Alpine minirootfs, gzip or not).
//
// Import resolves every path inside the target with Go's os.Root (openat2
// with RESOLVE_IN_ROOT semantics): an entry that climbs out with ../, that
// is absolute, that writes through an absolute or escaping symlink, or that
// hard-links to a file outside is refused with its name. Device nodes and
// FIFOs are skipped (a rootfs gets its /dev from a mount), setuid and
// setgid bits are dropped (a setuid-root file in a home directory would be a
// way to root for anyone who can reach it). Nothing is half-made: a tree is
// built in a hidden directory next to its final place and renamed there
// only when complete.
//
// Man pages: chroot(2), pivot_root(2), tar(5), os-release(5), busybox(1).
package rootfs
