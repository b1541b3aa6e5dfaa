// Package netns makes named network namespaces as `ip netns` does
// (ip-netns(8), iproute2's ip/ipnetns.c): a bind mount of a process's
// /proc/PID/ns/net on an empty file /run/netns/NAME, in the host's mount
// namespace, with /run/netns itself a shared mount point, so that a mount
// namespace copied later (`ip netns exec` makes one) still sees entries
// added or removed afterwards.
//
// hood is the host-side process: it makes these mounts itself, with
// mount(2), in the mount namespace it was started in; no setns is needed.
// Each entry hood makes has a mark, /run/hood/netns/NAME holding the
// owner token of the hood that made it (cgroup.Token), so that a later
// start or `hood cleanup` removes the entries of hoods that are gone and
// no others. /run/netns's own mount (and directory) is undone by the hood
// that removes the last entry, when a hood made it (/run/hood/netns/.rundir).
//
// Man pages: ip-netns(8), mount(2), umount(2), mount_namespaces(7).
package netns
