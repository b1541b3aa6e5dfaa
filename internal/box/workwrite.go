package box

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Write is a run of `write`.
type Write struct {
	Workload
	Path    string
	Size    int64
	Direct  bool
	Bytes   int64   // bytes written (all of Size when it finished)
	Elapsed float64 // seconds, the final fsync included
	// Refused says why the workload would not write Path (exit status 3):
	// "/proc/x is under /proc"; Bytes is then 0.
	Refused string
}

// MBps is the rate in megabytes (10^6 bytes) per second, as dd reports it.
func (w *Write) MBps() float64 {
	if w.Elapsed <= 0 {
		return 0
	}
	return float64(w.Bytes) / 1e6 / w.Elapsed
}

// MiBps is the rate in MiB (2^20 bytes) per second, the unit of io.max
// limits written as 2097152 (2 MiB/s).
func (w *Write) MiBps() float64 {
	if w.Elapsed <= 0 {
		return 0
	}
	return float64(w.Bytes) / (1 << 20) / w.Elapsed
}

// ErrSystemPath is returned for a write to a path under /dev, /proc or /sys.
var ErrSystemPath = errors.New("write touches no file under /dev, /proc or /sys")

// Write makes the box write size bytes to path in 1 MiB blocks: with
// O_DIRECT (size then in whole 4 KiB blocks), or through the page cache
// with an fsync(2) at the end. A regular file is overwritten; anything
// else, and any path under /dev, /proc or /sys or in a kernel filesystem
// (proc, sysfs, cgroup...), is refused. path is as the box sees it.
func (b *Box) Write(path string, size int64, direct bool, stdio Stdio) (*Write, error) {
	if err := CheckWritePath(path); err != nil {
		return nil, err
	}
	return b.write(path, "-", size, direct, stdio)
}

// WriteDevice is Write to a block device hood made (a loop device: `loop
// new`), which Write refuses: the workload writes to path only if it is the
// block device major:minor, and only within its size. Nothing else under
// /dev is ever written.
func (b *Box) WriteDevice(path string, major, minor uint32, size int64, direct bool, stdio Stdio) (*Write, error) {
	if major == 0 {
		return nil, fmt.Errorf("write: %s: no block device has major number 0", path)
	}
	return b.write(path, fmt.Sprintf("%d:%d", major, minor), size, direct, stdio)
}

func (b *Box) write(path, dev string, size int64, direct bool, stdio Stdio) (*Write, error) {
	if path == "" || strings.IndexByte(path, 0) >= 0 {
		return nil, fmt.Errorf("write: %q is not a file name", path)
	}
	if size < 1 || size > MaxSize {
		return nil, fmt.Errorf("write: size %d: from 1 byte to 64G", size)
	}
	if direct && size%DirectAlign != 0 {
		return nil, fmt.Errorf("write: with O_DIRECT the size is whole blocks of %d bytes; %d is not", DirectAlign, size)
	}
	d := "0"
	if direct {
		d = "1"
	}
	w, err := b.runWorkload(stdio, "write", path, strconv.FormatInt(size, 10), d, dev)
	if err != nil {
		return nil, err
	}
	r := &Write{Workload: *w, Path: path, Size: size, Direct: direct, Bytes: w.intValue("bytes"), Elapsed: w.floatValue("elapsed")}
	if r.Bytes == 0 {
		r.Bytes = w.intValue("written")
	}
	refused := ""
	if w.Status.Exited() && w.Status.ExitStatus() == exitRefused {
		refused = w.Values["refused"]
	}
	switch refused {
	case "not-regular":
		r.Refused = fmt.Sprintf("%s is a %s, not a regular file", path, strings.ReplaceAll(w.Values["type"], "-", " "))
	case "system-path":
		r.Refused = fmt.Sprintf("%s leads under /dev, /proc or /sys (symbolic links followed, as the box sees them)", path)
	case "not-the-device":
		r.Refused = fmt.Sprintf("%s is not the block device %s", path, dev)
	case "device-too-small":
		r.Refused = fmt.Sprintf("the device %s holds %s bytes, fewer than %d", path, w.Values["device_bytes"], size)
	case "pseudo-fs":
		r.Refused = fmt.Sprintf("%s is in a %s filesystem, whose files are kernel controls, not data", path, w.Values["fs"])
	}
	if r.Failed != nil {
		writeFailed(r.Failed, w, path)
	}
	return r, nil
}

// CheckWritePath refuses, before anything runs, a path that names nothing
// or is under /dev, /proc or /sys (relative paths are taken from hood's
// working directory, which is the box's). The workload checks again as the
// box sees the path, with symbolic links resolved.
func CheckWritePath(path string) error {
	if path == "" || strings.IndexByte(path, 0) >= 0 {
		return fmt.Errorf("write: %q is not a file name", path)
	}
	abs := path
	if !filepath.IsAbs(abs) {
		if wd, err := os.Getwd(); err == nil {
			abs = filepath.Join(wd, abs)
		}
	}
	abs = filepath.Clean(abs)
	for _, dir := range []string{"/dev", "/proc", "/sys"} {
		if abs == dir || strings.HasPrefix(abs, dir+"/") {
			return fmt.Errorf("%w: %s is under %s", ErrSystemPath, abs, dir)
		}
	}
	return nil
}
