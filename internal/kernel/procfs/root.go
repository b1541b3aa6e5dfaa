package procfs

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// A process's root and working directories, as proc(5) shows them:
// /proc/PID/root and /proc/PID/cwd are symlinks whose target is the path as
// seen from the reader's root; a directory outside the reader's root reads
// as a path relative to nothing the reader can name (the kernel's d_path).

// RootDir is where process pid's root directory is, as hood sees it.
func (fs FS) RootDir(pid int) (string, error) { return os.Readlink(fs.Path(pid, "root")) }

// Cwd is process pid's working directory, as hood sees it.
func (fs FS) Cwd(pid int) (string, error) { return os.Readlink(fs.Path(pid, "cwd")) }

// ReadInRoot reads the file at path as process pid sees it, from its root.
// A plain /proc/PID/root/PATH would resolve an absolute symlink met on the
// way (Debian's etc/os-release -> /usr/lib/os-release) from hood's root,
// so hood opens /proc/PID/root and resolves PATH below it with openat2(2)
// RESOLVE_IN_ROOT, which treats / and .. as that directory.
func (fs FS) ReadInRoot(pid int, path string) ([]byte, error) {
	dir, err := os.Open(fs.Path(pid, "root"))
	if err != nil {
		return nil, err
	}
	defer dir.Close()
	fd, err := unix.Openat2(int(dir.Fd()), strings.TrimPrefix(path, "/"), &unix.OpenHow{Flags: unix.O_RDONLY | unix.O_CLOEXEC, Resolve: unix.RESOLVE_IN_ROOT})
	if err != nil {
		return nil, &os.PathError{Op: "openat2", Path: filepath.Join(fs.Path(pid, "root"), path), Err: err}
	}
	f := os.NewFile(uintptr(fd), path)
	defer f.Close()
	return io.ReadAll(f)
}

// Under tells whether path is dir or below it.
func Under(path, dir string) bool {
	return path == dir || dir == "/" || strings.HasPrefix(path, strings.TrimSuffix(dir, "/")+"/")
}

// IsDirInRoot tells whether path is a directory (following a final
// symlink, resolved inside the root) as process pid sees it, and whether it
// exists at all.
func (fs FS) IsDirInRoot(pid int, path string) (dir, exists bool) {
	d, err := os.Open(fs.Path(pid, "root"))
	if err != nil {
		return false, false
	}
	defer d.Close()
	fd, err := unix.Openat2(int(d.Fd()), strings.TrimPrefix(path, "/"), &unix.OpenHow{Flags: unix.O_PATH | unix.O_CLOEXEC, Resolve: unix.RESOLVE_IN_ROOT})
	if err != nil {
		return false, false
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if unix.Fstat(fd, &st) != nil {
		return false, true
	}
	return st.Mode&unix.S_IFMT == unix.S_IFDIR, true
}

// FileID is a file's device and inode: two paths name the same file when
// their FileIDs are equal.
type FileID struct{ Dev, Ino uint64 }

// String is "MAJOR:MINOR inode N".
func (id FileID) String() string {
	return fmt.Sprintf("%d:%d inode %d", unix.Major(id.Dev), unix.Minor(id.Dev), id.Ino)
}

// CwdID is the device and inode of process pid's working directory.
func (fs FS) CwdID(pid int) (FileID, error) { return fileID(fs.Path(pid, "cwd")) }

// RootID is the device and inode of process pid's root directory.
func (fs FS) RootID(pid int) (FileID, error) { return fileID(fs.Path(pid, "root")) }

func fileID(p string) (FileID, error) {
	var st unix.Stat_t
	if err := unix.Stat(p, &st); err != nil {
		return FileID{}, err
	}
	return FileID{st.Dev, st.Ino}, nil
}

// FileIDOf is the device and inode of the file at path (following symlinks).
func FileIDOf(path string) (FileID, error) { return fileID(path) }

// MountIDs are the mount IDs (mountinfo's first field) of process pid's
// root and working directory, from statx(2) STATX_MNT_ID: a directory on a
// mount that is not in the process's mount table is in a detached tree.
func (fs FS) MountIDs(pid int) (root, cwd uint64, err error) {
	for i, name := range []string{"root", "cwd"} {
		var stx unix.Statx_t
		if err := unix.Statx(unix.AT_FDCWD, fs.Path(pid, name), 0, unix.STATX_MNT_ID, &stx); err != nil {
			return 0, 0, err
		}
		if i == 0 {
			root = stx.Mnt_id
		} else {
			cwd = stx.Mnt_id
		}
	}
	return root, cwd, nil
}
