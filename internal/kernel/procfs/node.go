package procfs

import (
	"fmt"
	"os"
	"sort"
	"strings"

	"golang.org/x/sys/unix"
)

// Node is one entry of a directory as a process sees it: a device node
// with its type and numbers, a symlink with its target, or another file.
type Node struct {
	Name         string
	Type         byte // 'c', 'b', 'l' (symlink), 'd', '-' (other)
	Major, Minor uint32
	Mode         uint32 // permission bits
	Target       string // a symlink's
}

// String is "null c 1:3 0666", "fd -> /proc/self/fd", "pts/ d".
func (n Node) String() string {
	switch n.Type {
	case 'c', 'b':
		return fmt.Sprintf("%s %c %d:%d %04o", n.Name, n.Type, n.Major, n.Minor, n.Mode)
	case 'l':
		return n.Name + " -> " + n.Target
	case 'd':
		return n.Name + "/"
	}
	return n.Name
}

// NodesInRoot lists dir as process pid sees it (resolved inside its root,
// in its mount namespace, with openat2 RESOLVE_IN_ROOT), sorted by name,
// without following any entry.
func (fs FS) NodesInRoot(pid int, dir string) ([]Node, error) {
	root, err := os.Open(fs.Path(pid, "root"))
	if err != nil {
		return nil, err
	}
	defer root.Close()
	fd, err := unix.Openat2(int(root.Fd()), strings.TrimPrefix(dir, "/"), &unix.OpenHow{Flags: unix.O_RDONLY | unix.O_DIRECTORY | unix.O_CLOEXEC, Resolve: unix.RESOLVE_IN_ROOT})
	if err != nil {
		return nil, &os.PathError{Op: "openat2", Path: fs.Path(pid, "root") + dir, Err: err}
	}
	d := os.NewFile(uintptr(fd), dir)
	defer d.Close()
	names, err := d.Readdirnames(-1)
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var out []Node
	for _, name := range names {
		var st unix.Stat_t
		if err := unix.Fstatat(fd, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
			continue // gone meanwhile
		}
		n := Node{Name: name, Mode: st.Mode & 0o7777, Type: '-'}
		switch st.Mode & unix.S_IFMT {
		case unix.S_IFCHR, unix.S_IFBLK:
			n.Type = 'c'
			if st.Mode&unix.S_IFMT == unix.S_IFBLK {
				n.Type = 'b'
			}
			n.Major, n.Minor = unix.Major(st.Rdev), unix.Minor(st.Rdev)
		case unix.S_IFLNK:
			n.Type = 'l'
			buf := make([]byte, 256)
			if k, err := unix.Readlinkat(fd, name, buf); err == nil {
				n.Target = string(buf[:k])
			}
		case unix.S_IFDIR:
			n.Type = 'd'
		}
		out = append(out, n)
	}
	return out, nil
}
