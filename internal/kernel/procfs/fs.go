package procfs

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
)

// FS is a proc filesystem mounted at Root ("/proc"; a fixture tree in
// tests). The zero FS reads the live /proc.
type FS struct {
	Root string
}

// Host is the proc of hood's own mount namespace.
var Host = FS{Root: "/proc"}

// New returns the proc mounted at root.
func New(root string) FS { return FS{Root: root} }

func (fs FS) root() string {
	if fs.Root == "" {
		return "/proc"
	}
	return fs.Root
}

// Path is the name of a file of process pid: Path(42, "ns", "uts") is
// "/proc/42/ns/uts".
func (fs FS) Path(pid int, elem ...string) string {
	return filepath.Join(append([]string{fs.root(), strconv.Itoa(pid)}, elem...)...)
}

// Via is the proc that process pid sees through its root directory
// (/proc/PID/root/proc): in a box that mounted its own proc, the processes
// of its PID namespace, numbered as it numbers them.
func (fs FS) Via(pid int) FS { return FS{Root: fs.Path(pid, "root", "proc")} }

// Exists reports whether /proc/PID is there: the process exists, perhaps
// as a zombie.
func (fs FS) Exists(pid int) bool {
	_, err := os.Stat(fs.Path(pid))
	return err == nil
}

// parse opens file name of pid and hands it to parse; the error names the
// file.
func parse[T any](fs FS, pid int, name string, parse func(io.Reader) (T, error)) (T, error) {
	path := fs.Path(pid, name)
	f, err := os.Open(path)
	if err != nil {
		var zero T
		return zero, err // os.Open already says "open PATH: ..."
	}
	defer f.Close()
	v, err := parse(f)
	if err != nil {
		return v, fmt.Errorf("%s: %w", path, err)
	}
	return v, nil
}

// PIDs lists the processes of this proc: its numeric entries.
func (fs FS) PIDs() ([]int, error) {
	ents, err := os.ReadDir(fs.root())
	if err != nil {
		return nil, err
	}
	var pids []int
	for _, e := range ents {
		if pid, err := strconv.Atoi(e.Name()); err == nil && pid > 0 && e.IsDir() {
			pids = append(pids, pid)
		}
	}
	return pids, nil
}

// Comm is the command name of pid (/proc/PID/comm, at most 15 bytes, the
// kernel's task name), without its newline.
func (fs FS) Comm(pid int) (string, error) {
	b, err := os.ReadFile(fs.Path(pid, "comm"))
	return string(bytes.TrimSuffix(b, []byte("\n"))), err
}

// Descendants lists every process below pid, by the parent PID in each
// process's stat: its children first, then theirs. Processes that go away
// during the scan, or whose stat does not parse, are skipped.
func (fs FS) Descendants(pid int) []int {
	pids, err := fs.PIDs()
	if err != nil {
		return nil
	}
	children := map[int][]int{}
	for _, p := range pids {
		if st, err := fs.Stat(p); err == nil {
			children[st.PPID] = append(children[st.PPID], p)
		}
	}
	// seen guards against a parent loop, which only a broken tree has.
	var out []int
	seen := map[int]bool{pid: true}
	for queue := []int{pid}; len(queue) > 0; queue = queue[1:] {
		for _, c := range children[queue[0]] {
			if !seen[c] {
				seen[c] = true
				out = append(out, c)
				queue = append(queue, c)
			}
		}
	}
	return out
}

// InitOf is the PID (in this proc's namespace) of the live PID 1 of the PID
// namespace link ("pid:[4026532300]"), or 0 when that namespace has none.
func (fs FS) InitOf(link string) int {
	pids, err := fs.PIDs()
	if err != nil {
		return 0
	}
	for _, pid := range pids {
		if l, err := fs.NS(pid, "pid"); err != nil || l.String() != link {
			continue
		}
		st, err := fs.Status(pid)
		if err == nil && len(st.NSpid) > 0 && st.NSpid[len(st.NSpid)-1] == 1 && fs.Alive(pid) {
			return pid
		}
	}
	return 0
}
