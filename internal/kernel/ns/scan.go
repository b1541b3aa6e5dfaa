package ns

import (
	"bytes"
	"fmt"
	"strconv"
	"unsafe"

	"golang.org/x/sys/unix"

	"hood/internal/kernel/procfs"
)

// readPIDs lists the numeric entries of /proc with getdents64(2) into one
// reused buffer; os.File.ReadDir would allocate a string and a DirEntry
// per process.
//
// Each record of the buffer is a struct linux_dirent64:
//
//	offset 0   d_ino    uint64
//	       8   d_off    int64
//	      16   d_reclen uint16   length of the whole record
//	      18   d_type   uint8    DT_DIR for a process
//	      19   d_name   NUL-terminated, padded to d_reclen
func readPIDs(fd int) ([]int32, error) {
	buf := make([]byte, 32<<10)
	pids := make([]int32, 0, 1024)
	for {
		n, err := unix.Getdents(fd, buf)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("getdents64: %w", err)
		}
		if n <= 0 {
			return pids, nil
		}
		for b := buf[:n]; len(b) >= 19; {
			reclen := int(*(*uint16)(unsafe.Pointer(&b[16])))
			if reclen < 19 || reclen > len(b) {
				return nil, fmt.Errorf("getdents64: bad record length %d", reclen)
			}
			name := b[19:reclen]
			if i := bytes.IndexByte(name, 0); i >= 0 {
				name = name[:i]
			}
			if pid, ok := parsePID(name); ok && (b[18] == unix.DT_DIR || b[18] == unix.DT_UNKNOWN) {
				pids = append(pids, pid)
			}
			b = b[reclen:]
		}
	}
}

// parsePID accepts the names of process directories: 1 to 10 digits, no
// sign, no leading zero, fitting an int32 (pid_max is at most 2^22).
func parsePID(name []byte) (int32, bool) {
	if len(name) == 0 || len(name) > 10 || name[0] == '0' {
		return 0, false
	}
	var n int64
	for _, c := range name {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if n > 1<<31-1 {
		return 0, false
	}
	return int32(n), true
}

// count is one namespace's tally: its type (an index into Types), how many
// processes are in it and the lowest PID seen.
type count struct {
	typ    uint8
	nprocs int32
	pid    int32
}

// tally counts processes per namespace. index maps an inode to its entry in
// counts: inodes are unique across types on nsfs, as lsns also assumes.
type tally struct {
	index  map[uint64]int32
	counts []count
}

func (t *tally) add(ino uint64, typ uint8, pid int32) {
	i, ok := t.index[ino]
	if !ok {
		t.index[ino] = int32(len(t.counts))
		t.counts = append(t.counts, count{typ: typ, nprocs: 1, pid: pid})
		return
	}
	c := &t.counts[i]
	c.nprocs++
	c.pid = min(c.pid, pid)
}

func (t *tally) merge(o tally) {
	for ino, i := range o.index {
		oc := o.counts[i]
		j, ok := t.index[ino]
		if !ok {
			t.index[ino] = int32(len(t.counts))
			t.counts = append(t.counts, oc)
			continue
		}
		c := &t.counts[j]
		c.nprocs += oc.nprocs
		c.pid = min(c.pid, oc.pid)
	}
}

// linkNames are the NUL-terminated names of the eight TYPE links, in the
// order of Types, ready for readlinkat.
var linkNames = func() [][]byte {
	out := make([][]byte, len(Types))
	for i, t := range Types {
		out[i] = append([]byte(t.Name), 0)
	}
	return out
}()

// scanLinks reads the TYPE links of each pid and tallies them. A link that
// is missing (an old kernel, a process that just exited) or unreadable
// (EACCES) is skipped; so is one whose target does not parse.
func scanLinks(procfd int, pids []int32) tally {
	t := tally{index: make(map[uint64]int32, 256), counts: make([]count, 0, 256)}
	path := make([]byte, 0, 64) // "PID/ns/TYPE\0", relative to procfd
	target := make([]byte, 64)  // "TYPE:[INODE]"
	for _, pid := range pids {
		path = strconv.AppendInt(path[:0], int64(pid), 10)
		path = append(path, "/ns/"...)
		dirLen := len(path)
		for ti, name := range linkNames {
			path = append(path[:dirLen], name...)
			n, err := readlinkat(procfd, path, target)
			if err != nil {
				continue
			}
			ino, ok := inodeOf(target[:n], name[:len(name)-1])
			if !ok {
				continue
			}
			t.add(ino, uint8(ti), pid)
		}
	}
	return t
}

// inodeOf parses a link target "TYPE:[INODE]" of a known TYPE without
// allocating; see procfs.ParseNSLink for the format.
func inodeOf(target, typ []byte) (uint64, bool) {
	if len(target) < len(typ)+4 || !bytes.HasPrefix(target, typ) ||
		target[len(typ)] != ':' || target[len(typ)+1] != '[' || target[len(target)-1] != ']' {
		return 0, false
	}
	ino, err := procfs.ParseInode(target[len(typ)+2 : len(target)-1])
	return ino, err == nil
}

// readlinkat is readlinkat(2) for a path that already ends in a NUL byte;
// unix.Readlinkat would copy the path into a new C string on every call.
func readlinkat(dirfd int, path, buf []byte) (int, error) {
	n, _, errno := unix.Syscall6(unix.SYS_READLINKAT, uintptr(dirfd),
		uintptr(unsafe.Pointer(&path[0])), uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)), 0, 0)
	if errno != 0 {
		return 0, errno
	}
	return int(n), nil
}
