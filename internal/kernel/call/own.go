package call

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"

	"golang.org/x/sys/unix"
)

// The paths hood writes in directories of its own (its cgroups under
// /sys/fs/cgroup, its names in /run/netns) are resolved so that they stay
// where they say: CheckOwn refuses, before any call, a path that is not
// absolute and clean or that names `..`; and every open is openat2(2) with
// RESOLVE_NO_SYMLINKS, so the kernel refuses (ELOOP) a symbolic link, or a
// /proc magic link, anywhere on the way. A path with no `..` and no link
// cannot lead outside the directories it names. mkdirat and unlinkat take
// no resolve flags: they are made relative to the parent directory, opened
// that way (O_PATH), so that the parent hood checked is the one changed.
// A kernel without openat2 (before 5.6) gets the nearest: openOwn.

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

// openat2 opens path with openat2(dirfd, path, {flags, mode, resolve},
// 24), narrated with the flag names given and the kernel's answer.
func openat2(who string, pid int, dirfd int, dirWhat, path string, flags uint64, flagNames string, mode uint32, resolve uint64, resolveNames string) (int, Call, error) {
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
	fd, open, err := openOwn(who, pid, path, unix.O_WRONLY|unix.O_CLOEXEC, "O_WRONLY|O_CLOEXEC", 0)
	for i := range open {
		open[i].Quiet = true
	}
	if err != nil {
		return open, Wrap("open "+path, err)
	}
	calls, err := writeClose(who, pid, fd, path, data, open[0])
	return append(open[1:], calls...), err
}

// parentOwn opens path's parent directory O_PATH with RESOLVE_NO_SYMLINKS
// (quiet in narration unless it fails), for a call made relative to it;
// an error says what, what for, and keeps the errno.
func parentOwn(who string, pid int, verb, path string) (int, []Call, error) {
	if err := CheckOwn(path); err != nil {
		return -1, nil, err
	}
	if path == "/" {
		return -1, nil, fmt.Errorf("%q has no parent", path)
	}
	parent := filepath.Dir(path)
	fd, calls, err := openOwn(who, pid, parent, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, "O_PATH|O_DIRECTORY|O_CLOEXEC", 0)
	for i := range calls {
		calls[i].Quiet = err == nil
	}
	return fd, calls, Wrap(verb+" "+path, err)
}

// inParent makes one call relative to path's parent: the parent's open,
// do(fd, base) and the parent's close.
func inParent(who string, pid int, verb, path string, do func(fd int, base string) (Call, error)) ([]Call, error) {
	fd, open, err := parentOwn(who, pid, verb, path)
	if err != nil {
		return open, err
	}
	c, err := do(fd, filepath.Base(path))
	cerr := unix.Close(fd)
	cl := New(who, pid, "close", 0, cerr, Fd(fd, filepath.Dir(path)))
	cl.Quiet = true
	return append(open, c, cl), err
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
	fd, open, err := openOwn(who, pid, path, unix.O_RDONLY|unix.O_CREAT|unix.O_EXCL|unix.O_CLOEXEC, "O_RDONLY|O_CREAT|O_EXCL|O_CLOEXEC", mode)
	if err != nil {
		return open, Wrap("create "+path, err)
	}
	cerr := unix.Close(fd)
	cl := New(who, pid, "close", 0, cerr, Fd(fd, path))
	cl.Quiet = true
	return append(open, cl), nil
}

// CheckDirOwn checks that path is a directory reached with no `..` and no
// symbolic link, by opening it (O_PATH, RESOLVE_NO_SYMLINKS) and closing
// it, both quiet unless they fail: before a call that takes no resolve
// flags and no descriptor for it, such as mount(2)'s target.
func CheckDirOwn(who string, pid int, path string) ([]Call, error) {
	if err := CheckOwn(path); err != nil {
		return nil, err
	}
	fd, open, err := openOwn(who, pid, path, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, "O_PATH|O_DIRECTORY|O_CLOEXEC", 0)
	for i := range open {
		open[i].Quiet = err == nil
	}
	if err != nil {
		return open, Wrap("open "+path, err)
	}
	cerr := unix.Close(fd)
	cl := New(who, pid, "close", 0, cerr, Fd(fd, path))
	cl.Quiet = true
	return append(open, cl), nil
}

// haveOpenat2 says whether this kernel has openat2(2) (Linux 5.6): asked
// once, with an open of / that changes nothing.
var haveOpenat2 = sync.OnceValue(func() bool {
	fd, err := unix.Openat2(unix.AT_FDCWD, "/", &unix.OpenHow{Flags: unix.O_PATH | unix.O_CLOEXEC})
	if err == nil {
		unix.Close(fd)
	}
	return !errors.Is(err, unix.ENOSYS)
})

// noOpenat2 makes the tests take the older kernels' way.
var noOpenat2 = false

// openOwn opens path (CheckOwn'd) with no symbolic link on the way: one
// openat2 with RESOLVE_NO_SYMLINKS; on a kernel without openat2, an
// lstat(2) of every directory on the way, refusing a link (ELOOP, before
// any open), then openat with O_NOFOLLOW for the last component. It
// returns the calls narrated: the open as made.
func openOwn(who string, pid int, path string, flags uint64, flagNames string, mode uint32) (int, []Call, error) {
	if haveOpenat2() && !noOpenat2 {
		fd, c, err := openat2(who, pid, unix.AT_FDCWD, "", path, flags, flagNames, mode, ResolveOwn, "RESOLVE_NO_SYMLINKS")
		return fd, []Call{c}, err
	}
	if err := linkOnTheWay(path); err != nil {
		return -1, nil, err
	}
	flags |= unix.O_NOFOLLOW
	flagNames += "|O_NOFOLLOW"
	fd, err := unix.Openat(unix.AT_FDCWD, path, int(flags), mode)
	args := []Arg{Cwd(), S(path), F(int64(flags), flagNames)}
	if flags&unix.O_CREAT != 0 {
		args = append(args, M(mode))
	}
	return fd, []Call{New(who, pid, "openat", int64(fd), err, args...)}, err
}

// linkOnTheWay is ELOOP when a directory on the way to path (not path
// itself, which O_NOFOLLOW guards) is a symbolic link; nil otherwise, and
// when one is missing (the open then says ENOENT).
func linkOnTheWay(path string) error {
	dir := ""
	for _, name := range strings.Split(filepath.Dir(path), "/")[1:] {
		if name == "" {
			continue
		}
		dir += "/" + name
		var st unix.Stat_t
		if err := unix.Lstat(dir, &st); err != nil {
			return nil
		}
		if st.Mode&unix.S_IFMT == unix.S_IFLNK {
			return fmt.Errorf("%s is a symbolic link: %w", dir, unix.ELOOP)
		}
	}
	return nil
}
