package caps

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"

	"hood/internal/kernel/call"
)

// ReadFile reads path's security.capability with getxattr(2), as getcap
// does (following symbolic links). A file without the attribute answers
// ENODATA: c.Errno says so, and raw is nil.
func ReadFile(pid int, path string) (raw []byte, c call.Call) {
	buf := make([]byte, Size3)
	n, err := unix.Getxattr(path, XattrName, buf)
	c = call.New("hood", pid, "getxattr", int64(n), err, call.S(path), call.S(XattrName), call.P("buf"), call.I(int64(len(buf))))
	if err != nil {
		return nil, c
	}
	if fc, derr := DecodeFile(buf[:n]); derr == nil {
		c.Args[2] = call.P(fc.Struct())
	}
	return buf[:n], c
}

// Target is a file hood will change the capabilities of: open, checked to
// be a regular file with one name, so that no other path (a host binary
// hard-linked into the state directory) shares the inode.
type Target struct {
	Path string
	fd   int
	Open call.Call
}

// OpenTarget opens path (not following a final symbolic link) for
// fsetxattr and fremovexattr.
func OpenTarget(pid int, path string) (*Target, error) {
	return openTarget(pid, unix.AT_FDCWD, "", path, path)
}

// openTarget opens name relative to dirfd (the directory dir, or
// AT_FDCWD) as OpenTarget does; path is what to call it.
func openTarget(pid, dirfd int, dir, name, path string) (*Target, error) {
	const flags = unix.O_RDONLY | unix.O_NOFOLLOW | unix.O_CLOEXEC
	fd, err := unix.Openat(dirfd, name, flags, 0)
	at := call.Cwd()
	if dirfd != unix.AT_FDCWD {
		at = call.Fd(dirfd, dir)
	}
	c := call.New("hood", pid, "openat", int64(fd), err, at, call.S(name), call.F(flags, "O_RDONLY|O_NOFOLLOW|O_CLOEXEC"))
	c.Quiet = true
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return nil, &os.PathError{Op: "fstat", Path: path, Err: err}
	}
	switch {
	case st.Mode&unix.S_IFMT != unix.S_IFREG:
		unix.Close(fd)
		return nil, fmt.Errorf("%s is not a regular file: file capabilities belong on an executable", path)
	case st.Nlink != 1:
		unix.Close(fd)
		return nil, fmt.Errorf("%s has %d names (hard links): another of them may be a host binary, which hood does not change", path, st.Nlink)
	}
	return &Target{Path: path, fd: fd, Open: c}, nil
}

// Set writes fc with fsetxattr(2).
func (t *Target) Set(pid int, fc FileCaps) call.Call {
	b := fc.Encode()
	err := unix.Fsetxattr(t.fd, XattrName, b, 0)
	return call.New("hood", pid, "fsetxattr", 0, err, call.Fd(t.fd, t.Path), call.S(XattrName), call.P(fc.Struct()), call.I(int64(len(b))), call.F(0, "0"))
}

// Remove takes the attribute away with fremovexattr(2).
func (t *Target) Remove(pid int) call.Call {
	err := unix.Fremovexattr(t.fd, XattrName)
	return call.New("hood", pid, "fremovexattr", 0, err, call.Fd(t.fd, t.Path), call.S(XattrName))
}

// Close closes the target's descriptor.
func (t *Target) Close(pid int) call.Call {
	err := unix.Close(t.fd)
	c := call.New("hood", pid, "close", 0, err, call.Fd(t.fd, t.Path))
	c.Quiet = true
	return c
}

// NoSuid reports whether path is on a nosuid mount, where execve ignores
// file capabilities as it ignores set-user-ID bits.
func NoSuid(path string) (bool, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(path, &st); err != nil {
		return false, &os.PathError{Op: "statfs", Path: path, Err: err}
	}
	return st.Flags&unix.ST_NOSUID != 0, nil
}

// IsNoData reports whether c failed because the file has no such attribute.
func IsNoData(c call.Call) bool { return errors.Is(c.Errno, unix.ENODATA) }
