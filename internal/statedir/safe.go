package statedir

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
)

// Every directory and file hood makes in its state directory is made
// through these functions: directories 0700, files 0600 (a program copy,
// which must be executable, says so), each owned by the invoking user
// under sudo. Paths are resolved with os.Root below the state directory's
// anchor (the person's home or $XDG_STATE_HOME): the kernel resolves each
// component with openat beneath the anchor's descriptor, so a `..` or a
// symbolic link that leads outside it is refused (os.Root's "path escapes
// from parent"), and root running hood under sudo never writes, through a
// link the user planted, to a file the user could not write.

// beneath opens the anchor of path as an os.Root and gives path relative
// to it, with stateRel the state directory's own relative path ("" when
// path is not in the state directory: a test's temporary tree, anchored
// at the deepest directory of it that exists).
func beneath(path string) (root *os.Root, rel, stateRel string, err error) {
	if !filepath.IsAbs(path) || hasDotDot(path) {
		return nil, "", "", fmt.Errorf("%s: not a clean absolute path (no `..` is allowed)", path)
	}
	path = filepath.Clean(path)
	anchor := ""
	if state, a, _, _, err := dirs(); err == nil && within(state, path) {
		// An $XDG_STATE_HOME (or home) not made yet is made as the state
		// directory is, from the deepest directory above it that exists.
		anchor = existingParent(filepath.Join(a, "hood"))
		stateRel, _ = filepath.Rel(anchor, state)
	} else {
		anchor = existingParent(path)
	}
	root, err = os.OpenRoot(anchor)
	if err != nil {
		return nil, "", "", err
	}
	rel, err = filepath.Rel(anchor, path)
	if err != nil {
		root.Close()
		return nil, "", "", err
	}
	return root, rel, stateRel, nil
}

// hasDotDot reports whether path names a `..` component.
func hasDotDot(path string) bool {
	return slices.Contains(strings.Split(path, "/"), "..")
}

// within reports whether path is dir or below it (both clean).
func within(dir, path string) bool {
	return path == dir || strings.HasPrefix(path, dir+"/")
}

// existingParent is the deepest existing directory above path.
func existingParent(path string) string {
	for d := filepath.Dir(path); ; d = filepath.Dir(d) {
		if st, err := os.Stat(d); (err == nil && st.IsDir()) || d == "/" {
			return d
		}
	}
}

// MkdirOwned makes dir and its missing parents, mode 0700, each owned by
// uid and gid when uid is not -1: under sudo, what hood creates in the
// invoking user's state directory stays theirs. The state directory itself
// is made 0700 when it is found wider. A component that is a symbolic link
// out of the anchor is refused.
func MkdirOwned(dir string, uid, gid int) error {
	root, rel, stateRel, err := beneath(dir)
	if err != nil {
		return err
	}
	defer root.Close()
	return mkdirIn(root, rel, stateRel, uid, gid)
}

func mkdirIn(root *os.Root, rel, stateRel string, uid, gid int) error {
	if rel == "." {
		return nil
	}
	part := ""
	for _, name := range strings.Split(rel, "/") {
		part = filepath.Join(part, name)
		err := root.Mkdir(part, 0o700)
		switch {
		case err == nil:
			if uid >= 0 {
				if err := root.Lchown(part, uid, gid); err != nil {
					return err
				}
			}
		case errors.Is(err, fs.ErrExist):
			st, serr := root.Stat(part) // follows a link only within the anchor
			if serr != nil {
				return escapeErr(root, part, serr)
			}
			if !st.IsDir() {
				return fmt.Errorf("%s is not a directory", filepath.Join(root.Name(), part))
			}
			if part == stateRel && st.Mode().Perm() != 0o700 {
				if err := root.Chmod(part, 0o700); err != nil {
					return err
				}
			}
		default:
			return escapeErr(root, part, err)
		}
	}
	return nil
}

// escapeErr says plainly that a link leads out, when os.Root refused one.
func escapeErr(root *os.Root, rel string, err error) error {
	path := filepath.Join(root.Name(), rel)
	if strings.Contains(err.Error(), "escapes") {
		return fmt.Errorf("refused: %s (or a directory on the way to it) is a symbolic link out of %s; hood writes its state only inside it, so that no planted link takes hood's writes elsewhere: remove the link (%w)", path, root.Name(), err)
	}
	return fmt.Errorf("%s: %w", path, err)
}

// WriteFile writes data to path atomically (a temporary file in the same
// directory, renamed over it), mode perm, owned by uid and gid when uid is
// not -1, making the missing directories as MkdirOwned does.
func WriteFile(path string, data []byte, perm fs.FileMode, uid, gid int) error {
	root, rel, stateRel, err := beneath(path)
	if err != nil {
		return err
	}
	defer root.Close()
	if err := mkdirIn(root, filepath.Dir(rel), stateRel, uid, gid); err != nil {
		return err
	}
	// A name of this write's own: O_EXCL fails on anything already there,
	// a planted link included, which is never written through.
	tmp := filepath.Join(filepath.Dir(rel), fmt.Sprintf(".%s.tmp-%d-%d", filepath.Base(rel), os.Getpid(), rand.Uint32()))
	f, err := root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(perm) // the umask narrowed nothing hood needs, but may have
	}
	if err == nil && uid >= 0 {
		err = f.Chown(uid, gid)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = root.Rename(tmp, rel)
	}
	if err != nil {
		_ = root.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// ReadFile reads path, resolved as the writes are.
func ReadFile(path string) ([]byte, error) {
	root, rel, _, err := beneath(path)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	return root.ReadFile(rel)
}

// MkdirTemp makes a new directory in dir (which must exist), mode 0700,
// named pattern followed by a random string, as os.MkdirTemp does, but
// resolved as the writes are; it returns the new directory's path.
func MkdirTemp(dir, pattern string) (string, error) {
	root, rel, _, err := beneath(dir)
	if err != nil {
		return "", err
	}
	defer root.Close()
	for try := 0; ; try++ {
		name := filepath.Join(rel, pattern+strconv.FormatUint(uint64(rand.Uint32()), 10))
		err := root.Mkdir(name, 0o700)
		if err == nil {
			return filepath.Join(root.Name(), name), nil
		}
		if !errors.Is(err, fs.ErrExist) || try == 100 {
			return "", fmt.Errorf("mkdir in %s: %w", dir, err)
		}
	}
}

// OpenRoot opens the directory dir, resolved as the writes are, as an
// os.Root: what is made through it stays in that directory even if a name
// on the way to it is changed afterwards.
func OpenRoot(dir string) (*os.Root, error) {
	root, rel, _, err := beneath(dir)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	return root.OpenRoot(rel)
}

// Rename renames oldpath to newpath, both in the same directory, through
// that directory's os.Root (resolved as the writes are).
func Rename(oldpath, newpath string) error {
	if filepath.Dir(oldpath) != filepath.Dir(newpath) {
		return fmt.Errorf("rename %s to %s: not in one directory", oldpath, newpath)
	}
	root, err := OpenRoot(filepath.Dir(oldpath))
	if err != nil {
		return err
	}
	defer root.Close()
	return root.Rename(filepath.Base(oldpath), filepath.Base(newpath))
}

// OpenAppend opens path for appending (O_APPEND: each write lands whole at
// the end, even with another hood appending at the same time), creating it
// mode perm, owned by uid and gid when uid is not -1, with the missing
// directories made as MkdirOwned does. Only a regular file is opened.
func OpenAppend(path string, perm fs.FileMode, uid, gid int) (*os.File, error) {
	root, rel, stateRel, err := beneath(path)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	if err := mkdirIn(root, filepath.Dir(rel), stateRel, uid, gid); err != nil {
		return nil, err
	}
	// O_NONBLOCK: a FIFO planted under the name does not hang hood.
	const flags = os.O_WRONLY | os.O_APPEND | syscall.O_NONBLOCK
	f, err := root.OpenFile(rel, flags|os.O_CREATE|os.O_EXCL, perm)
	created := err == nil
	if errors.Is(err, fs.ErrExist) {
		f, err = root.OpenFile(rel, flags, 0)
	}
	if err != nil {
		return nil, escapeErr(root, rel, err)
	}
	st, err := f.Stat()
	if err == nil && !st.Mode().IsRegular() {
		err = fmt.Errorf("%s is not a regular file", path)
	}
	if err == nil && created {
		err = f.Chmod(perm)
		if err == nil && uid >= 0 {
			err = f.Chown(uid, gid)
		}
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}
