// Wire format between hood (Go, proto.go) and the box (C, boxloop.c).
// Both sides run on the same machine and binary, so native layout is fine.
#include <stdint.h>

enum {
	BOX_UNSHARE = 1,     // arg0 = CLONE_NEW* flags
	BOX_SETNS = 2,       // arg0 = nstype, one fd
	BOX_SETHOSTNAME = 3, // data = name
	BOX_UNAME = 4,       // reply data = nodename
	BOX_MOUNT = 5,       // arg0 = flags, data = source, target, fstype, options
	BOX_SPAWN = 6,       // arg0 = BOX_SPAWN_*, arg1 = argc, data = argv then env, three fds (stdio), optionally a fourth (the child's fd 3)
	BOX_FORKINIT = 7,    // arg0 = BOX_INIT_*; reply ret = pid, aux0 = mount errno
	BOX_WAIT = 8,        // arg0 = pid; reply aux0 = wait status
	BOX_EXIT = 9,
	BOX_HASCHILD = 10,   // reply ret = 1 when the box has any child, 0 when none
	BOX_READFILE = 11,   // data = path; reply data = the file as the box reads it
	BOX_SETID = 12,      // arg0 = uid, arg1 = gid: drop to them (no supplementary groups)
	BOX_UMOUNT = 13,     // arg0 = flags (MNT_DETACH, ...), data = path: umount2(path, flags)
	BOX_OPEN = 14,       // arg0 = flags, data = path: open(2), the descriptor kept open
	BOX_CLOSE = 15,      // arg0 = a descriptor BOX_OPEN returned: close(2)
	BOX_CHDIR = 16,      // data = path: chdir(2)
	BOX_FCHDIR = 17,     // arg0 = a descriptor the box holds: fchdir(2)
	BOX_CHROOT = 18,     // data = path: chroot(2)
	BOX_PIVOT_ROOT = 19, // data = new_root, put_old: pivot_root(2)
	BOX_OPEN_TREE = 20,  // arg0 = flags, data = path: open_tree(AT_FDCWD, path, flags), the descriptor kept open
	BOX_MOVE_MOUNT = 21, // arg0 = flags, data = to_path, one fd (or arg1 = a descriptor the box holds, with no fd sent):
	                     // move_mount(fd, "", AT_FDCWD, to_path, flags)
	BOX_MKDIR = 22,      // arg0 = mode, data = path: mkdirat(AT_FDCWD, path, mode)
	BOX_PRCTL = 23,      // arg0..arg3 = option, arg2, arg3, arg4: prctl(option, arg2, arg3, arg4, 0)
	BOX_CAPSET = 24,     // arg0..arg2 = effective, permitted, inheritable: capset(2), version 3, pid 0
	BOX_SECCOMP = 25,    // arg0 = flags, data = struct sock_filter[]: seccomp(SECCOMP_SET_MODE_FILTER, flags, &prog); reply aux0 = &prog
	BOX_WRITEFILE = 26,  // data = path, content: open(path, O_WRONLY|O_CLOEXEC), write, close; reply aux0 = fd (-1: open failed), aux1 = close's errno
	BOX_SOCKET = 27,     // arg0..arg2 = domain, type, protocol: socket(2), the descriptor kept open (BOX_CLOSE closes it)
};

// BOX_SPAWN_SELF: exec hood's own binary (opened when the box started), for
// the probes of probe.c, whatever the box's mount namespace now holds.
// BOX_SPAWN_FD: exec the fourth descriptor sent (a file hood opened, such
// as a copy given file capabilities), whatever the box can reach by path.
enum { BOX_SPAWN_FOREGROUND = 1, BOX_SPAWN_SELF = 2, BOX_SPAWN_FD = 4 };
enum { BOX_INIT_MOUNTPROC = 1 };

#define BOX_MAXDATA 65536
#define BOX_MAXARGS 1024
#define BOX_MAXFDS 4

struct boxreq {
	int32_t op;
	int32_t pad;
	int64_t arg[4];
};

struct boxrep {
	int64_t ret;
	int32_t err;
	int32_t pad;
	int64_t aux[2];
};
