// Package doctor looks at the machine hood runs on and says, row by row,
// what a workshop needs and what is missing: the kernel and architecture,
// root and the capabilities held (CapEff of /proc/self/status,
// capabilities(7)), the cgroup layout and the controllers delegated to the
// invoking user (cgroups(7), systemd.resource-control(5) Delegate=), user
// namespaces and the sysctls that restrict them (user_namespaces(7)),
// /etc/subuid and /etc/subgid (subuid(5)), time namespaces, seccomp, BPF
// device programs, nf_tables, veth, the programs the labs run, WSL2 and
// containers; then, for each lab, whether it runs here as root and as the
// user, and what it lacks.
//
// Everything is read below a root directory (Machine.Root: "/" on the live
// machine, a fixture tree under testdata/ in tests); what cannot be read
// from files (a real unshare, loading a BPF program, a netlink request, a
// program on PATH) comes from Probes, which tests replace. Nothing here
// runs until doctor is asked: hood's start-up does not pay for it.
package doctor
