package ns

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"

	"hood/internal/kernel/call"
)

// The ioctl(2) operations on a namespace file (ioctl_ns(2)). They let a
// program ask the kernel about a namespace it holds a file descriptor for:
// its type, the user namespace that owns it, its parent (pid and user
// namespaces are nested), and a user namespace's creator.

// Answer is one namespace ioctl as made (the narrated call) and what its
// answer says.
type Answer struct {
	Call  call.Call
	Op    string // "NS_GET_NSTYPE"
	Value uint64 // NSTYPE value, owner uid, or the inode of the returned namespace
}

// Failed reports whether the kernel refused the ioctl.
func (a Answer) Failed() bool { return a.Call.Failed() }

// Info is what the namespace ioctls say about one namespace file.
type Info struct {
	Path  string
	Inode uint64
	Type  Type
	Open  call.Call // hood's openat of Path
	Calls []Answer
}

// Inspect opens path (a /proc/PID/ns/TYPE link or a file a namespace is
// bind-mounted on) and asks the kernel, with ioctl(2), for its type, its
// owning user namespace, its parent where the type has one, and for a user
// namespace the uid of its creator.
func Inspect(path string) (Info, error) {
	const flags = unix.O_RDONLY | unix.O_CLOEXEC
	fd, err := unix.Openat(unix.AT_FDCWD, path, flags, 0)
	info := Info{Path: path}
	info.Open = call.New("hood", os.Getpid(), "openat", int64(fd), err, call.Cwd(), call.S(path), call.F(flags, "O_RDONLY|O_CLOEXEC"))
	info.Open.Quiet = true
	if err != nil {
		return info, fmt.Errorf("open %s: %w", path, err)
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return info, fmt.Errorf("fstat %s: %w", path, err)
	}
	info.Inode = st.Ino

	nstype, err := unix.IoctlRetInt(fd, unix.NS_GET_NSTYPE)
	c := ioctl(fd, path, "NS_GET_NSTYPE", unix.NS_GET_NSTYPE, nil, int64(nstype), err)
	if err == nil {
		c.Value = uint64(nstype)
		for _, t := range Types {
			if t.Flag == uintptr(nstype) {
				info.Type = t
				c.Call.RetNote = fmt.Sprintf("(%#x, %s)", nstype, t.FlagName)
			}
		}
	}
	info.Calls = append(info.Calls, c)
	if err != nil {
		return info, nil
	}

	info.Calls = append(info.Calls, nsFD(fd, path, unix.NS_GET_USERNS, "NS_GET_USERNS"))
	if info.Type.Name == "pid" || info.Type.Name == "user" {
		info.Calls = append(info.Calls, nsFD(fd, path, unix.NS_GET_PARENT, "NS_GET_PARENT"))
	}
	if info.Type.Name == "user" {
		uid, err := unix.IoctlGetUint32(fd, unix.NS_GET_OWNER_UID)
		c := ioctl(fd, path, "NS_GET_OWNER_UID", unix.NS_GET_OWNER_UID, []call.Arg{call.P("&uid")}, 0, err)
		if err == nil {
			c.Value = uint64(uid)
			c.Call.RetNote = fmt.Sprintf("(uid = %d)", uid)
		}
		info.Calls = append(info.Calls, c)
	}
	return info, nil
}

// ioctl is the narration of ioctl(fd, op, extra...) = ret.
func ioctl(fd int, path, op string, req uint, extra []call.Arg, ret int64, err error) Answer {
	args := append([]call.Arg{call.Fd(fd, path), call.F(int64(req), op)}, extra...)
	return Answer{Op: op, Call: call.New("hood", os.Getpid(), "ioctl", ret, err, args...)}
}

// nsFD makes an ioctl that answers with a new file descriptor for another
// namespace, and names that namespace by its inode.
func nsFD(fd int, path string, req uint, name string) Answer {
	nfd, err := unix.IoctlRetInt(fd, req)
	c := ioctl(fd, path, name, req, nil, int64(nfd), err)
	if err != nil {
		return c
	}
	defer unix.Close(nfd)
	var st unix.Stat_t
	if err := unix.Fstat(nfd, &st); err != nil {
		c.Call.RetNote = "(a new fd; fstat failed)"
		return c
	}
	typ := "?"
	if t, err := unix.IoctlRetInt(nfd, unix.NS_GET_NSTYPE); err == nil {
		for _, ty := range Types {
			if ty.Flag == uintptr(t) {
				typ = ty.Name
			}
		}
	}
	c.Value = st.Ino
	c.Call.RetNote = fmt.Sprintf("(a new fd for %s:[%d])", typ, st.Ino)
	return c
}
