package call

import (
	"fmt"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// The paths hood writes in directories of its own (its cgroups under
// /sys/fs/cgroup, /run/netns and /run/hood) are resolved so that they stay
// where they say: CheckOwn refuses, before any call, a path that is not
// absolute and clean or that names `..`; and every open is openat2(2) with
// RESOLVE_NO_SYMLINKS, so the kernel refuses (ELOOP) a symbolic link, or a
// /proc magic link, anywhere on the way. A path with no `..` and no link
// cannot lead outside the directories it names. mkdirat and unlinkat take
// no resolve flags: they are made relative to the parent directory, opened
// that way (O_PATH), so that the parent hood checked is the one changed.

// ResolveOwn is the resolve mask of those opens.
const ResolveOwn = unix.RESOLVE_NO_SYMLINKS

// openHowSize is sizeof(struct open_how), openat2's last argument.
const openHowSize = 24

// CheckOwn refuses a path that could name something else than it reads:
// not absolute, not clean (//, a trailing /, .), or with a `..` or a NUL.
func CheckOwn(path string) error {
	switch {
	case !filepath.IsAbs(path) || filepath.Clean(path) != path:
		return fmt.Errorf("%q is not a clean absolute path: hood writes only paths that name what they read", path)
	case strings.Contains(path, "\x00"):
		return fmt.Errorf("%q holds a NUL byte", path)
	case strings.Contains(path+"/", "/../"):
		return fmt.Errorf("%q names `..`: hood writes only below directories of its own", path)
	}
	return nil
}

// Openat2 opens path with openat2(dirfd, path, {flags, mode, resolve},
// 24), narrated with the flag names given and the kernel's answer.
func Openat2(who string, pid int, dirfd int, dirWhat, path string, flags uint64, flagNames string, mode uint32, resolve uint64, resolveNames string) (int, Call, error) {
	how := unix.OpenHow{Flags: flags, Mode: uint64(mode), Resolve: resolve}
	fd, err := unix.Openat2(dirfd, path, &how)
	text := "{flags=" + flagNames + ", resolve=" + resolveNames + "}"
	if flags&unix.O_CREAT != 0 {
		text = fmt.Sprintf("{flags=%s, mode=%#o, resolve=%s}", flagNames, mode, resolveNames)
	}
	dir := Cwd()
	if dirfd != unix.AT_FDCWD {
		dir = Fd(dirfd, dirWhat)
	}
	return fd, New(who, pid, "openat2", int64(fd), err, dir, S(path), P(text), I(openHowSize)), err
}

// WriteOwn writes data to the file path (CheckOwn) with openat2
// (O_WRONLY|O_CLOEXEC, RESOLVE_NO_SYMLINKS), write and close.
func WriteOwn(who string, pid int, path, data string) ([]Call, error) {
	if err := CheckOwn(path); err != nil {
		return nil, err
	}
	fd, open, err := Openat2(who, pid, unix.AT_FDCWD, "", path, unix.O_WRONLY|unix.O_CLOEXEC, "O_WRONLY|O_CLOEXEC", 0, ResolveOwn, "RESOLVE_NO_SYMLINKS")
	open.Quiet = true
	if err != nil {
		return []Call{open}, Wrap("open "+path, err)
	}
	return writeClose(who, pid, fd, path, data, open)
}

// parentOwn opens path's parent directory O_PATH with RESOLVE_NO_SYMLINKS
// (quiet in narration unless it fails), for a call made relative to it;
// an error says what, what for, and keeps the errno.
func parentOwn(who string, pid int, verb, path string) (int, Call, error) {
	if err := CheckOwn(path); err != nil {
		return -1, Call{}, err
	}
	if path == "/" {
		return -1, Call{}, fmt.Errorf("%q has no parent", path)
	}
	parent := filepath.Dir(path)
	fd, c, err := Openat2(who, pid, unix.AT_FDCWD, "", parent, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, "O_PATH|O_DIRECTORY|O_CLOEXEC", 0, ResolveOwn, "RESOLVE_NO_SYMLINKS")
	c.Quiet = err == nil
	return fd, c, Wrap(verb+" "+path, err)
}

// inParent makes one call relative to path's parent: the parent's openat2,
// do(fd, base) and the parent's close.
func inParent(who string, pid int, verb, path string, do func(fd int, base string) (Call, error)) ([]Call, error) {
	fd, open, err := parentOwn(who, pid, verb, path)
	if open.Name == "" {
		return nil, err
	}
	if err != nil {
		return []Call{open}, err
	}
	c, err := do(fd, filepath.Base(path))
	cerr := unix.Close(fd)
	cl := New(who, pid, "close", 0, cerr, Fd(fd, filepath.Dir(path)))
	cl.Quiet = true
	return []Call{open, c, cl}, err
}

// MkdirOwn makes the directory path: mkdirat(parent's fd, base, mode).
func MkdirOwn(who string, pid int, path string, mode uint32) ([]Call, error) {
	return inParent(who, pid, "mkdir", path, func(fd int, base string) (Call, error) {
		err := unix.Mkdirat(fd, base, mode)
		return New(who, pid, "mkdirat", 0, err, Fd(fd, filepath.Dir(path)), S(base), M(mode)), Wrap("mkdir "+path, err)
	})
}

// RmdirOwn removes the directory path: unlinkat(parent's fd, base,
// AT_REMOVEDIR).
func RmdirOwn(who string, pid int, path string) ([]Call, error) {
	return inParent(who, pid, "rmdir", path, func(fd int, base string) (Call, error) {
		err := unix.Unlinkat(fd, base, unix.AT_REMOVEDIR)
		return New(who, pid, "unlinkat", 0, err, Fd(fd, filepath.Dir(path)), S(base), F(unix.AT_REMOVEDIR, "AT_REMOVEDIR")), Wrap("rmdir "+path, err)
	})
}

// UnlinkOwn removes the file path: unlinkat(parent's fd, base, 0).
func UnlinkOwn(who string, pid int, path string) ([]Call, error) {
	return inParent(who, pid, "unlink", path, func(fd int, base string) (Call, error) {
		err := unix.Unlinkat(fd, base, 0)
		return New(who, pid, "unlinkat", 0, err, Fd(fd, filepath.Dir(path)), S(base), I(0)), Wrap("unlink "+path, err)
	})
}

// CreateOwn makes the empty file path, which must not exist yet: openat2
// (O_RDONLY|O_CREAT|O_EXCL|O_CLOEXEC, mode, RESOLVE_NO_SYMLINKS), close.
func CreateOwn(who string, pid int, path string, mode uint32) ([]Call, error) {
	if err := CheckOwn(path); err != nil {
		return nil, err
	}
	fd, open, err := Openat2(who, pid, unix.AT_FDCWD, "", path, unix.O_RDONLY|unix.O_CREAT|unix.O_EXCL|unix.O_CLOEXEC, "O_RDONLY|O_CREAT|O_EXCL|O_CLOEXEC", mode, ResolveOwn, "RESOLVE_NO_SYMLINKS")
	if err != nil {
		return []Call{open}, Wrap("create "+path, err)
	}
	cerr := unix.Close(fd)
	cl := New(who, pid, "close", 0, cerr, Fd(fd, path))
	cl.Quiet = true
	return []Call{open, cl}, nil
}

// CheckDirOwn checks that path is a directory reached with no `..` and no
// symbolic link, by opening it (O_PATH, RESOLVE_NO_SYMLINKS) and closing
// it, both quiet unless they fail: before a call that takes no resolve
// flags and no descriptor for it, such as mount(2)'s target.
func CheckDirOwn(who string, pid int, path string) ([]Call, error) {
	if err := CheckOwn(path); err != nil {
		return nil, err
	}
	fd, open, err := Openat2(who, pid, unix.AT_FDCWD, "", path, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, "O_PATH|O_DIRECTORY|O_CLOEXEC", 0, ResolveOwn, "RESOLVE_NO_SYMLINKS")
	open.Quiet = err == nil
	if err != nil {
		return []Call{open}, Wrap("open "+path, err)
	}
	cerr := unix.Close(fd)
	cl := New(who, pid, "close", 0, cerr, Fd(fd, path))
	cl.Quiet = true
	return []Call{open, cl}, nil
}
