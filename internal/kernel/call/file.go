package call

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// WriteFile writes data to the existing file path the plain way, as
// `echo DATA > PATH` does: openat(2), one write(2), close(2). It returns the
// calls as made (the openat and close quiet) and the first error, wrapped
// with the path and the errno's name.
func WriteFile(who string, pid int, path, data string) ([]Call, error) {
	const flags = unix.O_WRONLY | unix.O_CLOEXEC
	fd, err := unix.Openat(unix.AT_FDCWD, path, flags, 0)
	open := New(who, pid, "openat", int64(fd), err, Cwd(), S(path), F(flags, "O_WRONLY|O_CLOEXEC"))
	open.Quiet = true
	if err != nil {
		return []Call{open}, Wrap("open "+path, err)
	}
	return writeClose(who, pid, fd, path, data, open)
}

// writeClose writes data to fd, the file path just opened by open, and
// closes it.
func writeClose(who string, pid, fd int, path, data string, open Call) ([]Call, error) {
	n, err := unix.Write(fd, []byte(data))
	w := New(who, pid, "write", int64(n), err, Fd(fd, path), S(data), I(int64(len(data))))
	cerr := unix.Close(fd)
	cl := New(who, pid, "close", 0, cerr, Fd(fd, path))
	cl.Quiet = true
	calls := []Call{open, w, cl}
	if err != nil {
		return calls, Wrap("write "+quote(data)+" to "+path, err)
	}
	if n != len(data) {
		return calls, fmt.Errorf("write %s to %s: the kernel took %d of %d bytes", quote(data), path, n, len(data))
	}
	return calls, nil
}

// Mkdir makes a directory: mkdirat(AT_FDCWD, path, mode).
func Mkdir(who string, pid int, path string, mode uint32) (Call, error) {
	err := unix.Mkdirat(unix.AT_FDCWD, path, mode)
	return New(who, pid, "mkdirat", 0, err, Cwd(), S(path), M(mode)), Wrap("mkdir "+path, err)
}

// Rmdir removes a directory: unlinkat(AT_FDCWD, path, AT_REMOVEDIR), which
// is what rmdir(2) is on every architecture Go's unix package supports.
func Rmdir(who string, pid int, path string) (Call, error) {
	err := unix.Unlinkat(unix.AT_FDCWD, path, unix.AT_REMOVEDIR)
	return New(who, pid, "unlinkat", 0, err, Cwd(), S(path), F(unix.AT_REMOVEDIR, "AT_REMOVEDIR")), Wrap("rmdir "+path, err)
}

// Create makes an empty file that must not exist yet: openat(AT_FDCWD, path,
// O_RDONLY|O_CREAT|O_EXCL|O_CLOEXEC, mode), then close(2).
func Create(who string, pid int, path string, mode uint32) ([]Call, error) {
	const flags = unix.O_RDONLY | unix.O_CREAT | unix.O_EXCL | unix.O_CLOEXEC
	fd, err := unix.Openat(unix.AT_FDCWD, path, flags, mode)
	open := New(who, pid, "openat", int64(fd), err, Cwd(), S(path), F(flags, "O_RDONLY|O_CREAT|O_EXCL|O_CLOEXEC"), M(mode))
	if err != nil {
		return []Call{open}, Wrap("create "+path, err)
	}
	cerr := unix.Close(fd)
	cl := New(who, pid, "close", 0, cerr, Fd(fd, path))
	cl.Quiet = true
	return []Call{open, cl}, nil
}

// Unlink removes a file: unlinkat(AT_FDCWD, path, 0).
func Unlink(who string, pid int, path string) (Call, error) {
	err := unix.Unlinkat(unix.AT_FDCWD, path, 0)
	return New(who, pid, "unlinkat", 0, err, Cwd(), S(path), F(0, "0")), Wrap("unlink "+path, err)
}
