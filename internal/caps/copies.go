package caps

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"

	"hood/internal/journal"
	"hood/internal/statedir"
)

// Copies is where one hood keeps its copies of programs to give file
// capabilities to: STATE/capfile/hood-PID-STARTTIME, mode 0700, so that
// no other user can reach a copy that grants a capability by its path (a
// box gets it as an open descriptor). The hood that made it removes it
// when it ends; Sweep removes those of hoods that are gone.
type Copies struct {
	Dir      string
	uid, gid int // owner of STATE/capfile under sudo, or -1
}

// CopiesDir is the directory of copies under state for the hood whose
// owner mark is token ("PID:STARTTIME"); uid and gid (-1: hood's own) own
// STATE/capfile and the parents it makes, the copies stay root's.
func CopiesDir(state, token string, uid, gid int) Copies {
	return Copies{Dir: filepath.Join(state, "capfile", "hood-"+strings.ReplaceAll(token, ":", "-")), uid: uid, gid: gid}
}

// Path is where the copy called name is (it may not exist).
func (c Copies) Path(name string) string { return filepath.Join(c.Dir, name) }

// Make copies the file src (following symbolic links: busybox's cat is a
// link to busybox) to the copy called name, mode 0755, without its
// extended attributes: as cp does, a copy carries no file capabilities.
func (c Copies) Make(src, name string) (string, error) {
	if name == "" || name == "." || name == ".." || strings.ContainsRune(name, '/') {
		return "", fmt.Errorf("%q cannot name a copy", name)
	}
	in, err := os.Open(src)
	if err != nil {
		return "", err
	}
	defer in.Close()
	if st, err := in.Stat(); err != nil || !st.Mode().IsRegular() {
		return "", fmt.Errorf("%s is not a regular file: only a program can be given file capabilities", src)
	}
	if err := statedir.MkdirOwned(filepath.Dir(c.Dir), c.uid, c.gid); err != nil {
		return "", err
	}
	journal.Will(journal.Capcopy, c.Dir)
	if err := statedir.MkdirOwned(c.Dir, -1, -1); err != nil { // root's: only root enters
		journal.Done(journal.Capcopy, c.Dir)
		return "", err
	}
	journal.Made(journal.Capcopy, c.Dir, journal.InodeOf(c.Dir))
	// The copy is made relative to the directory's descriptor, opened
	// below the state directory's anchor with no link out on the way;
	// OpenTarget opens it again that way to set the attribute.
	root, err := statedir.OpenRoot(c.Dir)
	if err != nil {
		return "", err
	}
	defer root.Close()
	if err := root.Chmod(".", 0o700); err != nil {
		return "", err
	}
	dst := c.Path(name)
	tmpName := "." + name + ".tmp"
	_ = root.Remove(tmpName)
	tmp, err := root.OpenFile(tmpName, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o700)
	if err != nil {
		return "", err
	}
	_, err = io.Copy(tmp, in)
	if err == nil {
		err = tmp.Chmod(0o755) // a program: the box's user must be able to execute it
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = root.Rename(tmpName, name)
	}
	if err != nil {
		root.Remove(tmpName)
		return "", fmt.Errorf("copy %s to %s: %w", src, dst, err)
	}
	return dst, nil
}

// OpenTarget opens the copy called name for fsetxattr, relative to the
// directory of copies opened below the state directory's anchor (as Make
// made it), not by its path: no name on the way, changed since, sends the
// capability to another file.
func (c Copies) OpenTarget(pid int, name string) (*Target, error) {
	root, err := statedir.OpenRoot(c.Dir)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	dir, err := root.Open(".")
	if err != nil {
		return nil, err
	}
	defer dir.Close()
	return openTarget(pid, int(dir.Fd()), c.Dir, name, c.Path(name))
}

// Remove deletes the directory of copies.
func (c Copies) Remove() error {
	err := os.RemoveAll(c.Dir)
	if err == nil {
		journal.Done(journal.Capcopy, c.Dir)
	}
	return err
}

// Sweep removes the copies of every hood for which gone reports true
// (their owner marks are in the directory names), and returns what it
// removed.
func Sweep(state string, gone func(token string) bool) []string {
	parent := filepath.Join(state, "capfile")
	entries, _ := os.ReadDir(parent)
	var removed []string
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), "hood-")
		if !ok || !e.IsDir() {
			continue
		}
		pid, start, ok := strings.Cut(rest, "-")
		if !ok || !gone(pid+":"+start) {
			continue
		}
		dir := filepath.Join(parent, e.Name())
		if os.RemoveAll(dir) == nil {
			removed = append(removed, dir)
		}
	}
	return removed
}

// Usable says why file capabilities would not work in dir ("" when they
// do): a filesystem that takes no security.capability attribute
// (EOPNOTSUPP), or a nosuid mount, where execve ignores them. It writes
// and removes a scratch file there; dir must exist.
func Usable(dir string) string {
	if nosuid, err := NoSuid(dir); err != nil {
		return err.Error()
	} else if nosuid {
		return dir + " is on a nosuid mount: execve ignores file capabilities there"
	}
	f, err := journal.CreateTemp(dir, ".fcaps-probe-*")
	if err != nil {
		return err.Error()
	}
	defer journal.Remove(f.Name())
	defer f.Close()
	fc := FileCaps{Revision: 2, Permitted: 1}
	if err := unix.Fsetxattr(int(f.Fd()), XattrName, fc.Encode(), 0); err != nil {
		return fmt.Sprintf("the filesystem of %s takes no %s attribute (fsetxattr: %v)", dir, XattrName, err)
	}
	return ""
}
