package rootfs

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// Limits bound an extraction, so that a tarball cannot fill the disk.
type Limits struct {
	Bytes   int64 // file contents, in all
	Entries int
}

// DefaultLimits are generous for a container image.
var DefaultLimits = Limits{Bytes: 8 << 30, Entries: 1 << 20}

// Extracted counts what an extraction made and skipped.
type Extracted struct {
	Compressed           string // "gzip", or ""
	Files, Dirs, Links   int
	Symlinks             int
	Bytes                int64
	Skipped              []string // device nodes and FIFOs, "dev/console (character device)"
	SetuidDropped        []string
	AbsoluteLinks        int // symlinks with an absolute target, made, never followed
	HasShell, HasRelease bool
}

// EntryError is a tarball entry hood refuses, and why.
type EntryError struct {
	Entry string
	Why   string
}

func (e *EntryError) Error() string {
	return fmt.Sprintf("tarball entry %q: %s; nothing was kept", e.Entry, e.Why)
}

// Imported is what Import did.
type Imported struct {
	Info
	Extracted
}

// Import unpacks the tarball at file into the root filesystem NAME.
func (s Store) Import(file, name string) (Imported, error) {
	if err := CheckName(name); err != nil {
		return Imported{}, err
	}
	if exists(s.Dir, name) {
		return Imported{}, fmt.Errorf("a root filesystem named %s already exists (rootfs rm %s first, or choose another name)", name, name)
	}
	f, err := os.Open(file)
	if err != nil {
		return Imported{}, err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return Imported{}, fmt.Errorf("%s is a directory, not a tarball (to use a directory as a root, give its path to chroot or pivot_root)", file)
	}
	tmp, err := s.partial(name)
	if err != nil {
		return Imported{}, err
	}
	// A root directory is 0755 unless the tarball's "./" entry says otherwise.
	if err := os.Chmod(tmp, 0o755); err != nil {
		os.RemoveAll(tmp)
		return Imported{}, err
	}
	x, err := Extract(f, tmp, DefaultLimits)
	if err != nil {
		err = fmt.Errorf("%s: %w", file, err)
	}
	abs, _ := filepath.Abs(file)
	in, err := s.finish(tmp, name, "imported from "+abs, err)
	return Imported{in, x}, err
}

// Extract unpacks a tar stream, gzip-compressed or not (told by its magic
// bytes), into dir, an existing empty directory. Every path is resolved
// inside dir by an os.Root; on error dir holds a partial tree that the
// caller removes.
func Extract(r io.Reader, dir string, lim Limits) (Extracted, error) {
	var x Extracted
	br := bufio.NewReader(r)
	magic, _ := br.Peek(6)
	var in io.Reader = br
	switch {
	case bytes.HasPrefix(magic, []byte{0x1f, 0x8b}):
		zr, err := gzip.NewReader(br)
		if err != nil {
			return x, fmt.Errorf("not a gzip file, though it starts like one: %w", err)
		}
		defer zr.Close()
		in, x.Compressed = zr, "gzip"
	case bytes.HasPrefix(magic, []byte{0xfd, '7', 'z', 'X', 'Z', 0}):
		return x, errors.New("it is compressed with xz, which hood does not read: unpack it first (xz -d FILE) and import the .tar")
	case bytes.HasPrefix(magic, []byte("BZh")):
		return x, errors.New("it is compressed with bzip2, which hood does not read: unpack it first (bunzip2 FILE) and import the .tar")
	case bytes.HasPrefix(magic, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		return x, errors.New("it is compressed with zstd, which hood does not read: unpack it first (zstd -d FILE) and import the .tar")
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return x, err
	}
	defer root.Close()
	cr := &counter{r: in}
	tr := tar.NewReader(cr)
	var total int64
	for n := 0; ; n++ {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			if n == 0 && errors.Is(err, io.ErrUnexpectedEOF) && cr.n < 512 {
				return x, fmt.Errorf("it is not a tarball: it holds %d bytes, less than one tar header (512)", cr.n)
			}
			return x, readErr(err, n, x.Compressed)
		}
		if n >= lim.Entries {
			return x, fmt.Errorf("more than %d entries: hood stops there", lim.Entries)
		}
		total += max(h.Size, 0)
		if total > lim.Bytes {
			return x, fmt.Errorf("more than %d bytes of file contents: hood stops there, so that a tarball cannot fill the disk", lim.Bytes)
		}
		if err := extractOne(root, tr, h, &x); err != nil {
			return x, err
		}
	}
	if x.Files+x.Dirs+x.Symlinks+x.Links == 0 {
		if len(x.Skipped) > 0 {
			return x, fmt.Errorf("it holds only entries hood does not make (%s): with no files, directories or links it is no root filesystem", strings.Join(x.Skipped, ", "))
		}
		return x, errors.New("it is empty: a tarball with no files, directories or links is no root filesystem")
	}
	if _, err := root.Lstat("bin/sh"); err == nil {
		x.HasShell = true
	}
	if _, err := root.Lstat("etc/os-release"); err == nil {
		x.HasRelease = true
	} else if _, err := root.Lstat("usr/lib/os-release"); err == nil {
		x.HasRelease = true
	}
	return x, nil
}

// counter counts the bytes read through it.
type counter struct {
	r io.Reader
	n int64
}

func (c *counter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// readErr explains a failure to read the next header or the contents.
func readErr(err error, n int, compressed string) error {
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("it is truncated: it ends in the middle of entry %d", n+1)
	case errors.Is(err, tar.ErrHeader) && n == 0:
		if compressed != "" {
			return errors.New("it is not a tarball: it is gzip-compressed, but what is inside is not a tar archive")
		}
		return errors.New("it is not a tarball (no tar header at its start; hood reads tar archives, gzip-compressed or not)")
	case errors.Is(err, tar.ErrHeader):
		return fmt.Errorf("entry %d has an invalid tar header: the file is damaged or truncated", n+1)
	case errors.Is(err, gzip.ErrChecksum), errors.Is(err, gzip.ErrHeader):
		return fmt.Errorf("its gzip data is damaged near entry %d: %w", n+1, err)
	}
	return fmt.Errorf("reading entry %d: %w", n+1, err)
}

// clean turns an entry name into a path inside the root, or refuses it.
func clean(name string) (string, error) {
	if name == "" {
		return "", &EntryError{name, "it has an empty name"}
	}
	if strings.ContainsRune(name, 0) {
		return "", &EntryError{name, "its name holds a NUL byte"}
	}
	if path.IsAbs(name) {
		return "", &EntryError{name, "its path is absolute: extracted as it is, it would be written outside the target"}
	}
	for _, el := range strings.Split(name, "/") {
		if el == ".." {
			return "", &EntryError{name, "its path climbs out of the target with ..: hood writes only inside the root filesystem"}
		}
	}
	return path.Clean(name), nil
}

func extractOne(root *os.Root, tr *tar.Reader, h *tar.Header, x *Extracted) error {
	name, err := clean(h.Name)
	if err != nil {
		return err
	}
	inRoot := func(err error) error {
		if err == nil {
			return nil
		}
		return &EntryError{h.Name, "it cannot be made inside the target (" + why(err) + ")"}
	}
	mode := os.FileMode(h.Mode) & os.ModePerm
	if h.Mode&0o1000 != 0 {
		mode |= os.ModeSticky
	}
	if h.Mode&0o6000 != 0 && h.Typeflag != tar.TypeDir {
		x.SetuidDropped = append(x.SetuidDropped, name)
	}
	switch h.Typeflag {
	case tar.TypeDir:
		if name == "." {
			return inRoot(root.Chmod(".", mode))
		}
		if err := root.MkdirAll(name, 0o755); err != nil {
			return inRoot(err)
		}
		x.Dirs++
		return inRoot(chown(root, name, h, mode))
	case tar.TypeReg: // the reader turns the old TypeRegA into TypeReg
		if name == "." {
			return &EntryError{h.Name, "a file cannot be the root directory itself"}
		}
		if err := parentAndClear(root, name); err != nil {
			return inRoot(err)
		}
		f, err := root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return inRoot(err)
		}
		n, err := io.Copy(f, tr)
		cerr := f.Close()
		if err != nil {
			if errors.Is(err, io.ErrUnexpectedEOF) {
				return fmt.Errorf("it is truncated: entry %q ends after %d of its %d bytes", h.Name, n, h.Size)
			}
			return fmt.Errorf("entry %q: %w", h.Name, err)
		}
		if cerr != nil {
			return cerr
		}
		x.Files++
		x.Bytes += n
		return inRoot(chown(root, name, h, mode))
	case tar.TypeSymlink:
		if name == "." {
			return &EntryError{h.Name, "a symlink cannot be the root directory itself"}
		}
		if err := parentAndClear(root, name); err != nil {
			return inRoot(err)
		}
		// The link itself is made, never followed: an absolute target
		// means the root filesystem's own path once a box is inside it.
		if err := root.Symlink(h.Linkname, name); err != nil {
			return inRoot(err)
		}
		if path.IsAbs(h.Linkname) {
			x.AbsoluteLinks++
		}
		x.Symlinks++
		return inRoot(root.Lchown(name, h.Uid, h.Gid))
	case tar.TypeLink:
		target, err := clean(h.Linkname)
		if err != nil {
			return &EntryError{h.Name, fmt.Sprintf("it is a hard link to %q, outside the target: a hard link out would make a host file part of the root filesystem", h.Linkname)}
		}
		if err := parentAndClear(root, name); err != nil {
			return inRoot(err)
		}
		if err := root.Link(target, name); err != nil {
			return &EntryError{h.Name, fmt.Sprintf("hard link to %q: %s (a hard link must name a file extracted before it)", h.Linkname, why(err))}
		}
		x.Links++
		return nil
	case tar.TypeChar, tar.TypeBlock, tar.TypeFifo:
		kind := map[byte]string{tar.TypeChar: "character device", tar.TypeBlock: "block device", tar.TypeFifo: "FIFO"}[h.Typeflag]
		if h.Typeflag != tar.TypeFifo {
			kind += fmt.Sprintf(" %d:%d", h.Devmajor, h.Devminor)
		}
		x.Skipped = append(x.Skipped, fmt.Sprintf("%s (%s)", name, kind))
		return nil
	case tar.TypeXGlobalHeader:
		return nil
	}
	return &EntryError{h.Name, fmt.Sprintf("its type %q is not one hood extracts (files, directories, symlinks, hard links)", string(h.Typeflag))}
}

// parentAndClear makes name's parent directories and removes a non-directory
// already at name (tar replaces what an earlier entry made), so that a new
// entry never writes through an old symlink.
func parentAndClear(root *os.Root, name string) error {
	if dir := path.Dir(name); dir != "." {
		if err := root.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	if fi, err := root.Lstat(name); err == nil {
		if fi.IsDir() {
			return fmt.Errorf("a directory is already there")
		}
		return root.Remove(name)
	}
	return nil
}

// chown gives name the entry's owner (as root; otherwise it stays ours)
// and its mode, without setuid and setgid.
func chown(root *os.Root, name string, h *tar.Header, mode os.FileMode) error {
	if os.Geteuid() == 0 {
		if err := root.Lchown(name, h.Uid, h.Gid); err != nil {
			return err
		}
	}
	return root.Chmod(name, mode)
}

// why names the reason os.Root gave.
func why(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		err = le.Err
	}
	if strings.Contains(err.Error(), "escapes from parent") || strings.Contains(err.Error(), "path escapes") {
		return "its path goes through a symlink that points outside the target, or is absolute; hood follows no such link"
	}
	return err.Error()
}
