package box

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// rawMkdir is mkdir(2), syscall 83 on x86_64.
func rawMkdir(path string, mode uint32) error {
	p, err := unix.BytePtrFromString(path)
	if err != nil {
		return err
	}
	_, _, e := unix.Syscall(unix.SYS_MKDIR, uintptr(unsafe.Pointer(p)), uintptr(mode), 0)
	if e != 0 {
		return e
	}
	return nil
}
