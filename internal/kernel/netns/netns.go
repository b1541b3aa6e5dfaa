package netns

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/sys/unix"

	"hood/internal/journal"
	"hood/internal/kernel/call"
	"hood/internal/kernel/cgroup"
	"hood/internal/kernel/mount"
)

// The directories: ip netns's, and hood's marks.
const (
	RunDir  = "/run/netns"
	MarkDir = "/run/hood/netns"
	runMark = MarkDir + "/.rundir" // a hood made /run/netns's mount (and maybe the directory)
)

// Valid says what is wrong with a name, as iproute2 refuses it: empty,
// longer than NAME_MAX, with a '/', or "." or "..". "" when it is fine.
func Valid(name string) string {
	switch {
	case name == "":
		return "a name cannot be empty"
	case len(name) > 255:
		return fmt.Sprintf("%d bytes is longer than NAME_MAX (255)", len(name))
	case strings.Contains(name, "/"):
		return "a name cannot hold '/': it is one file in " + RunDir
	case name == "." || name == "..":
		return "'.' and '..' are not files of their own"
	}
	return ""
}

// Path is RunDir/NAME.
func Path(name string) string { return RunDir + "/" + name }

// ErrExists is a name already in RunDir.
var ErrExists = errors.New("exists")

// Add makes RunDir/NAME a bind of nsPath (a /proc/PID/ns/net) as `ip netns
// attach NAME PID` does, narrated as the calls hood made: mkdirat
// RunDir (EEXIST is fine), mount("", RunDir, "none", MS_SHARED|MS_REC),
// and when the kernel answers EINVAL (RunDir is no mount point) a bind of
// RunDir on itself first; then the empty file and the bind mount.
func Add(name, nsPath string, hoodPID int) ([]call.Call, error) {
	unlock := lock()
	defer unlock()
	var calls []call.Call
	// Every path below is checked and opened with no symbolic link on the
	// way (call.MkdirOwn, CheckDirOwn, CreateOwn): a /run/netns that is a
	// link elsewhere is refused before hood mounts on it.
	mk, err := call.MkdirOwn("hood", hoodPID, RunDir, 0o755)
	calls = append(calls, mk...)
	madeDir := err == nil
	if err != nil && !errors.Is(err, unix.EEXIST) {
		return calls, err
	}
	chk, err := call.CheckDirOwn("hood", hoodPID, RunDir)
	calls = append(calls, chk...)
	if err != nil {
		return calls, err
	}
	madeMount := false
	for {
		c := hoodMount("", RunDir, mount.Shared|mount.Rec, hoodPID)
		calls = append(calls, c)
		if !c.Failed() {
			break
		}
		if c.Errno != unix.EINVAL || madeMount {
			return calls, fmt.Errorf("make %s a shared mount: %w", RunDir, c.Errno)
		}
		b := hoodMount(RunDir, RunDir, mount.Bind|mount.Rec, hoodPID)
		calls = append(calls, b)
		if b.Failed() {
			return calls, fmt.Errorf("bind %s on itself: %w", RunDir, b.Errno)
		}
		madeMount = true
	}
	if madeDir || madeMount {
		writeRunMark(hoodPID, madeDir, madeMount)
	}
	path := Path(name)
	journal.Will(journal.Netns, name)
	made, err := call.CreateOwn("hood", hoodPID, path, 0)
	calls = append(calls, made...)
	if errors.Is(err, unix.EEXIST) {
		journal.Done(journal.Netns, name)
		return calls, ErrExists
	}
	if err != nil {
		journal.Done(journal.Netns, name)
		tidy(&calls, hoodPID)
		return calls, err
	}
	// The file is ours: marked before the namespace is bound on it.
	if err := os.MkdirAll(MarkDir, 0o755); err == nil {
		_ = os.WriteFile(filepath.Join(MarkDir, name), []byte(cgroup.Token(hoodPID)), 0o644)
	}
	m := hoodMount(nsPath, path, mount.Bind, hoodPID)
	calls = append(calls, m)
	if m.Failed() {
		u, _ := call.UnlinkOwn("hood", hoodPID, path)
		calls = append(calls, u...)
		_ = os.Remove(filepath.Join(MarkDir, name))
		journal.Done(journal.Netns, name)
		tidy(&calls, hoodPID)
		return calls, fmt.Errorf("bind %s on %s: %w", nsPath, path, m.Errno)
	}
	journal.Made(journal.Netns, name, journal.InodeOf(path)) // the namespace's own inode
	return calls, nil
}

func hoodMount(src, dst string, flags uintptr, hoodPID int) call.Call {
	err := unix.Mount(src, dst, "none", flags, "")
	// The kernel ignores the type of a bind or a propagation change, and
	// strace shows it as a pointer: narrated as one, with what it holds.
	return call.New("hood", hoodPID, "mount", 0, err, call.S(src), call.S(dst), call.P(`"none"`),
		call.F(int64(flags), mount.FlagString(flags)), call.NULL())
}

func umount(path string, hoodPID int) call.Call {
	err := unix.Unmount(path, unix.MNT_DETACH)
	return call.New("hood", hoodPID, "umount2", 0, err, call.S(path), call.F(unix.MNT_DETACH, "MNT_DETACH"))
}

// ErrNotOurs is a name this hood did not make.
type ErrNotOurs struct{ Name, Mark string }

func (e *ErrNotOurs) Error() string {
	if e.Mark == "" {
		return fmt.Sprintf("%s was not made by hood (no mark in %s): hood removes only what it made; `ip netns del %s` removes it", Path(e.Name), MarkDir, e.Name)
	}
	return fmt.Sprintf("%s was made by another hood (%s), which is still running: only that hood removes it", Path(e.Name), e.Mark)
}

// Remove undoes Add for a name this hood made, as `ip netns del` does:
// umount2(path, MNT_DETACH), unlink(path).
func Remove(name string, hoodPID int) ([]call.Call, error) {
	unlock := lock()
	defer unlock()
	if m := markOf(name); m == "" || m != cgroup.Token(hoodPID) {
		return nil, &ErrNotOurs{name, m}
	}
	var calls []call.Call
	err := remove(&calls, name, hoodPID)
	tidy(&calls, hoodPID)
	return calls, err
}

func remove(calls *[]call.Call, name string, hoodPID int) error {
	path := Path(name)
	*calls = append(*calls, umount(path, hoodPID)) // EINVAL: no longer mounted, the file goes anyway
	u, err := call.UnlinkOwn("hood", hoodPID, path)
	*calls = append(*calls, u...)
	if err == nil || errors.Is(err, unix.ENOENT) {
		_ = os.Remove(filepath.Join(MarkDir, name))
		journal.Done(journal.Netns, name)
		return nil
	}
	return err
}

// tidy undoes RunDir's mount and directory when a hood made them and
// RunDir is now empty, and removes hood's mark directories when empty.
func tidy(calls *[]call.Call, hoodPID int) {
	data, err := os.ReadFile(runMark)
	if err == nil {
		entries, rerr := os.ReadDir(RunDir)
		if rerr == nil && len(entries) == 0 {
			if strings.Contains(string(data), " mount") {
				*calls = append(*calls, umount(RunDir, hoodPID))
			}
			if strings.Contains(string(data), " dir") {
				c, _ := call.RmdirOwn("hood", hoodPID, RunDir)
				*calls = append(*calls, c...)
			}
			_ = os.Remove(runMark)
		} else if errors.Is(rerr, fs.ErrNotExist) {
			_ = os.Remove(runMark)
		}
	}
	_ = unix.Rmdir(MarkDir)
	_ = unix.Rmdir(filepath.Dir(MarkDir))
}

func writeRunMark(hoodPID int, dir, mnt bool) {
	if _, err := os.Stat(runMark); err == nil {
		return
	}
	s := cgroup.Token(hoodPID)
	if mnt {
		s += " mount"
	}
	if dir {
		s += " dir"
	}
	if err := os.MkdirAll(MarkDir, 0o755); err == nil {
		_ = os.WriteFile(runMark, []byte(s), 0o644)
	}
}

// MarkOf is the owner mark of RunDir/NAME ("" when no hood made it).
func MarkOf(name string) string { return markOf(name) }

func markOf(name string) string {
	data, err := os.ReadFile(filepath.Join(MarkDir, name))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(data))
}

// lock serializes hoods' changes to RunDir (flock on /run, which always
// exists: hood leaves no lock file behind).
func lock() func() {
	fd, err := unix.Open("/run", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return func() {}
	}
	_ = unix.Flock(fd, unix.LOCK_EX)
	return func() { _ = unix.Flock(fd, unix.LOCK_UN); _ = unix.Close(fd) }
}

// Entry is one name in RunDir.
type Entry struct {
	Name  string
	Inode uint64 // the network namespace's inode; 0 when not a bind of one
	Mark  string // the owner token of the hood that made it; "" when no hood did
	Gone  bool   // that hood has ended
}

// List reads RunDir (none when it does not exist).
func List() ([]Entry, error) {
	entries, err := os.ReadDir(RunDir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []Entry
	for _, e := range entries {
		en := Entry{Name: e.Name(), Mark: markOf(e.Name())}
		en.Gone = en.Mark != "" && cgroup.Gone(en.Mark)
		var sfs unix.Statfs_t
		var st unix.Stat_t
		if unix.Statfs(Path(e.Name()), &sfs) == nil && sfs.Type == unix.NSFS_MAGIC && unix.Stat(Path(e.Name()), &st) == nil {
			en.Inode = st.Ino
		}
		out = append(out, en)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// RemoveOwned removes every entry hoodPID made (hood's exit).
func RemoveOwned(hoodPID int) []call.Call {
	return removeIf(hoodPID, func(e Entry) bool { return e.Mark == cgroup.Token(hoodPID) })
}

// CleanupStale removes the entries of hoods that are gone (a start, `hood
// cleanup`) and returns their paths.
func CleanupStale() []string {
	var out []string
	for _, c := range removeIf(os.Getpid(), func(e Entry) bool { return e.Gone }) {
		if c.Name == "unlinkat" && !c.Failed() {
			out = append(out, c.AtPath())
		}
	}
	return out
}

func removeIf(hoodPID int, pick func(Entry) bool) []call.Call {
	unlock := lock()
	defer unlock()
	entries, _ := List()
	var calls []call.Call
	for _, e := range entries {
		if pick(e) {
			_ = remove(&calls, e.Name, hoodPID)
		}
	}
	// Marks whose entry is gone (removed by hand with ip netns del).
	marks, _ := os.ReadDir(MarkDir)
	for _, m := range marks {
		if m.Name() == ".rundir" {
			continue
		}
		if _, err := os.Lstat(Path(m.Name())); errors.Is(err, fs.ErrNotExist) && pick(Entry{Name: m.Name(), Mark: markOf(m.Name()), Gone: cgroup.Gone(markOf(m.Name()))}) {
			_ = os.Remove(filepath.Join(MarkDir, m.Name()))
		}
	}
	tidy(&calls, hoodPID)
	return calls
}

// RemoveStale removes the name a dead hood (owner mark mark) made, and
// nothing else: not when its mark names another hood, nor while that
// hood runs.
func RemoveStale(name, mark string) error {
	unlock := lock()
	defer unlock()
	if m := markOf(name); m != mark || !cgroup.Gone(mark) {
		return &ErrNotOurs{name, m}
	}
	var calls []call.Call
	err := remove(&calls, name, os.Getpid())
	tidy(&calls, os.Getpid())
	return err
}

// MadeBy reports whether the hood with PID hoodPID made e.
func (e Entry) MadeBy(hoodPID int) bool { return e.Mark != "" && e.Mark == cgroup.Token(hoodPID) }

// Exists reports whether RunDir/NAME is there.
func Exists(name string) bool {
	if Valid(name) != "" {
		return false
	}
	_, err := os.Lstat(Path(name))
	return err == nil
}
