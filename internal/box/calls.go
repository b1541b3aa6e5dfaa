package box

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"hood/internal/kernel/call"
	"hood/internal/result"
)

// glibc's fork(3) is clone(2) with these flags (and the address where the
// kernel writes the child's TID): what strace shows for every fork the box,
// a PID 1 or a workload makes.
const forkFlags = unix.CLONE_CHILD_CLEARTID | unix.CLONE_CHILD_SETTID | int64(unix.SIGCHLD)

func forkCall(who string, pid int, r reply) result.Syscall {
	return sc(who, pid, "clone", r,
		call.Named("child_stack", call.NULL()),
		call.Named("flags", call.F(forkFlags, "CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD")),
		call.Named("child_tidptr", call.P("&tid")))
}

// fork is the box's own fork(3).
func (b *Box) fork(r reply) result.Syscall { return forkCall(b.Name, b.PID, r) }

// execCall is the exec a child of the box made: execve of the path the box
// found on the PATH, or, for hood's own binary, glibc's fexecve, which is
// execveat on the child's descriptor selfFD of it.
func execCall(child int, path string, argv []string, selfFD int, r reply) result.Syscall {
	who := fmt.Sprintf("child %d", child)
	if selfFD >= 0 {
		return sc(who, child, "execveat", r, call.Fd(selfFD, "hood's binary"), call.S(""), call.L(argv),
			call.P("envp"), call.F(unix.AT_EMPTY_PATH, "AT_EMPTY_PATH"))
	}
	return sc(who, child, "execve", r, call.S(path), call.L(argv), call.P("envp"))
}

// writeFailed fills in the arguments of the call that stopped a `write`
// workload, from what the workload reported (probe.c): glibc's open(3) is
// openat(2).
func writeFailed(c *result.Syscall, w *Workload, path string) {
	switch c.Name {
	case "open":
		flags := w.intValue("flags")
		c.Name = "openat"
		c.Args = []call.Arg{call.Cwd(), call.S(path), call.F(flags, OpenFlagString(flags))}
		if flags&unix.O_CREAT != 0 {
			c.Args = append(c.Args, call.M(0o644))
		}
	case "write":
		c.Args = []call.Arg{call.Fd(int(w.intValue("fd")), path), call.P("buf"), call.I(w.intValue("want"))}
	case "fsync":
		c.Args = []call.Arg{call.Fd(int(w.intValue("fd")), path)}
	case "realpath":
		c.Args = []call.Arg{call.S(filepath.Dir(path)), call.P("resolved")}
	}
}

// OpenFlagString names open(2) flags: "O_WRONLY|O_CREAT|O_CLOEXEC".
func OpenFlagString(f int64) string {
	names := []struct {
		v    int64
		name string
	}{{unix.O_WRONLY, "O_WRONLY"}, {unix.O_RDWR, "O_RDWR"}, {unix.O_CREAT, "O_CREAT"}, {unix.O_EXCL, "O_EXCL"},
		{unix.O_NOCTTY, "O_NOCTTY"}, {unix.O_TRUNC, "O_TRUNC"}, {unix.O_APPEND, "O_APPEND"}, {unix.O_NONBLOCK, "O_NONBLOCK"},
		{unix.O_DIRECT, "O_DIRECT"}, {unix.O_DIRECTORY, "O_DIRECTORY"}, {unix.O_CLOEXEC, "O_CLOEXEC"}}
	var out []string
	if f&3 == 0 {
		out = append(out, "O_RDONLY")
	}
	rest := f
	for _, n := range names {
		if f&n.v != 0 {
			out = append(out, n.name)
			rest &^= n.v
		}
	}
	if rest &^= 3; rest != 0 {
		out = append(out, fmt.Sprintf("%#x", rest))
	}
	return strings.Join(out, "|")
}

// MountArgs are mount(2)'s arguments as narrated; empty strings are NULL.
func MountArgs(source, target, fstype string, flags uintptr, data string) []call.Arg {
	return []call.Arg{call.SOrNull(source), call.S(target), call.SOrNull(fstype),
		call.F(int64(flags), MountFlagString(flags)), call.SOrNull(data)}
}

// Made is the call the probe made (name with args), with the return value
// and errno it reported, by who.
func (p Probe) Made(who, name string, args ...call.Arg) result.Syscall {
	ret, _ := strconv.ParseInt(p.Values["ret"], 10, 64)
	c := call.Call{Who: who, PID: p.HostPID, Name: name, Args: args, Ret: ret}
	if e := p.Errno(); e != 0 {
		c.Ret, c.Errno = -1, e
	}
	return c
}

// Open makes the box open path and keep the descriptor: glibc's open(3)
// is openat(AT_FDCWD, ...). The call's return value is the descriptor.
func (b *Box) Open(path string, flags int) (result.Syscall, error) {
	if strings.IndexByte(path, 0) >= 0 {
		return result.Syscall{}, fmt.Errorf("path %q contains a NUL byte", path)
	}
	r, err := b.c.call(opOpen, [4]int64{int64(flags)}, append([]byte(path), 0), nil)
	if err != nil {
		return result.Syscall{}, err
	}
	return b.my("openat", r, call.Cwd(), call.S(path), call.F(int64(flags), OpenFlagString(int64(flags)))), nil
}

// NetlinkSocket makes the box open a NETLINK_ROUTE socket, in its own
// network namespace and with its own credentials, kept open until Close:
// hood takes a copy (CopyFd) when it may not setns(2) there itself.
func (b *Box) NetlinkSocket() (result.Syscall, error) {
	const typ = unix.SOCK_RAW | unix.SOCK_CLOEXEC
	r, err := b.c.call(opSocket, [4]int64{unix.AF_NETLINK, typ, unix.NETLINK_ROUTE}, nil, nil)
	if err != nil {
		return result.Syscall{}, err
	}
	return b.my("socket", r, call.F(unix.AF_NETLINK, "AF_NETLINK"), call.F(typ, "SOCK_RAW|SOCK_CLOEXEC"), call.F(unix.NETLINK_ROUTE, "NETLINK_ROUTE")), nil
}

// Close makes the box close a descriptor Open returned.
func (b *Box) Close(fd int, what string) (result.Syscall, error) {
	r, err := b.c.call(opClose, [4]int64{int64(fd)}, nil, nil)
	if err != nil {
		return result.Syscall{}, err
	}
	return b.my("close", r, call.Fd(fd, what)), nil
}
