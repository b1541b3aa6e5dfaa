// Package loop attaches loop block devices (loop(4)): a file that the
// kernel presents as a disk, /dev/loopN, so that block I/O limits (io.max,
// blkio.throttle.*) can be tried on a device hood owns instead of a real
// disk. A device is attached with LO_FLAGS_AUTOCLEAR and hood keeps it open:
// when hood's descriptor closes, at exit or when the kernel cleans up after
// a SIGKILL, the device detaches itself and nothing is left.
package loop

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"

	"hood/internal/journal"
	"hood/internal/kernel/call"
)

// Device is an attached loop device, held open by hood.
type Device struct {
	Path         string // /dev/loop3
	Major, Minor uint32
	Backing      string
	fd           int
}

// Attach makes a loop device of the file backing (created with size bytes
// if missing) and returns it with the calls made.
func Attach(backing string, size int64) (*Device, []call.Call, error) {
	var calls []call.Call
	me := os.Getpid()
	add := func(name string, ret int, err error, args ...call.Arg) error {
		calls = append(calls, call.New("hood", me, name, int64(ret), err, args...))
		return err
	}
	const rw = unix.O_RDWR | unix.O_CLOEXEC
	ctl, err := unix.Openat(unix.AT_FDCWD, "/dev/loop-control", rw, 0)
	if add("openat", ctl, err, call.Cwd(), call.S("/dev/loop-control"), call.F(rw, "O_RDWR|O_CLOEXEC")) != nil {
		return nil, calls, fmt.Errorf("open /dev/loop-control: %w (the loop module may be missing: modprobe loop)", err)
	}
	defer unix.Close(ctl)
	n, err := unix.IoctlRetInt(ctl, unix.LOOP_CTL_GET_FREE)
	if add("ioctl", n, err, call.Fd(ctl, "/dev/loop-control"), call.F(unix.LOOP_CTL_GET_FREE, "LOOP_CTL_GET_FREE")) != nil {
		return nil, calls, fmt.Errorf("LOOP_CTL_GET_FREE: %w", err)
	}
	path := fmt.Sprintf("/dev/loop%d", n)
	const create = unix.O_RDWR | unix.O_CREAT | unix.O_CLOEXEC
	bfd, err := unix.Openat(unix.AT_FDCWD, backing, create, 0o600)
	if add("openat", bfd, err, call.Cwd(), call.S(backing), call.F(create, "O_RDWR|O_CREAT|O_CLOEXEC"), call.M(0o600)) != nil {
		return nil, calls, fmt.Errorf("create %s: %w", backing, err)
	}
	defer unix.Close(bfd)
	err = unix.Ftruncate(bfd, size)
	if add("ftruncate", 0, err, call.Fd(bfd, backing), call.I(size)) != nil {
		return nil, calls, fmt.Errorf("size %s: %w", backing, err)
	}
	fd, err := unix.Openat(unix.AT_FDCWD, path, rw, 0)
	if add("openat", fd, err, call.Cwd(), call.S(path), call.F(rw, "O_RDWR|O_CLOEXEC")) != nil {
		return nil, calls, fmt.Errorf("open %s: %w", path, err)
	}
	journal.Will(journal.Loop, path+" "+backing)
	err = unix.IoctlSetInt(fd, unix.LOOP_SET_FD, bfd)
	if add("ioctl", 0, err, call.Fd(fd, path), call.F(unix.LOOP_SET_FD, "LOOP_SET_FD"), call.Fd(bfd, backing)) != nil {
		journal.Done(journal.Loop, path+" "+backing)
		unix.Close(fd)
		return nil, calls, fmt.Errorf("LOOP_SET_FD on %s: %w", path, err)
	}
	info := unix.LoopInfo64{Flags: unix.LO_FLAGS_AUTOCLEAR}
	copy(info.File_name[:], backing)
	err = unix.IoctlLoopSetStatus64(fd, &info)
	if add("ioctl", 0, err, call.Fd(fd, path), call.F(unix.LOOP_SET_STATUS64, "LOOP_SET_STATUS64"), call.P("{lo_flags=LO_FLAGS_AUTOCLEAR}")) != nil {
		_ = unix.IoctlSetInt(fd, unix.LOOP_CLR_FD, 0)
		journal.Done(journal.Loop, path+" "+backing)
		unix.Close(fd)
		return nil, calls, fmt.Errorf("LOOP_SET_STATUS64 on %s: %w", path, err)
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return nil, calls, err
	}
	return &Device{Path: path, Major: unix.Major(st.Rdev), Minor: unix.Minor(st.Rdev), Backing: backing, fd: fd}, calls, nil
}

// Dev is the device's MAJ:MIN, as io.max wants it.
func (d *Device) Dev() string { return fmt.Sprintf("%d:%d", d.Major, d.Minor) }

// Close lets go of the device: with autoclear the kernel detaches it once
// no one else has it open.
func (d *Device) Close() error {
	err := unix.Close(d.fd)
	journal.Done(journal.Loop, d.Path+" "+d.Backing)
	return err
}

// Backing is the backing file the kernel names for the loop device at
// path ("" when it has none).
func Backing(path string) string {
	data, err := os.ReadFile("/sys/block/" + baseName(path) + "/loop/backing_file")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(data))
}

// Held reports whether any process has the loop device at path open (a
// running hood keeps its devices open).
func Held(path string) bool {
	fds, _ := filepath.Glob("/proc/[0-9]*/fd/*")
	for _, fd := range fds {
		if l, err := os.Readlink(fd); err == nil && l == path {
			return true
		}
	}
	return false
}

// Clear detaches the loop device at path (LOOP_CLR_FD).
func Clear(path string) error {
	fd, err := unix.Open(path, unix.O_RDWR|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	return unix.IoctlSetInt(fd, unix.LOOP_CLR_FD, 0)
}

// Attached reports whether path is still a loop device with a backing file.
func Attached(path string) bool {
	_, err := os.Stat("/sys/block/" + baseName(path) + "/loop/backing_file")
	return err == nil
}

func baseName(p string) string {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] == '/' {
			return p[i+1:]
		}
	}
	return p
}
