package procfs

import (
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

// OwnerInRoot is the owner of path as process pid sees it: looked up from
// its root (/proc/PID/root, symlinks kept inside it), in its mount namespace.
func (fs FS) OwnerInRoot(pid int, path string) (uid, gid int, err error) {
	d, err := os.Open(fs.Path(pid, "root"))
	if err != nil {
		return 0, 0, err
	}
	defer d.Close()
	fd, err := unix.Openat2(int(d.Fd()), strings.TrimPrefix(path, "/"), &unix.OpenHow{Flags: unix.O_PATH | unix.O_CLOEXEC, Resolve: unix.RESOLVE_IN_ROOT})
	if err != nil {
		return 0, 0, err
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return 0, 0, err
	}
	return int(st.Uid), int(st.Gid), nil
}
