package ns

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// The ioctl(2) operations on a namespace file (ioctl_ns(2)). They let a
// program ask the kernel about a namespace it holds a file descriptor for:
// its type, the user namespace that owns it, its parent (pid and user
// namespaces are nested), and a user namespace's creator.

// Call is one ioctl as made, with the kernel's answer, for narration.
type Call struct {
	Call  string     // `ioctl(fd of /proc/4242/ns/net, NS_GET_NSTYPE)`
	Ret   string     // "0x40000000 (CLONE_NEWNET)", "fd of user:[4026531837]", "-1"
	Errno unix.Errno // 0 when it succeeded
	Value uint64     // NSTYPE value, owner uid, or the inode of the returned namespace
}

// Info is what the namespace ioctls say about one namespace file.
type Info struct {
	Path  string
	Inode uint64
	Type  Type
	Calls []Call
}

// Inspect opens path (a /proc/PID/ns/TYPE link or a file a namespace is
// bind-mounted on) and asks the kernel, with ioctl(2), for its type, its
// owning user namespace, its parent where the type has one, and for a user
// namespace the uid of its creator.
func Inspect(path string) (Info, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return Info{}, fmt.Errorf("open %s: %w", path, err)
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return Info{}, fmt.Errorf("fstat %s: %w", path, err)
	}
	info := Info{Path: path, Inode: st.Ino}
	what := "fd of " + path

	nstype, err := unix.IoctlRetInt(fd, unix.NS_GET_NSTYPE)
	c := Call{Call: fmt.Sprintf("ioctl(%s, NS_GET_NSTYPE)", what)}
	if err != nil {
		c.Ret, c.Errno = "-1", errnoOf(err)
		info.Calls = append(info.Calls, c)
		return info, nil
	}
	c.Value = uint64(nstype)
	c.Ret = fmt.Sprintf("%#x", nstype)
	for _, t := range Types {
		if t.Flag == uintptr(nstype) {
			info.Type = t
			c.Ret += " (" + t.FlagName + ")"
		}
	}
	info.Calls = append(info.Calls, c)

	info.Calls = append(info.Calls, nsFD(fd, what, unix.NS_GET_USERNS, "NS_GET_USERNS"))
	if info.Type.Name == "pid" || info.Type.Name == "user" {
		info.Calls = append(info.Calls, nsFD(fd, what, unix.NS_GET_PARENT, "NS_GET_PARENT"))
	}
	if info.Type.Name == "user" {
		c := Call{Call: fmt.Sprintf("ioctl(%s, NS_GET_OWNER_UID, &uid)", what)}
		if uid, err := unix.IoctlGetUint32(fd, unix.NS_GET_OWNER_UID); err != nil {
			c.Ret, c.Errno = "-1", errnoOf(err)
		} else {
			c.Ret, c.Value = fmt.Sprintf("0, uid = %d", uid), uint64(uid)
		}
		info.Calls = append(info.Calls, c)
	}
	return info, nil
}

// nsFD makes an ioctl that answers with a new file descriptor for another
// namespace, and names that namespace by its inode.
func nsFD(fd int, what string, req uint, name string) Call {
	c := Call{Call: fmt.Sprintf("ioctl(%s, %s)", what, name)}
	nfd, err := unix.IoctlRetInt(fd, req)
	if err != nil {
		c.Ret, c.Errno = "-1", errnoOf(err)
		return c
	}
	defer unix.Close(nfd)
	var st unix.Stat_t
	if err := unix.Fstat(nfd, &st); err != nil {
		c.Ret = "a new fd (fstat failed)"
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
	c.Ret = fmt.Sprintf("a new fd for %s:[%d]", typ, st.Ino)
	return c
}

func errnoOf(err error) unix.Errno {
	if e, ok := err.(unix.Errno); ok {
		return e
	}
	return unix.EIO
}
