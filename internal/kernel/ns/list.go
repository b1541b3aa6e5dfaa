package ns

import (
	"bytes"
	"cmp"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"

	"hood/internal/kernel/procfs"
)

// Namespace is one line of a host-wide listing, with the columns and JSON
// names of lsns(8)'s default output (`lsns --json`).
type Namespace struct {
	Inode   uint64 `json:"ns"`
	Type    string `json:"type"`
	NProcs  int    `json:"nprocs"`  // processes whose TYPE link names this namespace
	PID     int    `json:"pid"`     // the lowest of them
	User    string `json:"user"`    // owner of /proc/PID, by name when /etc/passwd has one
	Command string `json:"command"` // PID's command line, or its comm for kernel threads
}

// passwdPath is where List looks up user names; tests point it elsewhere.
var passwdPath = "/etc/passwd"

// maxCmdline caps how much of a command line List reads. lsns reads BUFSIZ
// (8192) bytes and so do we.
const maxCmdline = 8192

// List finds every namespace that some process is in, the way lsns(8) from
// util-linux 2.38 does: it reads the eight TYPE links (not the
// *_for_children ones) of every /proc/PID, counts processes per namespace
// and describes each namespace by its lowest PID. Processes that exit during
// the scan and links that cannot be read (pid 1's, even for root, in some
// sandboxes) are skipped, as lsns skips them. Namespaces that no process is
// in, kept alive only by a bind mount or an open descriptor, are not found;
// lsns 2.38 does not show them either.
//
// The result is sorted by inode, as lsns sorts.
//
// lsns spends its time in lists it searches once per process and namespace;
// List keeps a map, reads links into reused buffers with readlinkat(2)
// relative to one open /proc, and reads USER and COMMAND only for the one
// process that describes each namespace.
func List(procRoot string) ([]Namespace, error) {
	procfd, err := unix.Open(procRoot, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", procRoot, err)
	}
	defer unix.Close(procfd)

	pids, err := readPIDs(procfd)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", procRoot, err)
	}

	// Both phases are nearly all syscalls, so they split well across
	// CPUs. Each worker scanning links tallies into its own map; the maps
	// are merged.
	tallies := make([]tally, workersFor(len(pids)))
	inParallel(len(pids), len(tallies), func(w, lo, hi int) {
		tallies[w] = scanLinks(procfd, pids[lo:hi])
	})
	all := tallies[0]
	for _, t := range tallies[1:] {
		all.merge(t)
	}

	// One process often describes many namespaces (pid 2 all the host's),
	// so describe each chosen process once.
	var chosen []int32
	descIndex := make(map[int32]int)
	for _, c := range all.counts {
		if _, ok := descIndex[c.pid]; !ok {
			descIndex[c.pid] = len(chosen)
			chosen = append(chosen, c.pid)
		}
	}
	users := readPasswd(passwdPath)
	descs := make([]description, len(chosen))
	inParallel(len(chosen), workersFor(len(chosen)), func(_, lo, hi int) {
		d := describer{procfd: procfd, users: users, buf: make([]byte, maxCmdline)}
		for i := lo; i < hi; i++ {
			descs[i] = d.describe(chosen[i])
		}
	})

	out := make([]Namespace, 0, len(all.counts))
	for ino, i := range all.index {
		c := all.counts[i]
		d := descs[descIndex[c.pid]]
		out = append(out, Namespace{
			Inode:   ino,
			Type:    Types[c.typ].Name,
			NProcs:  int(c.nprocs),
			PID:     int(c.pid),
			User:    d.user,
			Command: d.command,
		})
	}
	slices.SortFunc(out, func(a, b Namespace) int {
		return cmp.Or(cmp.Compare(a.Inode, b.Inode), cmp.Compare(a.Type, b.Type))
	})
	return out, nil
}

// workersFor says how many goroutines share n processes: one per CPU, but
// at least a few hundred processes each, below which starting a goroutine
// costs more than it saves.
func workersFor(n int) int {
	return max(1, min(runtime.GOMAXPROCS(0), 8, n/200))
}

// inParallel calls fn for workers contiguous parts [lo, hi) of [0, n), each
// in its own goroutine, and waits for them.
func inParallel(n, workers int, fn func(w, lo, hi int)) {
	if workers <= 1 {
		fn(0, 0, n)
		return
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() { fn(w, w*n/workers, (w+1)*n/workers) })
	}
	wg.Wait()
}

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

// description is what List shows of the process that describes a
// namespace.
type description struct {
	user, command string
}

// describer reads descriptions; one per goroutine, for its buffer.
type describer struct {
	procfd int
	users  map[uint32]string // from /etc/passwd
	buf    []byte
}

func (d *describer) describe(pid int32) description {
	dir := strconv.Itoa(int(pid))
	var desc description
	var st unix.Stat_t
	if err := unix.Fstatat(d.procfd, dir, &st, 0); err == nil {
		desc.user = d.userName(st.Uid)
	}
	desc.command = d.command(dir)
	return desc
}

// command is what lsns shows in its COMMAND column: the command line with
// its NUL separators as spaces, or, for a kernel thread, whose command line
// is empty, the name in /proc/PID/comm. It is empty if the process is gone.
func (d *describer) command(dir string) string {
	n := d.readFile(dir + "/cmdline")
	if n > 0 {
		b := d.buf[:n]
		if b[n-1] == 0 {
			b = b[:n-1]
		}
		for i, c := range b {
			if c == 0 {
				b[i] = ' '
			}
		}
		return string(b)
	}
	n = d.readFile(dir + "/comm")
	return string(bytes.TrimSuffix(d.buf[:n], []byte("\n")))
}

// readFile reads up to len(d.buf) bytes of a file under /proc into d.buf.
func (d *describer) readFile(name string) int {
	fd, err := unix.Openat(d.procfd, name, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return 0
	}
	defer unix.Close(fd)
	n := 0
	for n < len(d.buf) {
		m, err := unix.Read(fd, d.buf[n:])
		if err == unix.EINTR {
			continue
		}
		if err != nil || m <= 0 {
			break
		}
		n += m
	}
	return n
}

// userName maps a uid to a name from /etc/passwd, read once per List; the
// number stands in when there is no entry, as in lsns. Reading the file
// rather than asking getpwuid(3) means names from NSS modules such as LDAP
// are not shown.
func (d *describer) userName(uid uint32) string {
	if name, ok := d.users[uid]; ok {
		return name
	}
	return strconv.FormatUint(uint64(uid), 10)
}

// readPasswd maps uids to names. Each line of passwd(5) is
//
//	root:x:0:0:root:/root:/bin/bash
//	└┬─┘ │ │ └─── gid, gecos, home, shell: ignored
//	 │   │ └ uid
//	 │   └ password (x: in /etc/shadow)
//	 └ name
//
// The first line for a uid wins, as with getpwuid(3). An unreadable file
// gives an empty map: every user is then shown by number.
func readPasswd(path string) map[uint32]string {
	users := make(map[uint32]string)
	data, err := os.ReadFile(path)
	if err != nil {
		return users
	}
	for line := range bytes.Lines(data) {
		f := bytes.SplitN(bytes.TrimRight(line, "\r\n"), []byte(":"), 4)
		if len(f) < 4 || len(f[0]) == 0 || f[0][0] == '#' {
			continue
		}
		uid, err := strconv.ParseUint(string(f[2]), 10, 32)
		if err != nil {
			continue
		}
		if _, dup := users[uint32(uid)]; !dup {
			users[uint32(uid)] = string(f[0])
		}
	}
	return users
}
