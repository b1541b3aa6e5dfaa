package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// An initramfs is a cpio archive in the "newc" format, which the kernel
// unpacks into its rootfs before it runs /init
// (Documentation/driver-api/early-userspace/buffer-format.rst). Each entry
// is a header of ASCII hex fields, the name, the data:
//
//	"070701"  magic
//	ino mode uid gid nlink mtime filesize devmajor devminor rdevmajor rdevminor namesize check
//	          13 fields of 8 hex digits each; namesize counts the name's NUL
//	name\0    padded with NULs to a multiple of 4 (counting the 110-byte header)
//	data      padded to a multiple of 4; a symlink's data is its target
//
// The archive ends with an entry named "TRAILER!!!". It is written
// uncompressed: the VM unpacks it faster than it would gunzip it.

const (
	modeDir     = 0o040000
	modeFile    = 0o100000
	modeSymlink = 0o120000
)

// An entry of the image: a directory, a file with its content from the host
// (Src) or given (Data), or a symlink to Target.
type entry struct {
	Mode   uint32 // type and permission bits
	Src    string
	Data   []byte
	Target string
}

// image is the initramfs being put together, by path inside the VM.
type image map[string]entry

func (im image) dir(name string) { im[name] = entry{Mode: modeDir | 0o755} }

// file adds a file copied from the host, keeping its executable bits.
func (im image) file(name, src string) error {
	st, err := os.Stat(src)
	if err != nil {
		return err
	}
	im[name] = entry{Mode: modeFile | uint32(st.Mode().Perm()), Src: src}
	return nil
}

func (im image) data(name string, perm uint32, data string) {
	im[name] = entry{Mode: modeFile | perm, Data: []byte(data)}
}

func (im image) symlink(name, target string) {
	im[name] = entry{Mode: modeSymlink | 0o777, Target: target}
}

// tree adds the host directory src at name, recursively.
func (im image) tree(name, src string) error {
	return filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		at := path.Join(name, filepath.ToSlash(rel))
		switch {
		case d.IsDir():
			im.dir(at)
		case d.Type()&os.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			im.symlink(at, target)
		case d.Type().IsRegular():
			return im.file(at, p)
		}
		return nil
	})
}

// write writes the archive, parents before their children (the kernel
// creates each entry where it stands, so a directory must come first).
// Every missing parent directory is added.
func (im image) write(w io.Writer) error {
	for name := range im {
		for d := path.Dir(name); d != "/" && d != "."; d = path.Dir(d) {
			if _, ok := im[d]; !ok {
				im.dir(d)
			}
		}
	}
	names := make([]string, 0, len(im))
	for name := range im {
		names = append(names, name)
	}
	sort.Strings(names) // "/a" sorts before "/a/b"
	bw := bufio.NewWriterSize(w, 1<<20)
	for i, name := range names {
		e := im[name]
		if err := writeEntry(bw, uint32(i+1), strings.TrimPrefix(name, "/"), e); err != nil {
			return fmt.Errorf("initramfs %s: %w", name, err)
		}
	}
	if err := writeHeader(bw, 0, "TRAILER!!!", 0, 0); err != nil {
		return err
	}
	return bw.Flush()
}

func writeEntry(w *bufio.Writer, ino uint32, name string, e entry) error {
	var (
		size int64
		r    io.Reader
	)
	switch {
	case e.Mode&0o170000 == modeSymlink:
		size, r = int64(len(e.Target)), strings.NewReader(e.Target)
	case e.Src != "":
		f, err := os.Open(e.Src)
		if err != nil {
			return err
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil {
			return err
		}
		size, r = st.Size(), f
	default:
		size, r = int64(len(e.Data)), strings.NewReader(string(e.Data))
	}
	if size > 0xffffffff {
		return fmt.Errorf("%d bytes: too big for newc", size)
	}
	if err := writeHeader(w, ino, name, e.Mode, uint32(size)); err != nil {
		return err
	}
	if n, err := io.Copy(w, r); err != nil {
		return err
	} else if n != size {
		return fmt.Errorf("wrote %d bytes of %d: the file changed", n, size)
	}
	return pad(w, size)
}

func writeHeader(w *bufio.Writer, ino uint32, name string, mode, size uint32) error {
	nlink := uint32(1)
	if mode&0o170000 == modeDir {
		nlink = 2
	}
	// ino mode uid gid nlink mtime filesize devmajor devminor rdevmajor rdevminor namesize check
	if _, err := fmt.Fprintf(w, "070701%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%s\x00",
		ino, mode, 0, 0, nlink, 0, size, 0, 0, 0, 0, len(name)+1, 0, name); err != nil {
		return err
	}
	return pad(w, int64(110+len(name)+1))
}

func pad(w *bufio.Writer, n int64) error {
	_, err := w.WriteString("\x00\x00\x00"[:(4-n%4)%4])
	return err
}
