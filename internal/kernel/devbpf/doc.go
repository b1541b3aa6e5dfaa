// Package devbpf is device access on cgroup v2: a program of type
// BPF_PROG_TYPE_CGROUP_DEVICE attached to a cgroup, which the kernel runs
// at every open(2) and mknod(2) of a device node by a process in that
// cgroup or below it. The program reads struct bpf_cgroup_dev_ctx (the
// access and device type, major, minor) and returns 1 to allow or 0 to
// deny (EPERM). hood builds the program from an ordered rule list in the
// shape runc's devicefilter uses, loads and attaches it with bpf(2), and
// decodes attached programs of that shape back into rules.
//
// Man pages: bpf(2); the kernel's Documentation/bpf/prog_cgroup_device
// (include/uapi/linux/bpf.h: bpf_cgroup_dev_ctx, BPF_DEVCG_*).
package devbpf
