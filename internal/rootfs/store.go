package rootfs

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"hood/internal/journal"
	"hood/internal/statedir"
)

// Store is the directory the root filesystems live in, one per NAME.
type Store struct {
	Dir      string
	uid, gid int // owner of Dir under sudo, or -1
}

// Open returns the store in hood's state directory, sweeping away the
// half-made trees of hoods that are gone (killed during an import).
func Open() (Store, error) {
	dir, uid, gid, err := statedir.Dir()
	if err != nil {
		return Store{}, fmt.Errorf("hood's state directory: %w", err)
	}
	s := Store{Dir: filepath.Join(dir, "rootfs"), uid: uid, gid: gid}
	s.Sweep()
	return s, nil
}

// At returns a store kept in dir (tests).
func At(dir string) Store { return Store{Dir: dir, uid: -1, gid: -1} }

var nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// CheckName refuses a NAME that is not a plain file name.
func CheckName(name string) error {
	if !nameRE.MatchString(name) {
		return fmt.Errorf("%q is not a root filesystem name: use letters, digits, '.', '_' and '-' (up to 64, starting with a letter or digit)", name)
	}
	return nil
}

// Path is where the root filesystem NAME lives (it may not exist).
func (s Store) Path(name string) (string, error) {
	if err := CheckName(name); err != nil {
		return "", err
	}
	return filepath.Join(s.Dir, name), nil
}

// Resolve turns a NAME or a PATH (anything with a '/') into a directory
// that exists.
func (s Store) Resolve(arg string) (string, error) {
	dir := arg
	if !strings.Contains(arg, "/") {
		p, err := s.Path(arg)
		if err != nil {
			return "", err
		}
		dir = p
		if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("there is no root filesystem named %s (in %s; `rootfs ls` lists them, `rootfs make %s` builds one); a path needs a '/', such as ./%s", arg, s.Dir, arg, arg)
		}
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	st, err := os.Stat(abs)
	if err != nil {
		return "", fmt.Errorf("%s: %w", abs, err)
	}
	if !st.IsDir() {
		return "", fmt.Errorf("%s is not a directory", abs)
	}
	return abs, nil
}

// Info is one root filesystem of the store.
type Info struct {
	Name   string
	Path   string
	Size   int64  // bytes in its regular files
	Source string // "made (busybox ...)", "imported from FILE"
	Pretty string // PRETTY_NAME of its os-release, or ""
}

// List returns the store's root filesystems, sorted by name.
func (s Store) List() ([]Info, error) {
	ents, err := os.ReadDir(s.Dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []Info
	for _, e := range ents {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		out = append(out, s.info(e.Name()))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func (s Store) info(name string) Info {
	p := filepath.Join(s.Dir, name)
	in := Info{Name: name, Path: p, Size: Size(p), Pretty: PrettyName(p)}
	if b, err := os.ReadFile(s.sourceFile(name)); err == nil {
		in.Source = strings.TrimSpace(string(b))
	} else {
		in.Source = "unknown (not made by hood)"
	}
	return in
}

// sourceFile records how NAME was made, beside it (not in it: an imported
// tree stays as the tarball had it).
func (s Store) sourceFile(name string) string { return filepath.Join(s.Dir, "."+name+".source") }

// Remove deletes the root filesystem NAME, only ever under the store.
func (s Store) Remove(name string) error {
	p, err := s.Path(name)
	if err != nil {
		return err
	}
	if _, err := os.Lstat(p); err != nil {
		return fmt.Errorf("there is no root filesystem named %s in %s", name, s.Dir)
	}
	// RemoveAll does not follow symlinks: a link in the tree to / is
	// removed, not what it points at. A mount inside it (a box's bind)
	// makes it fail with EBUSY rather than reach into the mount. It is
	// made through the store's os.Root, so that a store directory swapped
	// for a link after the check above removes nothing outside it.
	root, err := s.root()
	if err != nil {
		return err
	}
	defer root.Close()
	if err := root.RemoveAll(name); err != nil {
		return fmt.Errorf("remove %s: %w", p, err)
	}
	root.Remove(filepath.Base(s.sourceFile(name)))
	return nil
}

// root opens the store directory as an os.Root, resolved below the state
// directory's anchor as every write there is (statedir.OpenRoot).
func (s Store) root() (*os.Root, error) { return statedir.OpenRoot(s.Dir) }

// Size adds up the regular files under dir, without following symlinks.
func Size(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

// OSRelease reads the tree's os-release (etc/os-release, else
// usr/lib/os-release, as os-release(5) says), resolved inside the tree.
func OSRelease(dir string) (map[string]string, error) {
	r, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	data, err := r.ReadFile("etc/os-release")
	if err != nil {
		data, err = r.ReadFile("usr/lib/os-release")
	}
	if err != nil {
		return nil, err
	}
	return ParseOSRelease(string(data)), nil
}

// ParseOSRelease reads KEY=VALUE lines, values optionally quoted.
func ParseOSRelease(text string) map[string]string {
	out := map[string]string{}
	for _, l := range strings.Split(text, "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(l), "=")
		if !ok || strings.HasPrefix(k, "#") {
			continue
		}
		if u, err := strconv.Unquote(v); err == nil {
			v = u
		} else {
			v = strings.Trim(v, `"'`)
		}
		out[k] = v
	}
	return out
}

// PrettyName is the tree's os-release PRETTY_NAME (or NAME), or "".
func PrettyName(dir string) string {
	m, err := OSRelease(dir)
	if err != nil {
		return ""
	}
	if m["PRETTY_NAME"] != "" {
		return m["PRETTY_NAME"]
	}
	return m["NAME"]
}

// mkdirAll makes the store directory and its missing parents, mode 0700,
// each owned by the invoking user under sudo (the trees inside stay
// root's), refusing a symbolic link out of the state directory's anchor.
func (s Store) mkdirAll() error { return statedir.MkdirOwned(s.Dir, s.uid, s.gid) }

// partial makes the hidden directory a tree is built in, next to its
// final place, named after this hood's PID so that sweep knows its maker.
func (s Store) partial(name string) (string, error) {
	if err := s.mkdirAll(); err != nil {
		return "", err
	}
	// The journal names the tree before it exists: the name is made here,
	// then made below the state directory's anchor (statedir.MkdirOwned).
	for try := 0; ; try++ {
		tmp := filepath.Join(s.Dir, fmt.Sprintf(".partial-%s-%d-%d", name, os.Getpid(), time.Now().UnixNano()))
		if _, err := os.Lstat(tmp); err == nil {
			continue
		}
		journal.Will(journal.Rootfs, tmp)
		err := statedir.MkdirOwned(tmp, -1, -1)
		if err == nil {
			journal.Made(journal.Rootfs, tmp, journal.InodeOf(tmp))
			return tmp, nil
		}
		journal.Done(journal.Rootfs, tmp)
		if try > 5 {
			return "", err
		}
	}
}

// finish renames a built tree into place, or removes it on failure.
func (s Store) finish(tmp, name, source string, err error) (Info, error) {
	if err == nil {
		var root *os.Root
		if root, err = s.root(); err == nil {
			if _, serr := root.Lstat(name); serr == nil {
				err = fmt.Errorf("a root filesystem named %s already exists (rootfs rm %s first, or choose another name)", name, name)
			} else {
				err = root.Rename(filepath.Base(tmp), name)
			}
			root.Close()
		}
	}
	if err != nil {
		if os.RemoveAll(tmp) == nil {
			journal.Done(journal.Rootfs, tmp)
		}
		return Info{}, err
	}
	journal.Done(journal.Rootfs, tmp)
	_ = statedir.WriteFile(s.sourceFile(name), []byte(source+"\n"), 0o600, s.uid, s.gid)
	return s.info(name), nil
}

// Sweep removes the partial trees whose hood is no longer running (killed
// during make or import), and returns them.
func (s Store) Sweep() (removed []string) {
	ents, _ := os.ReadDir(s.Dir)
	for _, e := range ents {
		rest, ok := strings.CutPrefix(e.Name(), ".partial-")
		if !ok {
			continue
		}
		parts := strings.Split(rest, "-")
		if len(parts) < 3 {
			continue
		}
		pid, err := strconv.Atoi(parts[len(parts)-2])
		if err != nil || pid <= 0 || alive(pid) {
			continue
		}
		p := filepath.Join(s.Dir, e.Name())
		if os.RemoveAll(p) == nil {
			removed = append(removed, p)
		}
	}
	return removed
}

func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
