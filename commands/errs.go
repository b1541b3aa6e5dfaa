package commands

import (
	"hood/internal/result"
)

// why says what an errno means for one kind of call, and what fixes it.
type why struct{ meaning, fix string }

// errnoWhy is keyed by the call's name, then the errno's name.
var errnoWhy = map[string]map[string]why{
	"unshare": {
		"EPERM": {"creating a namespace other than a user namespace needs CAP_SYS_ADMIN in the box's user namespace, and the box does not have it",
			"run hood as root (sudo hood), or `unshare user --map-root` first: inside its own user namespace the box has every capability"},
		"EINVAL": {"the kernel does not accept these flags here: most often the box already gave its children a new PID namespace (a process may do that once: its pid_for_children must still be its own PID namespace), or a namespace type this kernel was built without (time needs Linux 5.6 and CONFIG_TIME_NS)",
			"for a fresh PID namespace start a new box (`box new`) and `unshare pid` there; check the kernel's types with `ls /proc/self/ns`"},
		"ENOSPC": {"a namespace limit is reached: /proc/sys/user/max_*_namespaces for this type, or user namespaces nested 32 deep",
			"close boxes you no longer need (`box kill NAME`) or raise the sysctl"},
		"EUSERS": {"user namespaces are nested too deep (older kernels say EUSERS instead of ENOSPC)", "use fewer nested user namespaces"},
		"ENOMEM": {"the kernel could not allocate memory for the new namespace", "free memory and try again"},
	},
	"setns": {
		"EPERM": {"joining a namespace needs CAP_SYS_ADMIN in the user namespace that owns it (and for a user namespace, in that namespace itself); the box lacks it",
			"run hood as root, or enter the target's user namespace first"},
		"EINVAL": {"the kernel refused this join: the box is already in that user namespace, the file is not a namespace of that type, or the box shares its filesystem state",
			"check the target with `ns show TARGET`"},
		"ENOMEM": {"the kernel could not allocate memory", "free memory and try again"},
	},
	"sethostname": {
		"EPERM": {"changing the hostname needs CAP_SYS_ADMIN in the user namespace that owns the box's UTS namespace",
			"rename a UTS namespace the box's own user namespace owns: `unshare uts` (after `unshare user --map-root` for a box that is not root)"},
		"EINVAL": {"a hostname is at most 64 bytes", "choose a shorter name"},
	},
	"mount": {
		"EPERM":  {"mounting needs CAP_SYS_ADMIN in the user namespace that owns the box's mount namespace", "run hood as root, or unshare user and mnt together"},
		"ENOENT": {"the mount point does not exist in the box's view of the filesystem", "create it first, or pick an existing directory"},
		"ENODEV": {"this kernel has no such filesystem type", "see /proc/filesystems for the types it knows"},
		"EBUSY":  {"the target is busy or already mounted that way", "check /proc/PID/mountinfo"},
		"EINVAL": {"the kernel refused these mount flags for this target (a propagation change on something that is not a mount point, or a bad combination)", "check the target in /proc/PID/mountinfo"},
	},
	"fork": {
		"ENOMEM": {"PID 1 of the box's new PID namespace has exited, and a PID namespace whose init is gone takes no new process (the first process started after `unshare pid` became that PID 1)",
			"start a new box (`box new`, or `box kill` this one) and use `unshare pid --fork` there: it keeps a PID 1 alive"},
		"EAGAIN": {"a process limit was reached (RLIMIT_NPROC, pids.max of a cgroup, or kernel.threads-max)", "end some processes or raise the limit"},
	},
	"setuid": {
		"EPERM": {"changing to another user needs CAP_SETUID and CAP_SETGID, which hood lacks when not run as root", "run hood as root for --uid"},
	},
	"kill": {
		"ESRCH": {"no process has that PID in the namespace the signal was sent from: a process inside a PID namespace cannot see, let alone signal, the processes outside it",
			"`run ps -e` lists what the namespace can see (after mounting its own /proc)"},
		"EPERM": {"the sender lacks permission over that process: CAP_KILL in the target's user namespace, or the same user", "send from a box that runs as the process's owner or as root"},
	},
	"ioctl": {
		"ENOTTY": {"the file is not a namespace file, so the namespace ioctls do not apply to it", "give /proc/PID/ns/TYPE or a file a namespace is bind-mounted on"},
		"EPERM":  {"the answer lies outside the namespaces the caller may see (the parent of the first namespace it knows)", "ask from a more outer namespace"},
	},
	"execve": {
		"ENOENT": {"there is no such program where the box looks for it (its PATH, in its mount namespace and root)", "check the name, or give a full path"},
		"EACCES": {"the file is not executable, or a directory on the way cannot be searched", "check the file's mode"},
	},
	"write": {
		"EPERM":  {"the kernel refused the mapping: uid_map and gid_map can be written once, by a process with CAP_SETUID/CAP_SETGID over the namespace, and gid_map only after setgroups is denied for an unprivileged writer", "map once, right after `unshare user`"},
		"EACCES": {"timens_offsets can only be written before any process has entered the new time namespace", "set offsets in the same step: `unshare time --monotonic N`"},
		"EINVAL": {"the kernel rejected the format or values written", "see user_namespaces(7) or time_namespaces(7) for the format"},
	},
}

// kernelErr turns a failed syscall into an error that says what it means.
func kernelErr(c result.Syscall, op string) error {
	e := &result.KernelError{Call: c.Text(), Errno: c.Errno, ErrName: c.ErrName()}
	if w, ok := errnoWhy[op][c.ErrName()]; ok {
		e.Meaning, e.Fix = w.meaning, w.fix
	}
	return e
}
