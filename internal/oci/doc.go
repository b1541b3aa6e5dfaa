// Package oci writes OCI runtime bundles (a config.json beside a root
// filesystem, the Open Container Initiative's runtime-spec, config.md) for
// hood's root filesystems, and drives runc(8) on them: runc is a program
// hood starts, not a system call, so what this package reports is the
// command line it ran and how that program ended.
//
// Every runc hood starts keeps its state under a --root directory of its
// own, STATEDIR/runc/PID-STARTTIME (the hood's owner mark, as cgroups and
// veth ends carry it), so that no two hoods see each other's containers
// and `hood cleanup` can tell which containers a dead hood left.
package oci
