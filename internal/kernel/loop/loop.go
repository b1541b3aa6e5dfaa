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

	"golang.org/x/sys/unix"
)

// Device is an attached loop device, held open by hood.
type Device struct {
	Path         string // /dev/loop3
	Major, Minor uint32
	Backing      string
	fd           int
}

// Call is one syscall made, for narration.
type Call struct {
	Call string
	Ret  string
	Err  error
}

// Attach makes a loop device of the file backing (created with size bytes
// if missing) and returns it with the calls made.
func Attach(backing string, size int64) (*Device, []Call, error) {
	var calls []Call
	ctl, err := unix.Open("/dev/loop-control", unix.O_RDWR|unix.O_CLOEXEC, 0)
	calls = append(calls, Call{`open("/dev/loop-control", O_RDWR)`, ret(ctl, err), err})
	if err != nil {
		return nil, calls, fmt.Errorf("open /dev/loop-control: %w (the loop module may be missing: modprobe loop)", err)
	}
	defer unix.Close(ctl)
	n, err := unix.IoctlRetInt(ctl, unix.LOOP_CTL_GET_FREE)
	calls = append(calls, Call{"ioctl(loop-control, LOOP_CTL_GET_FREE)", ret(n, err), err})
	if err != nil {
		return nil, calls, fmt.Errorf("LOOP_CTL_GET_FREE: %w", err)
	}
	path := fmt.Sprintf("/dev/loop%d", n)
	f, err := os.OpenFile(backing, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, calls, err
	}
	defer f.Close()
	if err := f.Truncate(size); err != nil {
		return nil, calls, fmt.Errorf("size %s: %w", backing, err)
	}
	calls = append(calls, Call{fmt.Sprintf("ftruncate(%q, %d)", backing, size), "0", nil})
	fd, err := unix.Open(path, unix.O_RDWR|unix.O_CLOEXEC, 0)
	calls = append(calls, Call{fmt.Sprintf("open(%q, O_RDWR)", path), ret(fd, err), err})
	if err != nil {
		return nil, calls, fmt.Errorf("open %s: %w", path, err)
	}
	err = unix.IoctlSetInt(fd, unix.LOOP_SET_FD, int(f.Fd()))
	calls = append(calls, Call{fmt.Sprintf("ioctl(%s, LOOP_SET_FD, fd of %s)", path, backing), ret(0, err), err})
	if err != nil {
		unix.Close(fd)
		return nil, calls, fmt.Errorf("LOOP_SET_FD on %s: %w", path, err)
	}
	info := unix.LoopInfo64{Flags: unix.LO_FLAGS_AUTOCLEAR}
	copy(info.File_name[:], backing)
	err = unix.IoctlLoopSetStatus64(fd, &info)
	calls = append(calls, Call{fmt.Sprintf("ioctl(%s, LOOP_SET_STATUS64, {lo_flags=LO_FLAGS_AUTOCLEAR})", path), ret(0, err), err})
	if err != nil {
		_ = unix.IoctlSetInt(fd, unix.LOOP_CLR_FD, 0)
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
func (d *Device) Close() error { return unix.Close(d.fd) }

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

func ret(n int, err error) string {
	if err != nil {
		return "-1"
	}
	return fmt.Sprint(n)
}
