// Package journal is hood's record of what it makes outside its own
// processes (cgroups, host veth ends, /run/netns names, loop devices,
// half-made root filesystems, file-capability copies, runc containers),
// so that what a hood killed with SIGKILL left behind can be named and
// removed by the next one.
//
// One file per running hood, STATE/journal/hood-PID-STARTTIME, mode 0600
// and owned by the invoking user under sudo. Its first line is
//
//	hood PID STARTTIME UNIXTIME
//
// (STARTTIME in clock ticks after boot, as /proc/PID/stat has it; UNIXTIME
// when the journal began), then one line per event:
//
//   - KIND<TAB>WHAT   written and fsynced before the thing is made
//   - KIND<TAB>WHAT   the thing was removed, or making it failed
//
// The file is removed when hood ends with nothing left pending.
package journal

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"hood/internal/kernel/procfs"
	"hood/internal/statedir"
)

// The kinds of thing hood journals.
const (
	Cgroup  = "cgroup"  // a cgroup directory (WHAT: its path)
	Veth    = "veth"    // the host end of a veth pair (WHAT: its name in hood's network namespace)
	Netns   = "netns"   // a /run/netns name (WHAT: the name)
	Loop    = "loop"    // a loop device (WHAT: "/dev/loopN BACKING")
	Rootfs  = "rootfs"  // a root filesystem being built (WHAT: its partial directory)
	Capcopy = "capcopy" // the directory of file-capability copies (WHAT: its path)
	Runc    = "runc"    // a runc container (WHAT: "ROOT ID")
	Pins    = "pins"    // the pin holder, whose mount namespace holds ns pin's bind mounts (WHAT: its owner mark, PID:STARTTIME)
	File    = "file"    // a scratch file hood writes outside its boxes (WHAT: its path)
	// Controllers a hood without root enabled in its delegated scope's
	// cgroup.subtree_control (WHAT: "SCOPE memory,pids").
	Controllers = "controllers"
)

// CreateTemp is os.CreateTemp(dir, pattern) journaled: the name is made
// here and journaled before the file is created (O_EXCL). Remove it with
// Remove.
func CreateTemp(dir, pattern string) (*os.File, error) {
	if dir == "" {
		dir = os.TempDir()
	}
	before, after, _ := strings.Cut(pattern, "*")
	for try := 0; ; try++ {
		p := filepath.Join(dir, fmt.Sprintf("%s%d-%d%s", before, os.Getpid(), time.Now().UnixNano(), after))
		Will(File, p)
		f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if err == nil {
			Made(File, p, InodeOf(p))
			return f, nil
		}
		Done(File, p)
		if !errors.Is(err, os.ErrExist) || try > 5 {
			return nil, err
		}
	}
}

// Remove removes a file made by CreateTemp (or already renamed away:
// then pass the old name too, ENOENT is fine) and journals it gone.
func Remove(path string) error {
	err := os.Remove(path)
	if err == nil || errors.Is(err, os.ErrNotExist) {
		Done(File, path)
		return nil
	}
	return err
}

// Entry is one thing a hood made and has not removed. ID, once known, is
// what identifies the very thing made ("DEV:INODE" of a directory, a file,
// a namespace): cleanup removes nothing whose ID differs.
type Entry struct{ Kind, What, ID string }

// index is where kind what is in es, -1 when not there.
func index(es []Entry, kind, what string) int {
	return slices.IndexFunc(es, func(e Entry) bool { return e.Kind == kind && e.What == what })
}

// InodeOf is "DEV:INODE" of path (not following a last symbolic link),
// "" when it cannot be read.
func InodeOf(path string) string {
	var st unix.Stat_t
	if unix.Lstat(path, &st) != nil {
		return ""
	}
	return fmt.Sprintf("%d:%d", st.Dev, st.Ino)
}

// Made records, once kind what is made, what identifies it (InodeOf).
func Made(kind, what, id string) {
	j := current()
	if j == nil || id == "" || strings.ContainsAny(id, "\t\n") {
		return
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if i := index(j.Pending, kind, what); i >= 0 && j.write("= "+kind+"\t"+what+"\t"+id+"\n") == nil {
		j.Pending[i].ID = id
	}
}

// Journal is one hood's journal.
type Journal struct {
	PID     int
	Start   uint64    // the hood's start time, clock ticks after boot
	Began   time.Time // when its journal began
	Path    string
	Pending []Entry // made and not yet removed, in the order made

	mu sync.Mutex
	f  *os.File
}

// Token is the hood's owner mark, "PID:STARTTIME" (as cgroup.Token).
func (j *Journal) Token() string { return fmt.Sprintf("%d:%d", j.PID, j.Start) }

var (
	mu  sync.Mutex
	cur *Journal // this hood's, nil until Begin
)

// Dir is where the journals are: STATE/journal.
func Dir() (string, error) {
	d, _, _, err := statedir.Dir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "journal"), nil
}

// Begin starts this hood's journal. Until it is called (and in tests that
// never call it), Will and Done record nothing.
func Begin() error {
	state, uid, gid, err := statedir.Dir()
	if err != nil {
		return err
	}
	st, err := procfs.Host.Stat(os.Getpid())
	if err != nil {
		return err
	}
	dir := filepath.Join(state, "journal")
	if err := statedir.MkdirOwned(dir, uid, gid); err != nil {
		return err
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return err
	}
	j := &Journal{PID: os.Getpid(), Start: st.StartTime, Began: time.Now()}
	j.Path = filepath.Join(dir, fmt.Sprintf("hood-%d-%d", j.PID, j.Start))
	f, err := os.OpenFile(j.Path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	if uid >= 0 {
		_ = f.Chown(uid, gid)
	}
	j.f = f
	if err := j.write(fmt.Sprintf("hood %d %d %d\n", j.PID, j.Start, j.Began.Unix())); err != nil {
		f.Close()
		os.Remove(j.Path)
		return err
	}
	mu.Lock()
	cur = j
	mu.Unlock()
	return nil
}

func (j *Journal) write(line string) error {
	if _, err := j.f.WriteString(line); err != nil {
		return err
	}
	return j.f.Sync()
}

// Will records that hood is about to make kind what: call it before the
// thing is made, and Done if making it fails. The line is on disk when
// it returns.
func Will(kind, what string) {
	j := current()
	if j == nil || strings.ContainsAny(kind+what, "\t\n") {
		return
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	e := Entry{Kind: kind, What: what}
	if index(j.Pending, kind, what) >= 0 {
		return
	}
	if j.write("+ "+kind+"\t"+what+"\n") == nil {
		j.Pending = append(j.Pending, e)
	}
}

// Done records that kind what is gone (hood removed it, or making it
// failed). A thing not pending is ignored.
func Done(kind, what string) {
	j := current()
	if j == nil {
		return
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	i := index(j.Pending, kind, what)
	if i < 0 {
		return
	}
	if j.write("- "+kind+"\t"+what+"\n") == nil {
		j.Pending = slices.Delete(j.Pending, i, i+1)
	}
}

func current() *Journal {
	mu.Lock()
	defer mu.Unlock()
	return cur
}

// Pending is what this hood has made and not removed (nil before Begin).
func Pending() []Entry {
	j := current()
	if j == nil {
		return nil
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	return slices.Clone(j.Pending)
}

// End closes this hood's journal at exit. Entries for which there
// reports false (gone by other means: a veth whose peer's namespace died
// took it along) are marked done; the file is removed when nothing is left
// pending, and kept otherwise, for the next hood to clean up. It returns
// what is left.
func End(there func(Entry) bool) []Entry {
	j := current()
	if j == nil {
		return nil
	}
	for _, e := range Pending() {
		if !there(e) {
			Done(e.Kind, e.What)
		}
	}
	mu.Lock()
	cur = nil
	mu.Unlock()
	j.mu.Lock()
	defer j.mu.Unlock()
	j.f.Close()
	if len(j.Pending) == 0 {
		os.Remove(j.Path)
	}
	return j.Pending
}

// Parse reads a journal's text; a torn last line (a power cut while it was
// written) is ignored. Removed entries are dropped from Pending.
func Parse(data []byte) (*Journal, error) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	if !sc.Scan() {
		return nil, errors.New("empty journal")
	}
	head := strings.Fields(sc.Text())
	if len(head) != 4 || head[0] != "hood" {
		return nil, fmt.Errorf("journal header %q is not \"hood PID STARTTIME UNIXTIME\"", sc.Text())
	}
	j := &Journal{}
	var err1, err2, err3 error
	j.PID, err1 = strconv.Atoi(head[1])
	j.Start, err2 = strconv.ParseUint(head[2], 10, 64)
	began, err3 := strconv.ParseInt(head[3], 10, 64)
	if err := errors.Join(err1, err2, err3); err != nil || j.PID <= 0 {
		return nil, fmt.Errorf("journal header %q: PID, start time and time must be numbers", sc.Text())
	}
	j.Began = time.Unix(began, 0)
	complete := bytes.HasSuffix(data, []byte("\n"))
	var lines []string
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if !complete && len(lines) > 0 {
		lines = lines[:len(lines)-1]
	}
	for _, l := range lines {
		op, rest, ok := strings.Cut(l, " ")
		kind, what, ok2 := strings.Cut(rest, "\t")
		id := ""
		if op == "=" {
			what, id, _ = strings.Cut(what, "\t")
		}
		if !ok || !ok2 || kind == "" || what == "" {
			continue
		}
		switch i := index(j.Pending, kind, what); {
		case op == "+" && i < 0:
			j.Pending = append(j.Pending, Entry{Kind: kind, What: what})
		case op == "=" && i >= 0 && id != "":
			j.Pending[i].ID = id
		case op == "-" && i >= 0:
			j.Pending = slices.Delete(j.Pending, i, i+1)
		}
	}
	return j, nil
}

// Others reads the journals of every hood but this one; gone says whether
// a token's hood has ended. Journals that cannot be read are skipped.
func Others(gone func(token string) bool) (dead []*Journal, err error) {
	dir, err := Dir()
	if err != nil {
		return nil, err
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
		return nil, err
	}
	self := current()
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), "hood-") || !e.Type().IsRegular() {
			continue
		}
		p := filepath.Join(dir, e.Name())
		if self != nil && p == self.Path {
			continue
		}
		data, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		j, err := Parse(data)
		if err != nil || e.Name() != fmt.Sprintf("hood-%d-%d", j.PID, j.Start) || !gone(j.Token()) {
			continue // a running hood's, or not a journal
		}
		j.Path = p
		dead = append(dead, j)
	}
	return dead, nil
}

// Forget removes a dead hood's journal file.
func (j *Journal) Forget() error { return os.Remove(j.Path) }
